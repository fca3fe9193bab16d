//! Background jobs: escalation of overdue referrals, reminders of joint receptions' bookings,
//! retention (identifying data of long-ended cases deleted), then delivery of queued e-mails.
//!
//! They run in every `mistok serve` (every `jobs_interval_secs`) and from `mistok jobs run-once`
//! (cron). App servers are stateless, so nothing here holds state between runs: each run claims
//! its work in the database (a referral is escalated by the one run whose conditional update
//! marks it; an e-mail is sent by the one run that leased it), and any number of servers may run
//! the jobs at once.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::AppResult;
use crate::state::AppState;

/// E-mails sent per run at most; the rest wait for the next run.
pub const MAILS_PER_RUN: usize = 200;

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct JobsReport {
    pub escalated: usize,
    /// Reminders of reception bookings queued.
    pub reminded: usize,
    /// Cases whose identifying data the retention rule deleted.
    pub purged: usize,
    pub sent: usize,
    pub failed: usize,
}

/// One run of every job. Those that queue e-mails first, so that their e-mails leave in the
/// same run.
pub async fn run_once(state: &AppState) -> AppResult<JobsReport> {
    let escalated = crate::referrals::service::escalate_overdue(state).await?;
    let reminded =
        crate::receptions::service::queue_reminders(state, time::OffsetDateTime::now_utc()).await?;
    let purged = crate::retention::purge_due(state, time::OffsetDateTime::now_utc()).await?;
    let sending = crate::notify::service::send_due(state, MAILS_PER_RUN).await?;
    Ok(JobsReport {
        escalated,
        reminded,
        purged: purged.cases,
        sent: sending.sent,
        failed: sending.failed,
    })
}

/// The jobs running in the background of a server; stopped with [`Jobs::stop`].
pub struct Jobs {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

/// Runs the jobs now and then every `jobs_interval_secs`, or not at all when it is 0.
pub fn spawn(state: AppState) -> Option<Jobs> {
    match state.config.jobs_interval_secs {
        0 => None,
        secs => Some(spawn_every(state, Duration::from_secs(secs))),
    }
}

/// Runs the jobs now and then every `every` until stopped.
pub fn spawn_every(state: AppState, every: Duration) -> Jobs {
    let (stop, mut stopped) = watch::channel(false);
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        // After a long run, carry on at the normal pace instead of catching up in a burst.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = stopped.changed() => break,
                _ = ticks.tick() => {}
            }
            match run_once(&state).await {
                Ok(report) if report != JobsReport::default() => {
                    tracing::info!(
                        escalated = report.escalated,
                        reminded = report.reminded,
                        purged = report.purged,
                        sent = report.sent,
                        failed = report.failed,
                        "background jobs ran"
                    );
                }
                Ok(_) => {}
                // The next tick tries again; the work stays in the database.
                Err(err) => tracing::error!(error = %err, "background jobs failed"),
            }
        }
    });
    Jobs { stop, task }
}

impl Jobs {
    /// Lets a run in progress finish (for at most `grace`), then ends the loop. A run cut short
    /// loses nothing: unfinished e-mails are sent by a later run once their lease ends.
    pub async fn stop(self, grace: Duration) {
        let _ = self.stop.send(true);
        let mut task = self.task;
        if tokio::time::timeout(grace, &mut task).await.is_err() {
            task.abort();
        }
    }
}
