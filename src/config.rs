//! Configuration: defaults < `mistok.toml` < environment (`MISTOK_…`) < command-line flags.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Folder for the embedded database, the secret key file and attachments.
    pub data_dir: PathBuf,
    /// `postgres://…` selects PostgreSQL; unset means the embedded SQLite file under `data_dir`.
    pub database_url: Option<String>,
    /// The 32-byte master secret, base64. Prefer `secret_key_file`; when neither is set the key
    /// lives in `data_dir/secret.key`, created on first run with owner-only permissions.
    pub secret_key: Option<String>,
    pub secret_key_file: Option<PathBuf>,
    /// Mark cookies `Secure`: set when the platform is served over TLS (directly or via a proxy).
    pub cookie_secure: bool,
    /// Largest request body accepted, in bytes (attachments included).
    pub max_body_bytes: usize,
    /// Time zone in which dates are shown to people.
    pub time_zone: String,
    /// Short prefix of human references, e.g. `DN` gives `DN-2026-000123`. When unset, the
    /// platform's stored setting is used (the demo stores `DN`), else `MT`.
    pub reference_prefix: Option<String>,
    /// Name of the platform shown in the header.
    pub platform_name: Option<String>,
    /// Mail server, `smtp://user:pass@host:587` (STARTTLS; `?tls=none` only for a relay on the
    /// same machine) or `smtps://user:pass@host:465`. Unset: e-mails are written as `.eml`
    /// files under `data_dir/outbox/`. Holds a password: set it in the environment
    /// (`MISTOK_SMTP_URL`), not in a file kept in the repository.
    pub smtp_url: Option<String>,
    /// Sender of the platform's e-mails.
    pub mail_from: String,
    /// Language of the platform's e-mails to staff: `uk`, `ru` or `en`.
    pub mail_language: String,
    /// Address at which people reach the platform, e.g. `https://dn.mistok.org`: makes the links
    /// in e-mails absolute (otherwise they are paths).
    pub public_url: Option<String>,
    /// Seconds between runs of the background jobs (escalation of overdue referrals, sending of
    /// e-mails) in each `mistok serve`; 0 turns them off (then run `mistok jobs run-once` from cron).
    pub jobs_interval_secs: u64,
    /// Requests this server handles at once before it answers 503 with `Retry-After` instead of
    /// queueing without bound (reports being submitted have their own allowance, below).
    pub max_requests_in_flight: usize,
    /// Connections one address may hold open at once; past it, new ones are answered 503 with
    /// `Retry-After` and closed before any parsing (0: no limit; behind a reverse proxy all
    /// connections come from the proxy's address: set 0 there and limit at the proxy).
    pub max_connections_per_address: usize,
    /// Report submissions (form, API, Open311) handled at once, apart from everything else, so
    /// that a crowd of readers never crowds out a person reporting.
    pub max_intake_in_flight: usize,
    /// Milliseconds under which report submissions never hold the other requests back; while
    /// they take longer, and a quarter longer than their own time, the other requests'
    /// allowance shrinks (to one started per 0.1 s at the least) so that reports keep the
    /// processor (0: reports have no priority beyond their own allowance; see `http::shed`).
    pub intake_latency_target_ms: u64,
    /// Months after a case ended (closed, rejected, merged) when its identifying data and
    /// attachments' files are deleted; 0 keeps them.
    pub retention_months: u32,
    /// Reports one address may submit per hour from the web form or the app (hotline operators
    /// and partner systems are not limited).
    pub intake_per_address_per_hour: u32,
    /// Residents' dialogue forms (event registrations, reception bookings, priority proposals
    /// and supports) one address may send per hour.
    pub dialogue_forms_per_address_per_hour: u32,
    /// Attachments in this S3-compatible bucket instead of `DATA_DIR/blobs` (several app
    /// servers need one shared store).
    pub s3_bucket: Option<String>,
    /// The S3 service's address; empty for Amazon S3 itself.
    pub s3_endpoint: Option<String>,
    pub s3_region: Option<String>,
    pub s3_access_key_id: Option<String>,
    /// A secret: from the environment, never from the repository.
    pub s3_secret_access_key: Option<String>,
    /// Folder inside the bucket.
    pub s3_prefix: Option<String>,
    /// Side of the public map's squares in km: a report on the public map says no more than
    /// that it lies somewhere in its square (0.56 to 50).
    pub map_cell_km: f64,
    /// Squares of the public map with fewer reports than this are left out (at least 2).
    pub map_min_count: u32,
    /// Map tiles for the interactive maps, e.g. `https://tiles.example.org/{z}/{x}/{y}.png`;
    /// none by default, so that an isolated network still has maps (drawn without tiles).
    pub map_tile_url: Option<String>,
    /// The tiles' attribution, shown on the map (as their licence requires).
    pub map_tile_attribution: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            secret_key: None,
            secret_key_file: None,
            cookie_secure: false,
            max_body_bytes: 60 * 1024 * 1024,
            time_zone: "Europe/Kyiv".into(),
            reference_prefix: None,
            platform_name: None,
            smtp_url: None,
            mail_from: "Mistok <noreply@localhost>".into(),
            mail_language: "uk".into(),
            public_url: None,
            jobs_interval_secs: 30,
            max_requests_in_flight: 512,
            max_intake_in_flight: 256,
            intake_latency_target_ms: 5,
            max_connections_per_address: 256,
            retention_months: 0,
            intake_per_address_per_hour: 30,
            dialogue_forms_per_address_per_hour: 30,
            s3_bucket: None,
            s3_endpoint: None,
            s3_region: None,
            s3_access_key_id: None,
            s3_secret_access_key: None,
            s3_prefix: None,
            map_cell_km: 2.0,
            map_min_count: 5,
            map_tile_url: None,
            map_tile_attribution: None,
        }
    }
}

impl Config {
    /// Loads defaults, then `mistok.toml` (or the file named), then `MISTOK_*` variables.
    pub fn load(file: Option<&Path>) -> Result<Config, Box<figment::Error>> {
        let file = file
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("mistok.toml"));
        Figment::from(Serialized::defaults(Config::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("MISTOK_"))
            .extract()
            .map_err(Box::new)
    }

    pub fn secret_key_path(&self) -> PathBuf {
        self.secret_key_file
            .clone()
            .unwrap_or_else(|| self.data_dir.join("secret.key"))
    }

    /// The S3 bucket for attachments, when one is configured.
    pub fn s3(&self) -> Option<crate::blobs::S3Settings> {
        let text = |v: &Option<String>| v.clone().unwrap_or_default().trim().to_string();
        let bucket = text(&self.s3_bucket);
        (!bucket.is_empty()).then(|| crate::blobs::S3Settings {
            bucket,
            endpoint: text(&self.s3_endpoint),
            region: text(&self.s3_region),
            access_key_id: text(&self.s3_access_key_id),
            secret_access_key: text(&self.s3_secret_access_key),
            prefix: text(&self.s3_prefix),
        })
    }

    /// The configured map tiles' address template, checked, and the source the pages' content
    /// security policy must allow images from (`https://*.tiles.example.org` for `{s}`).
    pub fn map_tiles(&self) -> Result<Option<(String, String)>, String> {
        let template = self.map_tile_url.as_deref().unwrap_or("").trim();
        if template.is_empty() {
            return Ok(None);
        }
        if !["{z}", "{x}", "{y}"].iter().all(|p| template.contains(p)) {
            return Err("map_tile_url must contain {z}, {x} and {y}".into());
        }
        let concrete = template.replace("{s}", "a").replace(['{', '}'], "");
        let url = url::Url::parse(&concrete).map_err(|e| format!("map_tile_url: {e}"))?;
        if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
            return Err("map_tile_url must be an http(s) address".into());
        }
        let host = match template
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
        {
            Some(authority) if authority.contains("{s}") => authority.replace("{s}", "*"),
            _ => {
                url.host_str().unwrap_or_default().to_string()
                    + &url.port().map(|p| format!(":{p}")).unwrap_or_default()
            }
        };
        if host
            .chars()
            .any(|c| c.is_whitespace() || c == ';' || c == '\'' || c == ',')
        {
            return Err("map_tile_url: the host has characters no address has".into());
        }
        Ok(Some((
            template.to_string(),
            format!("{}://{host}", url.scheme()),
        )))
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.data_dir.join("blobs")
    }

    /// Where e-mails are written when no mail server is configured.
    pub fn outbox_dir(&self) -> PathBuf {
        self.data_dir.join("outbox")
    }

    /// The SQLite URL when no PostgreSQL URL is configured.
    pub fn effective_database_url(&self) -> String {
        match self.embedded_database_file() {
            Some(file) => format!("sqlite://{}", file.display()),
            None => self.database_url.clone().unwrap_or_default(),
        }
    }

    /// The embedded SQLite file, when no PostgreSQL URL is configured.
    pub fn embedded_database_file(&self) -> Option<PathBuf> {
        match &self.database_url {
            Some(url) if !url.trim().is_empty() => None,
            _ => Some(self.data_dir.join("mistok.db")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiles(url: &str) -> Result<Option<(String, String)>, String> {
        Config {
            map_tile_url: Some(url.into()),
            ..Config::default()
        }
        .map_tiles()
    }

    #[test]
    fn map_tiles_are_checked_and_give_the_policy_source() {
        assert_eq!(Config::default().map_tiles(), Ok(None));
        assert_eq!(tiles("  "), Ok(None));
        assert_eq!(
            tiles("https://tiles.example.org/{z}/{x}/{y}.png"),
            Ok(Some((
                "https://tiles.example.org/{z}/{x}/{y}.png".into(),
                "https://tiles.example.org".into()
            )))
        );
        assert_eq!(
            tiles("https://{s}.tile.example.org:8443/{z}/{x}/{y}.png").map(|t| t.map(|t| t.1)),
            Ok(Some("https://*.tile.example.org:8443".into()))
        );
        assert!(tiles("https://tiles.example.org/{z}/{x}.png").is_err());
        assert!(tiles("ftp://tiles.example.org/{z}/{x}/{y}.png").is_err());
        assert!(tiles("https://tiles.example.org; script-src */{z}/{x}/{y}").is_err());
    }
}
