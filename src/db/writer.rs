//! The SQLite group-commit writer. SQLite allows one writer at a time and a durable commit costs
//! an fsync, so every write of the process goes through one task that owns the write connection
//! and runs all jobs waiting at that moment in one transaction: durability costs one fsync per
//! batch, not per report. Each job runs inside its own savepoint, so a failing job is rolled back
//! alone and its caller gets its own error, while the others commit.
//!
//! A job's caller is answered only after the batch's COMMIT returned, i.e. after the data is on
//! disk (the connection uses `synchronous=FULL` in WAL mode).

use futures_util::future::BoxFuture;
use sqlx::SqliteConnection;
use tokio::sync::{mpsc, oneshot};

use crate::error::{AppError, AppResult};

/// Answers a job's caller once the fate of its batch is known.
type Completion = Box<dyn FnOnce(Result<(), AppError>) + Send>;
type JobFn =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, (bool, Completion)> + Send>;

struct Job {
    run: JobFn,
    /// Run inside its own savepoint. A job that executes at most one writing statement needs
    /// none: SQLite undoes a failed statement by itself, and the savepoint's two extra round
    /// trips to the connection's thread are most of the cost of a small write.
    guarded: bool,
}

/// Most jobs in one transaction; bounds the latency a batch adds to its last job.
const MAX_BATCH: usize = 512;
/// Jobs waiting beyond this make callers wait for room (back-pressure instead of unbounded memory).
const QUEUE_CAPACITY: usize = 8192;

#[derive(Clone)]
pub struct GroupWriter {
    jobs: mpsc::Sender<Job>,
}

impl GroupWriter {
    /// Starts the writer task on `conn`, which must already be configured (WAL, synchronous).
    pub fn start(conn: SqliteConnection) -> GroupWriter {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        tokio::spawn(run(conn, rx));
        GroupWriter { jobs: tx }
    }

    /// Runs `f` inside the next batch's transaction and returns its result after the batch
    /// committed durably. An error from `f` rolls back only `f`'s own changes; pass
    /// `guarded = false` only when `f` executes at most one writing statement.
    pub async fn write<T, F>(&self, guarded: bool, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, AppResult<T>> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<AppResult<T>>();
        let run: JobFn = Box::new(move |conn: &mut SqliteConnection| {
            Box::pin(async move {
                let outcome = f(conn).await;
                let succeeded = outcome.is_ok();
                let completion: Completion = Box::new(move |commit: Result<(), AppError>| {
                    let result = match (outcome, commit) {
                        (Ok(value), Ok(())) => Ok(value),
                        (Err(err), _) => Err(err),
                        (Ok(_), Err(err)) => Err(err),
                    };
                    // The caller may have gone away (client disconnected); the write stands.
                    let _ = reply.send(result);
                });
                (succeeded, completion)
            })
        });
        self.jobs
            .send(Job { run, guarded })
            .await
            .map_err(|_| AppError::internal("the database writer has stopped"))?;
        answer
            .await
            .map_err(|_| AppError::internal("the database writer dropped a job"))?
    }
}

async fn run(mut conn: SqliteConnection, mut rx: mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        // Take whatever else is already waiting: under load jobs pile up during the previous
        // commit's fsync, which is exactly what makes the batches large.
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        run_batch(&mut conn, &mut batch).await;
    }
    tracing::info!("database writer stopped");
}

async fn run_batch(conn: &mut SqliteConnection, batch: &mut Vec<Job>) {
    let mut completions: Vec<Completion> = Vec::with_capacity(batch.len());
    let outcome: Result<(), sqlx::Error> = async {
        sqlx::query("BEGIN IMMEDIATE").execute(&mut *conn).await?;
        for job in batch.drain(..) {
            if !job.guarded {
                let (_, completion) = (job.run)(conn).await;
                completions.push(completion);
                continue;
            }
            sqlx::query("SAVEPOINT job").execute(&mut *conn).await?;
            let (succeeded, completion) = (job.run)(conn).await;
            completions.push(completion);
            if !succeeded {
                sqlx::query("ROLLBACK TO job").execute(&mut *conn).await?;
            }
            sqlx::query("RELEASE job").execute(&mut *conn).await?;
        }
        sqlx::query("COMMIT").execute(&mut *conn).await?;
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => completions.into_iter().for_each(|done| done(Ok(()))),
        Err(err) => {
            // Jobs not yet run were dropped with the drain; their callers see the writer's error.
            tracing::error!(error = %err, "write batch failed; rolled back");
            let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
            batch.clear();
            for done in completions {
                done(Err(AppError::internal(format!(
                    "write batch failed: {err}"
                ))));
            }
        }
    }
}
