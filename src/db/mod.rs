//! The store: one enum over the two engines, chosen from the URL at start. Every store method
//! matches on it, so an engine left out is a compile error.

pub mod writer;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection, PgPool, SqlitePool};

pub use writer::GroupWriter;

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// The most of the store's file a reader maps (256 GiB; SQLite maps at most the file's size).
const READER_MMAP_SIZE: &str = "274877906944";

#[derive(Clone)]
pub enum Db {
    Sqlite(Arc<SqliteDb>),
    Postgres(PgPool),
}

/// SQLite: a pool of read-only connections for reads, one writer task for all writes.
pub struct SqliteDb {
    pub read: SqlitePool,
    pub writer: GroupWriter,
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database URL: {0}")]
    Url(String),
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Connects and applies pending migrations (safe when several servers start at once:
    /// PostgreSQL migrations run under an advisory lock, SQLite's under the write lock).
    pub async fn connect(url: &str) -> Result<Db, DbError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)
                .map_err(|e| DbError::Url(e.to_string()))?
                .log_statements(tracing::log::LevelFilter::Trace);
            let pool = PgPoolOptions::new()
                .max_connections(32)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            POSTGRES_MIGRATIONS.run(&pool).await?;
            Ok(Db::Postgres(pool))
        } else if url.starts_with("sqlite:") {
            let base = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbError::Url(e.to_string()))?
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit is on disk when it returns, even across power loss.
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                // Statement and savepoint journals in memory: they never need to survive a crash.
                .pragma("temp_store", "memory")
                .busy_timeout(Duration::from_secs(10))
                .log_statements(tracing::log::LevelFilter::Trace);
            if let Some(parent) = base.get_filename().parent() {
                std::fs::create_dir_all(parent).map_err(|e| DbError::Url(e.to_string()))?;
            }
            let mut conn = base.clone().create_if_missing(true).connect().await?;
            SQLITE_MIGRATIONS.run(&mut conn).await?;
            let read = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(
                    base.read_only(true)
                        // Readers map the file instead of copying each page with a system call
                        // (large reads such as exports spend most of their time there), and
                        // keep a larger cache of their own. SQLite maps at most the file's size;
                        // the build's own cap is raised in .cargo/config.toml.
                        .pragma("mmap_size", READER_MMAP_SIZE)
                        .pragma("cache_size", "-16384")
                        // Rows handed from SQLite's thread in batches rather than one by one.
                        .row_buffer_size(1024),
                )
                .await?;
            Ok(Db::Sqlite(Arc::new(SqliteDb {
                read,
                writer: GroupWriter::start(conn),
            })))
        } else {
            Err(DbError::Url(
                "expected postgres://… or sqlite://… (or no URL for the embedded default)".into(),
            ))
        }
    }

    /// Answers once the store answers a query: used by `/healthz`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        match self {
            Db::Sqlite(db) => {
                let mut conn = db.read.acquire().await?;
                conn.ping().await
            }
            Db::Postgres(pool) => {
                let mut conn = pool.acquire().await?;
                conn.ping().await
            }
        }
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Db::Sqlite(_) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}

/// Runs `$body` in one transaction on either engine: on SQLite as a job of the group-commit
/// writer, on PostgreSQL in a pool transaction. `$conn` is a `&mut SqliteConnection` or a
/// `&mut PgConnection`, so portable SQL is written once. The body returns `AppResult<T>`; an
/// error rolls the transaction back. `guarded = false` (SQLite: no savepoint around the job) is
/// for bodies that execute at most one writing statement.
#[macro_export]
macro_rules! db_write {
    ($db:expr, |$conn:ident| $body:block) => {
        $crate::db_write!($db, guarded = true, |$conn| $body)
    };
    ($db:expr, guarded = $guarded:expr, |$conn:ident| $body:block) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                sqlite
                    .writer
                    .write($guarded, move |$conn: &mut ::sqlx::SqliteConnection| {
                        ::std::boxed::Box::pin(async move { $body })
                    })
                    .await
            }
            $crate::db::Db::Postgres(pool) => {
                let mut tx = pool.begin().await.map_err($crate::error::AppError::from)?;
                let outcome: $crate::error::AppResult<_> = {
                    let $conn: &mut ::sqlx::PgConnection = &mut *tx;
                    async { $body }.await
                };
                match outcome {
                    Ok(value) => {
                        tx.commit().await.map_err($crate::error::AppError::from)?;
                        Ok(value)
                    }
                    Err(err) => Err(err),
                }
            }
        }
    };
}

/// Runs `$body` with `$pool` bound to the engine's read pool (`&SqlitePool` or `&PgPool`).
#[macro_export]
macro_rules! db_read {
    ($db:expr, |$pool:ident| $body:block) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                let $pool = &sqlite.read;
                $body
            }
            $crate::db::Db::Postgres(pg) => {
                let $pool = pg;
                $body
            }
        }
    };
}

/// The few statements that differ between the engines, chosen by the connection's type so that a
/// `db_write!` body stays one piece of code (the same binds, in the same order).
pub trait Dialect {
    /// Inserts a report, numbering it in the same statement: `$2` is the reference's prefix
    /// (`DN-2026-`), to which the zero-padded number is appended. Returns `reference`, or no row
    /// when the idempotency key exists already.
    const INSERT_REPORT: &'static str;

    /// Serializes appends to the audit chain until the transaction ends (see `audit::store`).
    const LOCK_AUDIT_CHAIN: &'static str;
}

/// Key of the PostgreSQL advisory lock of the audit chain ("mistokau" in ASCII); any fixed
/// number works as long as nothing else locks it.
pub const AUDIT_CHAIN_LOCK_KEY: i64 = 0x6d69_7374_6f6b_6175;

// `ON CONFLICT DO NOTHING` names no index on purpose: a retry's receipt is derived from its
// idempotency key, so two racing copies of one submission collide on `receipt_hash` as well as
// on `idempotency_hash`, and PostgreSQL raises a unique violation for a collision on an index
// the conflict target leaves out (whichever index it happens to check first). Any collision
// means "already stored"; the caller then finds the stored copy by its idempotency key.
const REPORT_COLUMNS: &str = "id, seq, reference, kind, category_code, community_code, place, \
    lat, lon, occurred_at, description, involved_unit, involved_badge, witnesses_sealed, \
    contact_sealed, consent_contact, consent_publish, channel, language, status, receipt_hash, \
    idempotency_hash, request_fingerprint, created_at, updated_at, search_text, received_month";

impl Dialect for sqlx::SqliteConnection {
    // Safe without a sequence: every SQLite write runs on the one writer task. `MAX(seq)` stands
    // alone in its subquery so that SQLite answers it from the index instead of a full scan.
    const INSERT_REPORT: &'static str = const_format::concatcp!(
        "WITH next AS (SELECT COALESCE((SELECT MAX(seq) FROM reports), 0) + 1 AS seq) \
         INSERT INTO reports (",
        REPORT_COLUMNS,
        ") \
         SELECT $1, next.seq, $2 || printf('%06d', next.seq), $3, $4, $5, $6, $7, $8, $9, $10, \
         $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23, $24, $25 FROM next WHERE true \
         ON CONFLICT DO NOTHING RETURNING reference"
    );

    // Nothing to lock: every SQLite write already runs on the one writer task.
    const LOCK_AUDIT_CHAIN: &'static str = "SELECT 1";
}

impl Dialect for sqlx::PgConnection {
    const INSERT_REPORT: &'static str = const_format::concatcp!(
        "WITH next AS (SELECT nextval('report_seq') AS seq) \
         INSERT INTO reports (",
        REPORT_COLUMNS,
        ") \
         SELECT $1, next.seq, $2 || CASE WHEN next.seq < 1000000 THEN lpad(next.seq::text, 6, '0') \
         ELSE next.seq::text END, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
         $17, $18, $19, $20, $21, $22, $23, $23, $24, $25 FROM next \
         ON CONFLICT DO NOTHING RETURNING reference"
    );

    // Several app servers may append at once; the lock is released at COMMIT or ROLLBACK.
    const LOCK_AUDIT_CHAIN: &'static str =
        const_format::concatcp!("SELECT pg_advisory_xact_lock(", AUDIT_CHAIN_LOCK_KEY, ")");
}

/// Which engine a pool or connection belongs to, for [`by_engine`].
pub trait Engine {
    const SQLITE: bool;
}

impl Engine for sqlx::SqliteConnection {
    const SQLITE: bool = true;
}
impl Engine for SqlitePool {
    const SQLITE: bool = true;
}
impl Engine for sqlx::PgConnection {
    const SQLITE: bool = false;
}
impl Engine for PgPool {
    const SQLITE: bool = false;
}

/// Whether `at` (a `db_read!` pool or a `db_write!` connection) is SQLite's.
pub fn is_sqlite<E: Engine + ?Sized>(_at: &E) -> bool {
    E::SQLITE
}

/// The statement for the engine of `at` (the `pool` of a `db_read!` body or the `conn` of a
/// `db_write!` body), so that a store keeps both spellings of a statement that must differ side
/// by side, and the rest of the body stays one piece of code.
pub fn by_engine<E: Engine + ?Sized>(
    _at: &E,
    sqlite: &'static str,
    postgres: &'static str,
) -> &'static str {
    if E::SQLITE { sqlite } else { postgres }
}

/// The engine's statement of `D`, for use inside `db_write!` bodies: `dialect(&*conn).INSERT_REPORT`
/// cannot be written on a reference, so this reads it off the connection's type.
pub fn insert_report_sql<C: Dialect>(_: &C) -> &'static str {
    C::INSERT_REPORT
}

/// A query builder for the engine of `pool` (a `db_read!` body's), so that one body builds the
/// statement for either.
pub fn query_builder<DB: sqlx::Database>(
    _pool: &sqlx::Pool<DB>,
    sql: &str,
) -> sqlx::QueryBuilder<DB> {
    sqlx::QueryBuilder::new(sql)
}

/// Binding a moment the way the engine compares it: SQLite keeps moments as RFC 3339 text in UTC
/// (`…T10:00:00.123Z`), so bounds are bound as text with nine fraction digits, and text order is
/// time order for every stored value; PostgreSQL compares `timestamptz`.
pub trait PushMoment {
    fn push_moment(&mut self, at: time::OffsetDateTime) -> &mut Self;
}

impl PushMoment for sqlx::QueryBuilder<sqlx::Sqlite> {
    fn push_moment(&mut self, at: time::OffsetDateTime) -> &mut Self {
        self.push_bind(moment_text(at))
    }
}

/// A moment as text that compares with SQLite's stored moments in time order (UTC, nine
/// fraction digits), and that PostgreSQL reads as a `timestamptz` (`CAST($1 AS TIMESTAMPTZ)`).
pub fn moment_text(at: time::OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second(),
        at.nanosecond()
    )
}

impl PushMoment for sqlx::QueryBuilder<sqlx::Postgres> {
    fn push_moment(&mut self, at: time::OffsetDateTime) -> &mut Self {
        self.push_bind(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SQLite silently lowers `mmap_size` to the cap it was built with (2 GB unless
    /// `.cargo/config.toml` raises it): a store past that size would be read by system calls.
    #[tokio::test]
    async fn readers_map_a_store_larger_than_two_gigabytes() {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = format!("sqlite://{}", dir.path().join("mistok.db").display());
        let Db::Sqlite(db) = Db::connect(&url).await.expect("store") else {
            panic!("a sqlite URL gives the SQLite store");
        };
        let mapped: i64 = sqlx::query_scalar("PRAGMA mmap_size")
            .fetch_one(&db.read)
            .await
            .expect("pragma");
        assert_eq!(mapped.to_string(), READER_MMAP_SIZE);
    }
}
