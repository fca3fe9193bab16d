//! `mistok backup` and `mistok restore`: a consistent copy of a running platform, and bringing it
//! back.
//!
//! A backup is a folder: the database (SQLite: a snapshot made by `VACUUM INTO`, which reads one
//! consistent state while the server goes on writing; PostgreSQL: `pg_dump`'s custom format, one
//! consistent snapshot too), the attachments, and `backup.json` describing it. The database is
//! copied first and the attachments after: an attachment is stored before the report that names
//! it commits and never changes afterwards, so every attachment the copied database names is in
//! the copy (files added meanwhile are merely extra).
//!
//! The master secret is not copied unless asked for (`--include-secret`): without it the sealed
//! data of a backup cannot be read, which is the point of keeping it elsewhere.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::config::Config;

const DATABASE_FILE: &str = "mistok.db";
const DUMP_FILE: &str = "mistok.pgdump";
const BLOBS_DIR: &str = "blobs";
const SECRET_FILE: &str = "secret.key";
const MANIFEST: &str = "backup.json";

/// What a backup holds, written beside it as `backup.json`.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// Of this description; a later program reads older backups.
    pub format: u32,
    /// `sqlite` or `postgres`.
    pub engine: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// The program that made it.
    pub mistok_version: String,
    pub attachments: usize,
    pub includes_secret: bool,
}

/// Makes a backup of the platform `config` points at into the folder `to` (which must be empty
/// or not exist yet).
pub async fn backup(config: &Config, to: &Path, include_secret: bool) -> anyhow::Result<Manifest> {
    if to.exists()
        && std::fs::read_dir(to)
            .with_context(|| format!("reading {}", to.display()))?
            .next()
            .is_some()
    {
        bail!(
            "{} is not empty: a backup goes into a new folder",
            to.display()
        );
    }
    std::fs::create_dir_all(to).with_context(|| format!("creating {}", to.display()))?;
    let engine = match config.embedded_database_file() {
        Some(file) => {
            if !file.exists() {
                bail!("no database at {}", file.display());
            }
            snapshot_sqlite(&file, &to.join(DATABASE_FILE)).await?;
            "sqlite"
        }
        None => {
            let url = config.effective_database_url();
            run(Command::new("pg_dump")
                .arg("--format=custom")
                .arg("--no-owner")
                .arg("--file")
                .arg(to.join(DUMP_FILE))
                .arg("--dbname")
                .arg(&url))
            .context("pg_dump (PostgreSQL's client tools must be installed)")?;
            "postgres"
        }
    };
    // Attachments in an S3 bucket are backed up by the storage's own means (versioning,
    // replication); a local folder is copied here.
    let attachments = if config.s3().is_some() {
        0
    } else {
        copy_tree(&config.blob_dir(), &to.join(BLOBS_DIR), false)?
    };
    let secret = config.secret_key_path();
    if include_secret {
        if config.secret_key.is_some() || !secret.exists() {
            bail!("the master secret is set in the configuration, not in a file: keep it there");
        }
        std::fs::copy(&secret, to.join(SECRET_FILE)).context("copying the master secret")?;
    }
    let manifest = Manifest {
        format: 1,
        engine: engine.to_string(),
        created_at: time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        mistok_version: env!("CARGO_PKG_VERSION").to_string(),
        attachments,
        includes_secret: include_secret,
    };
    std::fs::write(to.join(MANIFEST), serde_json::to_vec_pretty(&manifest)?)
        .context("writing backup.json")?;
    sync_dir(to)?;
    Ok(manifest)
}

/// Brings the backup in `from` back into the platform `config` points at. The target must be
/// empty unless `force` (then its database is replaced). Migrations of this program are applied
/// afterwards, so an older backup comes back in today's shape.
pub async fn restore(config: &Config, from: &Path, force: bool) -> anyhow::Result<Manifest> {
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(from.join(MANIFEST))
            .with_context(|| format!("{} is not a Mistok backup", from.display()))?,
    )
    .context("reading backup.json")?;
    if manifest.format != 1 {
        bail!(
            "backup format {} is newer than this program",
            manifest.format
        );
    }
    match (config.embedded_database_file(), manifest.engine.as_str()) {
        (Some(file), "sqlite") => {
            if file.exists() && !force {
                bail!(
                    "{} exists: stop the server and restore with --force to replace it",
                    file.display()
                );
            }
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            // A copy next to the database, then a rename: never a half-written database.
            let partial = file.with_extension("db.restoring");
            std::fs::copy(from.join(DATABASE_FILE), &partial).context("copying the database")?;
            std::fs::File::open(&partial)?.sync_all()?;
            for stale in ["db-wal", "db-shm"] {
                let path = file.with_extension(stale);
                if path.exists() {
                    std::fs::remove_file(&path)?;
                }
            }
            std::fs::rename(&partial, &file)?;
            if let Some(dir) = file.parent() {
                sync_dir(dir)?;
            }
        }
        (None, "postgres") => {
            let url = config.effective_database_url();
            if !force && has_tables(&url).await? {
                bail!("the database is not empty: restore with --force to replace its contents");
            }
            run(Command::new("pg_restore")
                .arg("--clean")
                .arg("--if-exists")
                .arg("--no-owner")
                .arg("--exit-on-error")
                .arg("--dbname")
                .arg(&url)
                .arg(from.join(DUMP_FILE)))
            .context("pg_restore (PostgreSQL's client tools must be installed)")?;
        }
        (_, engine) => bail!(
            "the backup is of {engine}; configure the same engine to restore it (data_dir for \
             sqlite, database_url for postgres)"
        ),
    }
    copy_tree(&from.join(BLOBS_DIR), &config.blob_dir(), true)?;
    let secret = from.join(SECRET_FILE);
    let target = config.secret_key_path();
    if secret.exists() && config.secret_key.is_none() {
        if target.exists() {
            if std::fs::read(&target)? != std::fs::read(&secret)? {
                bail!(
                    "{} holds another master secret; the backup's would not be usable with it",
                    target.display()
                );
            }
        } else {
            std::fs::copy(&secret, &target)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    // Today's migrations on the restored store.
    crate::db::Db::connect(&config.effective_database_url())
        .await
        .context("opening the restored database")?;
    Ok(manifest)
}

/// A consistent copy of a live SQLite database: `VACUUM INTO` reads one snapshot (WAL mode lets
/// writers go on meanwhile) and writes a compact file.
async fn snapshot_sqlite(file: &Path, to: &Path) -> anyhow::Result<()> {
    use sqlx::Connection;
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(file)
        .read_only(true)
        .busy_timeout(std::time::Duration::from_secs(30));
    let mut conn = sqlx::SqliteConnection::connect_with(&options)
        .await
        .context("opening the database to copy it")?;
    sqlx::query("VACUUM INTO $1")
        .bind(to.to_string_lossy().into_owned())
        .execute(&mut conn)
        .await
        .context("copying the database (VACUUM INTO)")?;
    conn.close().await.ok();
    std::fs::File::open(to)?.sync_all()?;
    Ok(())
}

async fn has_tables(url: &str) -> anyhow::Result<bool> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url)
        .await
        .context("connecting to PostgreSQL")?;
    let found: Option<String> = sqlx::query_scalar("SELECT to_regclass('reports')::text")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await.ok();
    Ok(found.is_some())
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let output = command.output()?;
    if !output.status.success() {
        // The tools' messages name tables and options, not data.
        bail!(
            "{} failed: {}",
            command.get_program().to_string_lossy(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Copies the files under `from` to `to` (made durable), keeping the layout; returns how many.
/// With `skip_existing`, files already at the target stay (attachments never change).
fn copy_tree(from: &Path, to: &Path, skip_existing: bool) -> anyhow::Result<usize> {
    if !from.exists() {
        return Ok(0);
    }
    let mut copied = 0;
    let mut pending: Vec<(PathBuf, PathBuf)> = vec![(from.to_path_buf(), to.to_path_buf())];
    while let Some((source, target)) = pending.pop() {
        std::fs::create_dir_all(&target)?;
        for entry in std::fs::read_dir(&source)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let destination = target.join(entry.file_name());
            if kind.is_dir() {
                pending.push((entry.path(), destination));
            } else if kind.is_file() {
                if skip_existing && destination.exists() {
                    continue;
                }
                std::fs::copy(entry.path(), &destination)?;
                std::fs::File::open(&destination)?.sync_all()?;
                copied += 1;
            }
        }
        sync_dir(&target)?;
    }
    Ok(copied)
}

fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)?.sync_all()?;
    Ok(())
}
