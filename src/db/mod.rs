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
                .connect_with(base.read_only(true))
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
/// error rolls the transaction back.
#[macro_export]
macro_rules! db_write {
    ($db:expr, |$conn:ident| $body:block) => {
        match $db {
            $crate::db::Db::Sqlite(sqlite) => {
                sqlite
                    .writer
                    .write(move |$conn: &mut ::sqlx::SqliteConnection| {
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

/// The few SQL fragments that differ between the engines, chosen by the connection's type so
/// that a `db_write!` body stays one piece of code.
pub trait Dialect {
    /// Yields the next report sequence number inside the current transaction.
    const NEXT_REPORT_SEQ: &'static str;
}

impl Dialect for sqlx::SqliteConnection {
    // Safe without a sequence: every SQLite write runs on the one writer task.
    const NEXT_REPORT_SEQ: &'static str = "SELECT COALESCE(MAX(seq), 0) + 1 FROM reports";
}

impl Dialect for sqlx::PgConnection {
    const NEXT_REPORT_SEQ: &'static str = "SELECT nextval('report_seq')";
}

/// The dialect of a connection, for use inside `db_write!` bodies.
pub fn dialect_of<C: Dialect>(_: &C) -> &'static str {
    C::NEXT_REPORT_SEQ
}
