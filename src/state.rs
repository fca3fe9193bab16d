//! What every request handler shares.

use std::sync::Arc;
use std::time::Duration;

use crate::blobs::BlobStore;
use crate::catalog::CatalogCache;
use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;
use crate::i18n::Lang;
use crate::limits::FailureLimiter;
use crate::notify::Mailer;
use crate::notify::mailer::parse_from;

#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub db: Db,
    pub keys: Arc<Keys>,
    pub catalog: Arc<CatalogCache>,
    pub blobs: BlobStore,
    /// Wrong receipts per client address.
    pub receipt_failures: Arc<FailureLimiter>,
    /// Failed staff sign-ins per client address (accounts also lock by themselves).
    pub login_failures: Arc<FailureLimiter>,
    /// Reports submitted per client address from the web form and the app (not by staff or
    /// partner systems), per hour.
    pub intake_limiter: Arc<FailureLimiter>,
    /// Residents' dialogue forms (registrations, bookings, proposals, supports) per client
    /// address, per hour.
    pub dialogue_limiter: Arc<FailureLimiter>,
    /// The platform's time zone, for showing dates.
    pub time_zone: jiff::tz::TimeZone,
    /// Where e-mails go: a mail server, or the outbox folder.
    pub mailer: Arc<Mailer>,
    /// Sender of e-mails (`mail_from`, checked at start).
    pub mail_from: lettre::message::Mailbox,
    /// Language of e-mails to staff (`mail_language`).
    pub mail_language: Lang,
    /// Recently computed public statistics (see `statistics::service`).
    pub statistics: Arc<crate::statistics::StatsCache>,
    /// The register's pages as read in the last second (see `public::cache`).
    pub register: Arc<crate::public::cache::RegisterCache>,
    /// Survey waves' answers held in memory for results (see `surveys::results`).
    pub surveys: Arc<crate::surveys::results::WaveCache>,
}

impl AppState {
    pub fn new(config: Config, db: Db, keys: Keys) -> anyhow::Result<AppState> {
        let time_zone = jiff::tz::TimeZone::get(&config.time_zone)
            .map_err(|e| anyhow::anyhow!("time zone {:?}: {e}", config.time_zone))?;
        let mailer = Mailer::from_config(&config)?;
        let mail_from = parse_from(&config.mail_from)?;
        let mail_language = Lang::from_code(&config.mail_language).ok_or_else(|| {
            anyhow::anyhow!(
                "mail_language {:?}: expected uk, ru or en",
                config.mail_language
            )
        })?;
        config.map_tiles().map_err(|e| anyhow::anyhow!(e))?;
        let intake_limit = config.intake_per_address_per_hour.max(1);
        let dialogue_limit = config.dialogue_forms_per_address_per_hour.max(1);
        Ok(AppState {
            mailer: Arc::new(mailer),
            mail_from,
            mail_language,
            blobs: match config.s3() {
                Some(settings) => BlobStore::s3(&settings)
                    .map_err(|e| anyhow::anyhow!("the S3 bucket for attachments: {e}"))?,
                None => BlobStore::local(config.blob_dir()),
            },
            config: Arc::new(config),
            db,
            keys: Arc::new(keys),
            catalog: Arc::new(CatalogCache::default()),
            receipt_failures: Arc::new(FailureLimiter::new(10, Duration::from_secs(15 * 60))),
            login_failures: Arc::new(FailureLimiter::new(30, Duration::from_secs(15 * 60))),
            intake_limiter: Arc::new(FailureLimiter::new(
                intake_limit,
                Duration::from_secs(60 * 60),
            )),
            dialogue_limiter: Arc::new(FailureLimiter::new(
                dialogue_limit,
                Duration::from_secs(60 * 60),
            )),
            time_zone,
            statistics: Arc::new(crate::statistics::StatsCache::default()),
            register: Arc::default(),
            surveys: Arc::new(crate::surveys::results::WaveCache::default()),
        })
    }

    /// Prefix of human references (`DN` in `DN-2026-000123`): the configured one, else the
    /// platform's stored setting, else `MT`.
    pub fn reference_prefix(&self, catalog: &crate::catalog::CatalogData) -> String {
        self.config
            .reference_prefix
            .clone()
            .or_else(|| catalog.reference_prefix.clone())
            .unwrap_or_else(|| "MT".into())
    }

    /// The offset of the platform's time zone at `at`, for reading local times people type.
    pub fn local_offset(&self, at: time::OffsetDateTime) -> time::UtcOffset {
        jiff::Timestamp::from_second(at.unix_timestamp())
            .ok()
            .map(|ts| self.time_zone.to_offset(ts).seconds())
            .and_then(|secs| time::UtcOffset::from_whole_seconds(secs).ok())
            .unwrap_or(time::UtcOffset::UTC)
    }

    /// The moment a person means by a local date and time of the platform (as typed in a
    /// `datetime-local` input).
    pub fn local_to_utc(&self, local: time::PrimitiveDateTime) -> Option<time::OffsetDateTime> {
        let civil = jiff::civil::DateTime::new(
            i16::try_from(local.year()).ok()?,
            u8::from(local.month()) as i8,
            local.day() as i8,
            local.hour() as i8,
            local.minute() as i8,
            local.second() as i8,
            0,
        )
        .ok()?;
        // "Compatible": a skipped time is read after the gap, a repeated one as the first.
        let at = self.time_zone.to_timestamp(civil).ok()?;
        time::OffsetDateTime::from_unix_timestamp(at.as_second()).ok()
    }

    /// `at` as the value of a `datetime-local` input, in the platform's time zone.
    pub fn local_input_value(&self, at: time::OffsetDateTime) -> String {
        let local = at.to_offset(self.local_offset(at));
        format!(
            "{}-{:02}-{:02}T{:02}:{:02}",
            local.year(),
            u8::from(local.month()),
            local.day(),
            local.hour(),
            local.minute()
        )
    }

    /// The platform's name as e-mails sign it: the configured one, else the software's.
    pub fn platform_name(&self, lang: Lang) -> String {
        self.config
            .platform_name
            .clone()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| lang.t("site-name"))
    }

    /// The day of the platform's calendar (its time zone) that `at` falls on.
    pub fn local_date(&self, at: time::OffsetDateTime) -> time::Date {
        at.to_offset(self.local_offset(at)).date()
    }

    /// The month of `at` in the platform's time zone as `yyyymm` (what the maps count by).
    pub fn local_month(&self, at: time::OffsetDateTime) -> i32 {
        crate::map::service::yyyymm(self.local_date(at))
    }

    /// A span of time as people read it: `03.12.2026 15:00–17:00`, or with the end's date too
    /// when it ends on another day.
    pub fn format_local_span(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
    ) -> String {
        let end = self.format_local(to);
        match end.split_once(' ') {
            Some((_, end_time)) if self.local_date(from) == self.local_date(to) => {
                format!("{}–{end_time}", self.format_local(from))
            }
            _ => format!("{} – {end}", self.format_local(from)),
        }
    }

    /// Today in the platform's time zone.
    pub fn today(&self) -> time::Date {
        self.local_date(time::OffsetDateTime::now_utc())
    }

    /// A moment shown in the platform's time zone, e.g. `26.11.2026 14:05`.
    /// The day only, in the platform's time zone (`26.11.2026`): public pages say no more.
    pub fn format_local_date(&self, at: time::OffsetDateTime) -> String {
        let local = at.to_offset(self.local_offset(at));
        format!(
            "{:02}.{:02}.{}",
            local.day(),
            u8::from(local.month()),
            local.year()
        )
    }

    pub fn format_local(&self, at: time::OffsetDateTime) -> String {
        let local = at.to_offset(self.local_offset(at));
        format!(
            "{:02}.{:02}.{} {:02}:{:02}",
            local.day(),
            u8::from(local.month()),
            local.year(),
            local.hour(),
            local.minute()
        )
    }
}
