//! SQL of surveys, waves, invitations, responses and focus groups.

use sqlx::{QueryBuilder, Row};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::model::Questionnaire;
use crate::audit::Audited;
use crate::catalog::Names;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_read, db_write};

/// How one answer per person is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// One-time invitation links.
    Token,
    /// One open link; a signed cookie marks the wave as answered in that browser.
    Cookie,
}

impl Access {
    pub fn code(self) -> &'static str {
        match self {
            Access::Token => "token",
            Access::Cookie => "cookie",
        }
    }

    pub fn from_code(code: &str) -> Option<Access> {
        match code {
            "token" => Some(Access::Token),
            "cookie" => Some(Access::Cookie),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SurveyRow {
    pub id: Uuid,
    pub code: String,
    pub title: Names,
    pub intro: Names,
    pub questionnaire: Questionnaire,
    pub access: Access,
    pub updated_at: OffsetDateTime,
}

const SURVEY_COLUMNS: &str = "SELECT id, code, title_uk, title_ru, title_en, intro_uk, \
    intro_ru, intro_en, questions, access, updated_at FROM surveys";

macro_rules! survey_row {
    ($row:expr) => {{
        let row = $row;
        let questions: String = row.try_get("questions")?;
        let access: String = row.try_get("access")?;
        SurveyRow {
            id: row.try_get("id")?,
            code: row.try_get("code")?,
            title: Names {
                uk: row.try_get("title_uk")?,
                ru: row.try_get("title_ru")?,
                en: row.try_get("title_en")?,
            },
            intro: Names {
                uk: row.try_get("intro_uk")?,
                ru: row.try_get("intro_ru")?,
                en: row.try_get("intro_en")?,
            },
            // Written only by this program from a checked questionnaire.
            questionnaire: serde_json::from_str(&questions).unwrap_or_default(),
            access: Access::from_code(&access).unwrap_or(Access::Cookie),
            updated_at: row.try_get("updated_at")?,
        }
    }};
}

pub async fn surveys(db: &Db) -> AppResult<Vec<SurveyRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            SURVEY_COLUMNS,
            " ORDER BY created_at DESC LIMIT 500"
        ))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(survey_row!(row));
        }
        Ok(out)
    })
}

pub async fn survey(db: &Db, id: Uuid) -> AppResult<Option<SurveyRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(SURVEY_COLUMNS, " WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(survey_row!(&row)),
            None => None,
        })
    })
}

pub async fn survey_by_code(db: &Db, code: &str) -> AppResult<Option<SurveyRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(SURVEY_COLUMNS, " WHERE code = $1"))
            .bind(code)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(survey_row!(&row)),
            None => None,
        })
    })
}

/// What a coordinator sets on a survey (besides its questions).
#[derive(Debug, Clone)]
pub struct SurveyFields {
    pub code: String,
    pub title: Names,
    pub intro: Names,
    pub access: Access,
}

/// Creates a survey with no questions; `Conflict("survey-code-taken")` when the code is used.
pub async fn create_survey(
    db: &Db,
    id: Uuid,
    fields: SurveyFields,
    by: Uuid,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let taken = sqlx::query("SELECT 1 FROM surveys WHERE code = $1")
            .bind(&fields.code)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict("survey-code-taken"));
        }
        sqlx::query(
            "INSERT INTO surveys (id, code, title_uk, title_ru, title_en, intro_uk, intro_ru, \
             intro_en, questions, access, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id)
        .bind(&fields.code)
        .bind(&fields.title.uk)
        .bind(&fields.title.ru)
        .bind(&fields.title.en)
        .bind(&fields.intro.uk)
        .bind(&fields.intro.ru)
        .bind(&fields.intro.en)
        .bind(r#"{"questions":[]}"#)
        .bind(fields.access.code())
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

pub async fn update_survey(
    db: &Db,
    id: Uuid,
    fields: SurveyFields,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let taken = sqlx::query("SELECT 1 FROM surveys WHERE code = $1 AND id <> $2")
            .bind(&fields.code)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict("survey-code-taken"));
        }
        sqlx::query(
            "UPDATE surveys SET code = $2, title_uk = $3, title_ru = $4, title_en = $5, \
             intro_uk = $6, intro_ru = $7, intro_en = $8, access = $9, updated_at = $10 \
             WHERE id = $1",
        )
        .bind(id)
        .bind(&fields.code)
        .bind(&fields.title.uk)
        .bind(&fields.title.ru)
        .bind(&fields.title.en)
        .bind(&fields.intro.uk)
        .bind(&fields.intro.ru)
        .bind(&fields.intro.en)
        .bind(fields.access.code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Replaces the questionnaire, unless a wave already has answers (`Conflict("survey-locked")`)
/// or someone else saved it since `seen` (`Conflict("survey-changed")`).
pub async fn save_questions(
    db: &Db,
    id: Uuid,
    questionnaire: &Questionnaire,
    seen: OffsetDateTime,
    audited: Audited,
) -> AppResult<()> {
    let json = serde_json::to_string(questionnaire).map_err(AppError::internal)?;
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let answered = sqlx::query(
            "SELECT 1 FROM survey_responses s JOIN survey_waves w ON w.id = s.wave_id \
             WHERE w.survey_id = $1 LIMIT 1",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if answered.is_some() {
            return Err(AppError::Conflict("survey-locked"));
        }
        let done = sqlx::query(
            "UPDATE surveys SET questions = $2, updated_at = $3 WHERE id = $1 AND updated_at = $4",
        )
        .bind(id)
        .bind(&json)
        .bind(now)
        .bind(seen)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(AppError::Conflict("survey-changed"));
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Whether any wave of the survey has an answer (its questions are then locked).
pub async fn is_answered(db: &Db, survey_id: Uuid) -> AppResult<bool> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT 1 FROM survey_responses s JOIN survey_waves w ON w.id = s.wave_id \
             WHERE w.survey_id = $1 LIMIT 1",
        )
        .bind(survey_id)
        .fetch_optional(pool)
        .await?;
        Ok(row.is_some())
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaveStatus {
    Planned,
    Open,
    Closed,
}

impl WaveStatus {
    pub fn code(self) -> &'static str {
        match self {
            WaveStatus::Planned => "planned",
            WaveStatus::Open => "open",
            WaveStatus::Closed => "closed",
        }
    }

    pub fn from_code(code: &str) -> Option<WaveStatus> {
        match code {
            "planned" => Some(WaveStatus::Planned),
            "open" => Some(WaveStatus::Open),
            "closed" => Some(WaveStatus::Closed),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct WaveRow {
    pub id: Uuid,
    pub survey_id: Uuid,
    pub name: String,
    pub status: WaveStatus,
    pub opened_at: Option<OffsetDateTime>,
    pub closed_at: Option<OffsetDateTime>,
    pub published_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Answers stored so far, when counted (a count reads every answer's index entry: only
    /// the survey's own page asks for it).
    pub responses: Option<i64>,
}

const WAVE_COLUMNS: &str = "SELECT w.id, w.survey_id, w.name, w.status, w.opened_at, \
    w.closed_at, w.published_at, w.created_at, CAST(NULL AS BIGINT) AS responses \
    FROM survey_waves w";
const WAVE_COLUMNS_COUNTED: &str = "SELECT w.id, w.survey_id, w.name, w.status, w.opened_at, \
    w.closed_at, w.published_at, w.created_at, \
    (SELECT COUNT(*) FROM survey_responses s WHERE s.wave_id = w.id) AS responses \
    FROM survey_waves w";

macro_rules! wave_row {
    ($row:expr) => {{
        let row = $row;
        let status: String = row.try_get("status")?;
        WaveRow {
            id: row.try_get("id")?,
            survey_id: row.try_get("survey_id")?,
            name: row.try_get("name")?,
            status: WaveStatus::from_code(&status).unwrap_or(WaveStatus::Closed),
            opened_at: row.try_get("opened_at")?,
            closed_at: row.try_get("closed_at")?,
            published_at: row.try_get("published_at")?,
            created_at: row.try_get("created_at")?,
            responses: row.try_get("responses")?,
        }
    }};
}

/// The waves of a survey, oldest first (the order results compare in).
pub async fn waves(db: &Db, survey_id: Uuid) -> AppResult<Vec<WaveRow>> {
    waves_of(db, survey_id, false).await
}

/// The waves of a survey with their numbers of answers, for the survey's page.
pub async fn waves_counted(db: &Db, survey_id: Uuid) -> AppResult<Vec<WaveRow>> {
    waves_of(db, survey_id, true).await
}

async fn waves_of(db: &Db, survey_id: Uuid, counted: bool) -> AppResult<Vec<WaveRow>> {
    let sql = if counted {
        const_format::concatcp!(
            WAVE_COLUMNS_COUNTED,
            " WHERE w.survey_id = $1 ORDER BY w.created_at, w.id"
        )
    } else {
        const_format::concatcp!(
            WAVE_COLUMNS,
            " WHERE w.survey_id = $1 ORDER BY w.created_at, w.id"
        )
    };
    db_read!(db, |pool| {
        let rows = sqlx::query(sql).bind(survey_id).fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(wave_row!(row));
        }
        Ok(out)
    })
}

pub async fn wave(db: &Db, id: Uuid) -> AppResult<Option<WaveRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(const_format::concatcp!(WAVE_COLUMNS, " WHERE w.id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?;
        Ok(match row {
            Some(row) => Some(wave_row!(&row)),
            None => None,
        })
    })
}

/// The wave residents answer now: the survey's newest open wave (without counting its
/// answers: this is read on every answer).
pub async fn open_wave(db: &Db, survey_id: Uuid) -> AppResult<Option<WaveRow>> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT w.id, w.survey_id, w.name, w.status, w.opened_at, w.closed_at, \
             w.published_at, w.created_at, CAST(NULL AS BIGINT) AS responses FROM survey_waves w \
             WHERE w.survey_id = $1 AND w.status = 'open' ORDER BY w.created_at DESC, w.id DESC \
             LIMIT 1",
        )
        .bind(survey_id)
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            Some(row) => Some(wave_row!(&row)),
            None => None,
        })
    })
}

/// Waves whose results were published, newest first, with their survey's id.
pub async fn published_waves(db: &Db) -> AppResult<Vec<WaveRow>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(const_format::concatcp!(
            WAVE_COLUMNS,
            " WHERE w.published_at IS NOT NULL ORDER BY w.published_at DESC LIMIT 200"
        ))
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(wave_row!(row));
        }
        Ok(out)
    })
}

pub async fn create_wave(
    db: &Db,
    id: Uuid,
    survey_id: Uuid,
    name: String,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO survey_waves (id, survey_id, name, status, created_at) \
             VALUES ($1, $2, $3, 'planned', $4)",
        )
        .bind(id)
        .bind(survey_id)
        .bind(&name)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Opens or closes a wave (`Conflict` when it is not in the state `from`).
pub async fn set_wave_status(
    db: &Db,
    id: Uuid,
    from: WaveStatus,
    to: WaveStatus,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        let done = sqlx::query(
            "UPDATE survey_waves SET status = $3, \
             opened_at = CASE WHEN $3 = 'open' THEN $4 ELSE opened_at END, \
             closed_at = CASE WHEN $3 = 'closed' THEN $4 ELSE closed_at END \
             WHERE id = $1 AND status = $2",
        )
        .bind(id)
        .bind(from.code())
        .bind(to.code())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() != 1 {
            return Err(AppError::Conflict("survey-wave-state"));
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Publishes (`true`) or takes back (`false`) a wave's results.
pub async fn set_wave_published(
    db: &Db,
    id: Uuid,
    published: bool,
    audited: Audited,
) -> AppResult<()> {
    let at = published.then(OffsetDateTime::now_utc);
    db_write!(db, |conn| {
        sqlx::query("UPDATE survey_waves SET published_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut *conn)
            .await?;
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Stores keyed hashes of new invitation tokens of a wave.
pub async fn create_invitations(
    db: &Db,
    wave_id: Uuid,
    hashes: Vec<[u8; 32]>,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        for batch in hashes.chunks(500) {
            let mut q = QueryBuilder::new(
                "INSERT INTO survey_invitations (token_hash, wave_id, created_at) ",
            );
            q.push_values(batch, |mut b, hash| {
                b.push_bind(hash.to_vec()).push_bind(wave_id).push_bind(now);
            });
            q.build().execute(&mut *conn).await?;
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// Invitations of a wave: (made, used).
pub async fn invitation_counts(db: &Db, wave_id: Uuid) -> AppResult<(i64, i64)> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT COUNT(*) AS made, COUNT(used_at) AS used FROM survey_invitations \
             WHERE wave_id = $1",
        )
        .bind(wave_id)
        .fetch_one(pool)
        .await?;
        Ok((row.try_get("made")?, row.try_get("used")?))
    })
}

/// Whether an invitation of this wave exists and is unused.
pub async fn invitation_usable(db: &Db, wave_id: Uuid, hash: [u8; 32]) -> AppResult<bool> {
    db_read!(db, |pool| {
        let row = sqlx::query(
            "SELECT 1 FROM survey_invitations WHERE token_hash = $1 AND wave_id = $2 \
             AND used_at IS NULL",
        )
        .bind(hash.to_vec())
        .bind(wave_id)
        .fetch_optional(pool)
        .await?;
        Ok(row.is_some())
    })
}

/// One response ready to store.
#[derive(Debug, Clone)]
pub struct NewResponse {
    pub id: Uuid,
    pub wave_id: Uuid,
    pub channel: &'static str,
    pub answers_json: String,
    pub community: Option<String>,
    pub trust_score: Option<f64>,
    /// Keyed hash of the form token: a retry of the same form is not stored twice.
    pub submission_key: Option<[u8; 32]>,
    /// Keyed hash of the invitation token it uses up, if any.
    pub invitation: Option<[u8; 32]>,
    pub entered_by: Option<Uuid>,
    pub texts: Vec<(String, String)>,
    pub created_at: OffsetDateTime,
}

/// The rows of one response (either engine's connection).
macro_rules! insert_response_rows {
    ($conn:expr, $r:expr) => {{
        let r: &NewResponse = $r;
        sqlx::query(
            "INSERT INTO survey_responses (id, wave_id, channel, answers, community_code, \
             trust_score, submission_key, entered_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(r.id)
        .bind(r.wave_id)
        .bind(r.channel)
        .bind(&r.answers_json)
        .bind(&r.community)
        .bind(r.trust_score)
        .bind(r.submission_key.map(|k| k.to_vec()))
        .bind(r.entered_by)
        .bind(r.created_at)
        .execute(&mut *$conn)
        .await?;
        for (question, body) in &r.texts {
            sqlx::query(
                "INSERT INTO survey_text_answers (response_id, wave_id, question, body) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(r.id)
            .bind(r.wave_id)
            .bind(question)
            .bind(body)
            .execute(&mut *$conn)
            .await?;
        }
    }};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    New,
    /// The same submission was stored before (a retry).
    Replayed,
}

/// Stores one response in one transaction: the invitation used up (`Conflict
/// ("survey-invitation-used")` if it is not usable), the answers, the text answers. The wave must
/// be open for residents; staff may enter answers into a closed wave (late paper forms).
pub async fn insert_response(
    db: &Db,
    response: NewResponse,
    require_open: bool,
) -> AppResult<Stored> {
    db_write!(db, |conn| {
        if let Some(key) = response.submission_key {
            let seen = sqlx::query("SELECT 1 FROM survey_responses WHERE submission_key = $1")
                .bind(key.to_vec())
                .fetch_optional(&mut *conn)
                .await?;
            if seen.is_some() {
                return Ok(Stored::Replayed);
            }
        }
        let status = sqlx::query("SELECT status FROM survey_waves WHERE id = $1")
            .bind(response.wave_id)
            .fetch_optional(&mut *conn)
            .await?;
        let status: Option<String> = match status {
            Some(row) => Some(row.try_get("status")?),
            None => None,
        };
        match status.as_deref() {
            None => return Err(AppError::NotFound),
            Some("open") => {}
            Some(_) if require_open => return Err(AppError::Conflict("survey-wave-closed")),
            Some(_) => {}
        }
        if let Some(hash) = response.invitation {
            let used = sqlx::query(
                "UPDATE survey_invitations SET used_at = $3 WHERE token_hash = $1 \
                 AND wave_id = $2 AND used_at IS NULL",
            )
            .bind(hash.to_vec())
            .bind(response.wave_id)
            .bind(response.created_at)
            .execute(&mut *conn)
            .await?;
            if used.rows_affected() != 1 {
                return Err(AppError::Conflict("survey-invitation-used"));
            }
        }
        insert_response_rows!(conn, &response);
        Ok(Stored::New)
    })
}

/// Stores many responses (a CSV import) in one transaction: all or none.
pub async fn insert_responses(
    db: &Db,
    responses: Vec<NewResponse>,
    audited: Audited,
) -> AppResult<()> {
    db_write!(db, |conn| {
        for response in &responses {
            insert_response_rows!(conn, response);
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

/// A stored response as the results read it.
#[derive(Debug, Clone)]
pub struct StoredResponse {
    pub id: Uuid,
    pub answers_json: String,
    pub channel: String,
    pub created_at: OffsetDateTime,
}

/// Responses of a wave after `after` in id order (ids are UUIDv7: the order stored), at most
/// `limit`.
pub async fn responses_after(
    db: &Db,
    wave_id: Uuid,
    after: Uuid,
    limit: i64,
) -> AppResult<Vec<StoredResponse>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT id, answers, channel, created_at FROM survey_responses \
             WHERE wave_id = $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(wave_id)
        .bind(after)
        .bind(limit)
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(StoredResponse {
                id: row.try_get("id")?,
                answers_json: row.try_get("answers")?,
                channel: row.try_get("channel")?,
                created_at: row.try_get("created_at")?,
            });
        }
        Ok(out)
    })
}

pub async fn response_count(db: &Db, wave_id: Uuid) -> AppResult<i64> {
    db_read!(db, |pool| {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM survey_responses WHERE wave_id = $1")
            .bind(wave_id)
            .fetch_one(pool)
            .await?;
        Ok(row.try_get("n")?)
    })
}

/// Text answers to one question, newest first (`limit + 1`, to know of a next page).
pub async fn text_answers(
    db: &Db,
    wave_id: Uuid,
    question: &str,
    limit: i64,
    offset: i64,
) -> AppResult<Vec<String>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT body FROM survey_text_answers WHERE wave_id = $1 AND question = $2 \
             ORDER BY response_id DESC LIMIT $3 OFFSET $4",
        )
        .bind(wave_id)
        .bind(question)
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("body").map_err(AppError::from))
            .collect()
    })
}

/// Population of each community that has one set (for weighting).
pub async fn populations(db: &Db) -> AppResult<Vec<(String, f64)>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT code, population FROM communities WHERE population IS NOT NULL \
             AND population > 0",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let population: i64 = row.try_get("population")?;
            out.push((row.try_get("code")?, population as f64));
        }
        Ok(out)
    })
}

#[derive(Debug, Clone)]
pub struct FocusGroupRow {
    pub id: Uuid,
    pub held_on: Date,
    pub community: Option<String>,
    pub topic: String,
    pub moderator: String,
    pub participants: i64,
    pub profile: String,
    pub notes: String,
    pub themes: Vec<String>,
}

/// What a coordinator records of a focus group.
#[derive(Debug, Clone)]
pub struct FocusGroupFields {
    pub held_on: Date,
    pub community: Option<String>,
    pub topic: String,
    pub moderator: String,
    pub participants: i64,
    pub profile: String,
    pub notes: String,
    pub themes: Vec<String>,
}

/// Creates (when `id` is new) or replaces a focus group's record and its themes.
pub async fn save_focus_group(
    db: &Db,
    id: Uuid,
    fields: FocusGroupFields,
    by: Uuid,
    audited: Audited,
) -> AppResult<()> {
    let now = OffsetDateTime::now_utc();
    db_write!(db, |conn| {
        sqlx::query(
            "INSERT INTO focus_groups (id, held_on, community_code, topic, moderator, \
             participants, profile, notes, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) \
             ON CONFLICT (id) DO UPDATE SET held_on = excluded.held_on, \
             community_code = excluded.community_code, topic = excluded.topic, \
             moderator = excluded.moderator, participants = excluded.participants, \
             profile = excluded.profile, notes = excluded.notes, updated_at = excluded.updated_at",
        )
        .bind(id)
        .bind(fields.held_on)
        .bind(&fields.community)
        .bind(&fields.topic)
        .bind(&fields.moderator)
        .bind(fields.participants)
        .bind(&fields.profile)
        .bind(&fields.notes)
        .bind(by)
        .bind(now)
        .execute(&mut *conn)
        .await?;
        sqlx::query("DELETE FROM focus_group_themes WHERE focus_group_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await?;
        for theme in &fields.themes {
            sqlx::query("INSERT INTO focus_group_themes (focus_group_id, theme) VALUES ($1, $2)")
                .bind(id)
                .bind(theme)
                .execute(&mut *conn)
                .await?;
        }
        crate::append_audited!(conn, audited);
        Ok(())
    })
}

pub async fn focus_group(db: &Db, id: Uuid) -> AppResult<Option<FocusGroupRow>> {
    Ok(focus_groups_where(db, None, Some(id)).await?.pop())
}

/// Focus groups, latest first, optionally only those with a theme.
pub async fn focus_groups(db: &Db, theme: Option<&str>) -> AppResult<Vec<FocusGroupRow>> {
    focus_groups_where(db, theme, None).await
}

async fn focus_groups_where(
    db: &Db,
    theme: Option<&str>,
    id: Option<Uuid>,
) -> AppResult<Vec<FocusGroupRow>> {
    let theme = theme.map(str::to_string);
    db_read!(db, |pool| {
        let mut q = QueryBuilder::new(
            "SELECT g.id, g.held_on, g.community_code, g.topic, g.moderator, g.participants, \
             g.profile, g.notes FROM focus_groups g WHERE 1 = 1",
        );
        if let Some(theme) = &theme {
            q.push(
                " AND EXISTS (SELECT 1 FROM focus_group_themes t WHERE t.focus_group_id = g.id \
                 AND t.theme = ",
            )
            .push_bind(theme.clone())
            .push(")");
        }
        if let Some(id) = id {
            q.push(" AND g.id = ").push_bind(id);
        }
        q.push(" ORDER BY g.held_on DESC, g.id DESC LIMIT 500");
        let rows = q.build().fetch_all(pool).await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push(FocusGroupRow {
                id: row.try_get("id")?,
                held_on: row.try_get("held_on")?,
                community: row.try_get("community_code")?,
                topic: row.try_get("topic")?,
                moderator: row.try_get("moderator")?,
                participants: row.try_get("participants")?,
                profile: row.try_get("profile")?,
                notes: row.try_get("notes")?,
                themes: Vec::new(),
            });
        }
        if !out.is_empty() {
            let mut q = QueryBuilder::new(
                "SELECT focus_group_id, theme FROM focus_group_themes WHERE focus_group_id IN (",
            );
            let mut list = q.separated(", ");
            for g in &out {
                list.push_bind(g.id);
            }
            q.push(") ORDER BY theme");
            for row in q.build().fetch_all(pool).await? {
                let id: Uuid = row.try_get("focus_group_id")?;
                let theme: String = row.try_get("theme")?;
                if let Some(g) = out.iter_mut().find(|g| g.id == id) {
                    g.themes.push(theme);
                }
            }
        }
        Ok(out)
    })
}

/// Each theme with the number of focus groups that raised it, most frequent first.
pub async fn theme_counts(db: &Db) -> AppResult<Vec<(String, i64)>> {
    db_read!(db, |pool| {
        let rows = sqlx::query(
            "SELECT theme, COUNT(*) AS n FROM focus_group_themes GROUP BY theme \
             ORDER BY n DESC, theme LIMIT 200",
        )
        .fetch_all(pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            out.push((row.try_get("theme")?, row.try_get("n")?));
        }
        Ok(out)
    })
}
