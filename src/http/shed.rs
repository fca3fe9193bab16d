//! Shedding load: past its capacity the server answers `503 Service Unavailable` with
//! `Retry-After`, instead of queueing requests without bound until memory runs out.
//!
//! Two allowances: report submissions (the web form, the API, Open311's `requests`) and
//! everything else. Counting requests in flight bounds memory and queues, not CPU: the reads
//! let in still share the processor with the reports. So reports also have priority: while the
//! submissions of a tenth of a second take longer than a target and than their own time (what
//! they take with everything else held back), the allowance of everything else is halved (down
//! to one request), and it grows back by a quarter per tenth once they are quick again or stop
//! — as TCP does with its window. While it is squeezed it also counts the requests started per
//! tenth of a second: one request at a time, back to back, still took a fair share of the
//! processor. A crowd of readers then gets 503 sooner, and the reports being submitted get the
//! processor first. Readers turned away get their 503 after half a second: a flood's clients
//! ask again the moment they are answered, and answering them at once would keep the processor
//! busy with refusals alone.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tokio::sync::Semaphore;

/// Seconds a client is asked to wait before trying again.
const RETRY_AFTER_SECS: u64 = 2;

/// How often the allowance of everything else is adjusted.
const WINDOW: Duration = Duration::from_millis(100);

/// How long a request other than a submission waits for its 503. Flooding clients send the
/// next request the moment they have an answer: holding the answer a while slows each of their
/// connections to a few requests a second, where answering at once would leave the server
/// doing nothing but turning them away. Waiting costs a timer, not the processor.
const REFUSAL_DELAY: Duration = Duration::from_millis(500);

/// Refusals held back at once at most; past it the server answers at once (so a flood over many
/// connections cannot make it hold without bound).
const MAX_HELD_REFUSALS: usize = 4_096;

/// Refusals held back before they are answered, at most `cap` at once: the general allowance's
/// here and the connection limit's in [`super::connections`].
pub(super) struct HeldRefusals {
    held: AtomicUsize,
    delay: Duration,
    cap: usize,
}

/// One place in a count (a held refusal, a submission in flight), given back when it ends or is
/// dropped (a client that goes away drops the waiting request).
struct CountedPlace<'a>(&'a AtomicUsize);

impl Drop for CountedPlace<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl HeldRefusals {
    pub(super) const fn new(delay: Duration, cap: usize) -> HeldRefusals {
        HeldRefusals {
            held: AtomicUsize::new(0),
            delay,
            cap,
        }
    }

    /// Waits the delay before a refusal, unless `cap` refusals are already waiting.
    pub(super) async fn hold(&self) {
        let waiting = self.held.fetch_add(1, Ordering::AcqRel);
        let _place = CountedPlace(&self.held);
        if waiting < self.cap {
            tokio::time::sleep(self.delay).await;
        }
    }
}

/// Submissions a window must have seen before they are taken as pressure: one slow upload from
/// a poor connection is not a crowd.
const MIN_SAMPLES: usize = 4;

#[derive(Clone)]
pub struct InFlight {
    general: Arc<General>,
    intake: Arc<Semaphore>,
}

/// The requests other than submissions: how many are in flight, and how many may be.
struct General {
    in_flight: AtomicUsize,
    priority: Priority,
    /// Refusals being held back (see [`REFUSAL_DELAY`]).
    held_refusals: HeldRefusals,
}

/// Held while a request other than a submission is handled, and while its body is sent.
struct GeneralPermit(Arc<General>);

impl Drop for GeneralPermit {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

impl General {
    fn try_acquire(self: &Arc<Self>, now: Instant) -> Option<GeneralPermit> {
        self.priority
            .try_start(&self.in_flight, now)
            .then(|| GeneralPermit(self.clone()))
    }
}

/// Counts one more request in flight if fewer than `limit` are.
fn take_place(in_flight: &AtomicUsize, limit: usize) -> bool {
    in_flight
        .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
            (n < limit).then_some(n + 1)
        })
        .is_ok()
}

impl InFlight {
    /// `intake_target`: the time under which submissions never hold the others back; `None`
    /// gives reports no priority beyond their own allowance.
    pub fn new(general: usize, intake: usize, intake_target: Option<Duration>) -> InFlight {
        InFlight {
            general: Arc::new(General {
                in_flight: AtomicUsize::new(0),
                priority: Priority::new(general.max(1), intake_target),
                held_refusals: HeldRefusals::new(REFUSAL_DELAY, MAX_HELD_REFUSALS),
            }),
            intake: Arc::new(Semaphore::new(intake.max(1))),
        }
    }
}

/// The allowance of requests other than submissions, steered by how long submissions take.
struct Priority {
    max: usize,
    target: Option<Duration>,
    /// Submissions being handled now.
    submitting: AtomicUsize,
    state: Mutex<Steering>,
}

struct Steering {
    allowance: usize,
    window_start: Instant,
    /// The times of the first [`KEPT_SAMPLES`] submissions ended in this window, for its median
    /// (and their count, for [`MIN_SAMPLES`]).
    kept: Vec<Duration>,
    /// Requests let in during this window while the allowance is squeezed.
    started: usize,
    /// The submissions' own time of late: the lowest median of a window in which the others
    /// were held to one, drifting up slowly (see [`Priority::close_window`]). `None` until
    /// such a window has had enough submissions.
    baseline: Option<Duration>,
}

/// Submission times kept per window for its median.
const KEPT_SAMPLES: usize = 64;
const _: () = assert!(
    MIN_SAMPLES <= KEPT_SAMPLES,
    "a window keeps enough to be counted"
);

/// How far above their own time of late submissions may go before the others yield: a
/// quarter. The intake's throughput under a crowd is about its capacity divided by this (its
/// clients wait that much longer for each report), so it is kept close to one.
const BASELINE_HEADROOM: (u32, u32) = (5, 4);

/// How fast the baseline follows submissions that stay slower with the others held to one (a
/// cause of their own: a slower disk, larger reports): a sixty-fourth of the difference per
/// window, so some seconds.
const BASELINE_DRIFT: u32 = 64;

impl Priority {
    fn new(max: usize, target: Option<Duration>) -> Priority {
        Priority {
            max,
            target,
            submitting: AtomicUsize::new(0),
            state: Mutex::new(Steering {
                allowance: max,
                window_start: Instant::now(),
                kept: Vec::with_capacity(KEPT_SAMPLES),
                started: 0,
                baseline: None,
            }),
        }
    }

    fn steering(&self) -> std::sync::MutexGuard<'_, Steering> {
        // The state is a few counters, whole after any panic: go on with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Lets one more request other than a submission in, if the allowance has room for it.
    /// While the allowance is squeezed it is also a count of requests *started* per window:
    /// even one request at a time, back to back, took a fair share of the processor (a flood
    /// of exports kept the intake at a fifth of its capacity with the allowance at one).
    fn try_start(&self, in_flight: &AtomicUsize, now: Instant) -> bool {
        if self.target.is_none() {
            return take_place(in_flight, self.max);
        }
        let mut steering = self.steering();
        self.close_window(&mut steering, now);
        let squeezed = steering.allowance < self.max;
        if squeezed && steering.started >= steering.allowance {
            return false;
        }
        let taken = take_place(in_flight, steering.allowance);
        if taken && squeezed {
            steering.started += 1;
        }
        taken
    }

    /// Requests other than submissions that may be in flight now.
    #[cfg(test)]
    fn allowance(&self, now: Instant) -> usize {
        if self.target.is_none() {
            return self.max;
        }
        let mut steering = self.steering();
        self.close_window(&mut steering, now);
        steering.allowance
    }

    /// Counts a submission in flight until the place is dropped.
    fn submission_started(&self) -> CountedPlace<'_> {
        self.submitting.fetch_add(1, Ordering::AcqRel);
        CountedPlace(&self.submitting)
    }

    /// Counts a submission that took `took`.
    fn record_submission(&self, took: Duration, now: Instant) {
        if self.target.is_none() {
            return;
        }
        let mut steering = self.steering();
        if steering.kept.len() < KEPT_SAMPLES {
            steering.kept.push(took);
        }
        self.close_window(&mut steering, now);
    }

    /// At the end of a window: halve the allowance when the submissions in it were slow, else
    /// let it grow by a quarter; give it back whole when no submission ended in the window and
    /// none is in flight, since then there is no report to make room for (a person coming just
    /// after a burst of reports was turned away from an idle server).
    ///
    /// Slow is a median over the target *and* a quarter over the submissions' own time (the
    /// baseline). A fixed target alone is a latency, not a share of the processor: with 32
    /// clients whose reports took 6 ms at capacity, a 20 ms target let readers in until the
    /// reports took 20 ms — a third of the capacity. The baseline is learnt in the windows in
    /// which the others were held to one, where the submissions' time is their own.
    fn close_window(&self, steering: &mut Steering, now: Instant) {
        if now.duration_since(steering.window_start) < WINDOW {
            return;
        }
        let before = steering.allowance;
        let mut pressed = false;
        if steering.kept.len() >= MIN_SAMPLES {
            // The lower median: half the submissions slow is not yet most of them.
            let middle = (steering.kept.len() - 1) / 2;
            let (_, &mut median, _) = steering.kept.select_nth_unstable(middle);
            let target = self.target.unwrap_or_default();
            let (times, per) = BASELINE_HEADROOM;
            let own = steering.baseline.map(|baseline| baseline * times / per);
            pressed = median > own.map_or(target, |own| own.max(target));
            if before == 1 {
                steering.baseline = Some(match steering.baseline {
                    Some(baseline) if median > baseline => {
                        baseline + (median - baseline) / BASELINE_DRIFT
                    }
                    _ => median,
                });
            }
        }
        let no_reports = steering.kept.is_empty() && self.submitting.load(Ordering::Acquire) == 0;
        // Growing by a quarter: by one near the floor, where one more request is felt the
        // most, and back to the whole from one in 17 windows.
        steering.allowance = if pressed {
            (before / 2).max(1)
        } else if no_reports {
            self.max
        } else {
            (before + (before / 4).max(1)).min(self.max)
        };
        // Once when it starts and once when it ends, not for every request turned away.
        if before == self.max && steering.allowance < self.max {
            tracing::warn!("reports are slow: other requests are let in fewer at a time");
        } else if before < self.max && steering.allowance == self.max {
            tracing::info!("reports are quick again: other requests are let in as usual");
        }
        steering.window_start = now;
        steering.kept.clear();
        steering.started = 0;
    }
}

/// Whether a request submits a report (and so counts against the intake's allowance).
pub fn is_intake(method: &Method, path: &str) -> bool {
    *method == Method::POST
        && (path == "/api/v1/reports"
            || path.starts_with("/report/")
            || path == "/open311/v2/requests.json"
            || path == "/open311/v2/requests.xml")
}

pub async fn shed(State(in_flight): State<InFlight>, request: Request, next: Next) -> Response {
    // A load balancer's health check must tell "alive", not "busy".
    if request.uri().path() == "/healthz" {
        return next.run(request).await;
    }
    let started = Instant::now();
    if is_intake(request.method(), request.uri().path()) {
        // Held until the handler has answered.
        let Ok(_permit) = in_flight.intake.clone().try_acquire_owned() else {
            return busy();
        };
        let _submitting = in_flight.general.priority.submission_started();
        let response = next.run(request).await;
        let now = Instant::now();
        in_flight
            .general
            .priority
            .record_submission(now.duration_since(started), now);
        response
    } else {
        let permit = match in_flight.general.try_acquire(started) {
            Some(permit) => permit,
            None => {
                in_flight.general.held_refusals.hold().await;
                // Asked once more after the hold: the allowance may have room by now.
                match in_flight.general.try_acquire(Instant::now()) {
                    Some(permit) => permit,
                    None => return busy(),
                }
            }
        };
        let response = next.run(request).await;
        // A body of known length is already made; a streamed one (the exports) is read from
        // the store as it is sent, so the request stays counted until the stream ends.
        if axum::body::HttpBody::size_hint(response.body())
            .exact()
            .is_some()
        {
            return response;
        }
        response.map(|body| {
            axum::body::Body::from_stream(futures_util::StreamExt::map(
                body.into_data_stream(),
                move |chunk| {
                    let _held = &permit;
                    chunk
                },
            ))
        })
    }
}

/// The answer of a server over its capacity: complete, in both languages, and cheap.
fn busy() -> Response {
    tracing::debug!("over capacity: a request was turned away with 503");
    (
        StatusCode::SERVICE_UNAVAILABLE,
        [
            (header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_TYPE,
                "text/plain; charset=utf-8".to_string(),
            ),
        ],
        "The service is busy. Please try again in a moment. / Сервіс перевантажено, спробуйте \
         за мить.",
    )
        .into_response()
}

/// Whether a request is a resident's form of the dialogue that stores something or sends an
/// e-mail (registering for an event, booking a reception, proposing or supporting a priority).
pub fn is_resident_form(method: &Method, path: &str) -> bool {
    if *method != Method::POST {
        return false;
    }
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    matches!(
        parts.as_slice(),
        ["", "events", _, "register"]
            | ["", "receptions", _]
            | ["", "priorities"]
            | ["", "priorities", _, "support"]
    )
}

/// Limits the residents' dialogue forms per address (in memory only): each attempt counts, so
/// that nobody makes the platform send e-mails to many addresses or fill a calendar with
/// made-up names. Past the limit the person gets a page in their language saying when to try
/// again.
pub async fn limit_resident_forms(
    State(state): State<crate::state::AppState>,
    request: Request,
    next: Next,
) -> Response {
    if !is_resident_form(request.method(), request.uri().path()) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let client = <super::ClientIp as axum::extract::FromRequestParts<()>>::from_request_parts(
        &mut parts,
        &(),
    )
    .await
    .map(|c| c.0)
    .unwrap_or(None);
    if let Some(ip) = client {
        if let Err(retry_after_secs) = state.dialogue_limiter.check(ip) {
            let lang = super::locale::lang_of(&parts);
            return super::page::page_error(
                lang,
                crate::error::AppError::RateLimited { retry_after_secs },
            );
        }
        state.dialogue_limiter.record(ip);
    }
    next.run(Request::from_parts(parts, body)).await
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARGET: Duration = Duration::from_millis(50);

    /// Closes one window in which `slow` of `samples` submissions were over the target.
    fn window(priority: &Priority, start: Instant, samples: usize, slow: usize) -> Instant {
        for i in 0..samples {
            let took = if i < slow { TARGET * 3 } else { TARGET / 5 };
            priority.record_submission(took, start);
        }
        let end = start + WINDOW;
        priority.allowance(end);
        end
    }

    /// `windows` windows of slow submissions from the start; the end of the last.
    fn slow_windows(priority: &Priority, windows: usize) -> Instant {
        let mut now = priority.steering().window_start;
        for _ in 0..windows {
            now = window(priority, now, 8, 8);
        }
        now
    }

    #[test]
    fn slow_submissions_halve_the_others_allowance_down_to_one() {
        let priority = Priority::new(64, Some(TARGET));
        let mut now = priority.steering().window_start;
        let mut seen = Vec::new();
        for _ in 0..8 {
            now = window(&priority, now, 6, 5);
            seen.push(priority.allowance(now));
        }
        // Still as slow with the others held to one (the seventh window): that is the
        // submissions' own time, not the others' doing, and the others are let in again.
        assert_eq!(seen, [32, 16, 8, 4, 2, 1, 1, 2]);
    }

    /// Windows of 8 submissions whose time is `own` plus `per_request` for each other request
    /// the allowance lets in, as when they share the processor; the medians seen.
    fn shared_processor(
        priority: &Priority,
        own: Duration,
        per_request: Duration,
        windows: usize,
    ) -> Vec<(usize, Duration)> {
        let mut now = priority.steering().window_start;
        let mut seen = Vec::new();
        for _ in 0..windows {
            let allowance = priority.allowance(now);
            let took = own + per_request * allowance as u32;
            for _ in 0..8 {
                priority.record_submission(took, now);
            }
            now += WINDOW;
            seen.push((allowance, took));
        }
        seen
    }

    #[test]
    fn submissions_slowed_by_the_others_keep_close_to_their_own_time() {
        // 6 ms of their own, over the 5 ms target; each other request in flight costs them 1 ms.
        let own = Duration::from_millis(6);
        let priority = Priority::new(64, Some(Duration::from_millis(5)));
        let seen = shared_processor(&priority, own, Duration::from_millis(1), 400);
        let settled = &seen[100..];
        let mean = settled.iter().map(|(_, took)| *took).sum::<Duration>() / settled.len() as u32;
        assert!(mean <= own * 3 / 2, "submissions took {mean:?} on average");
        // The others are not shut out: the allowance keeps coming back above one.
        assert!(settled.iter().any(|(allowance, _)| *allowance > 2));
    }

    #[test]
    fn submissions_slow_of_their_own_do_not_keep_the_others_out() {
        // 30 ms whatever else runs (a slow disk): over the target, but not the others' doing.
        let priority = Priority::new(64, Some(Duration::from_millis(5)));
        let seen = shared_processor(&priority, Duration::from_millis(30), Duration::ZERO, 60);
        assert_eq!(seen.last().map(|(allowance, _)| *allowance), Some(64));
    }

    #[test]
    fn quick_submissions_give_the_allowance_back_step_by_step() {
        let priority = Priority::new(64, Some(TARGET));
        let mut now = slow_windows(&priority, 6);
        assert_eq!(priority.allowance(now), 1);
        let mut seen = Vec::new();
        for _ in 0..6 {
            now = window(&priority, now, 8, 1);
            seen.push(priority.allowance(now));
        }
        assert_eq!(seen, [2, 3, 4, 5, 6, 7]);
        // Submissions in flight that end in no window (slow uploads): still step by step.
        let uploading = priority.submission_started();
        now += WINDOW;
        assert_eq!(priority.allowance(now), 8);
        now += WINDOW;
        assert_eq!(priority.allowance(now), 10);
        drop(uploading);
    }

    #[test]
    fn with_no_report_in_sight_the_allowance_comes_back_whole() {
        let priority = Priority::new(64, Some(TARGET));
        let mut now = slow_windows(&priority, 6);
        assert_eq!(priority.allowance(now), 1);
        // The reports ended and none is being sent: the next window gives everything back.
        now += WINDOW;
        assert_eq!(priority.allowance(now), 64);
    }

    #[test]
    fn a_squeezed_allowance_also_counts_starts_per_window() {
        let priority = Priority::new(64, Some(TARGET));
        let in_flight = AtomicUsize::new(0);
        let mut now = slow_windows(&priority, 5);
        assert_eq!(priority.allowance(now), 2);
        // Two requests, each done before the next: the squeezed allowance of two lets in no
        // third in the same window, though none is in flight.
        for _ in 0..2 {
            assert!(priority.try_start(&in_flight, now));
            in_flight.fetch_sub(1, Ordering::AcqRel);
        }
        assert!(!priority.try_start(&in_flight, now));
        // The next window starts its count again (and, quick submissions, grows by one).
        now = window(&priority, now, 8, 0);
        let started = (0..10)
            .take_while(|_| {
                let started = priority.try_start(&in_flight, now);
                in_flight.store(0, Ordering::Release);
                started
            })
            .count();
        assert_eq!(started, 3);
    }

    #[test]
    fn a_whole_allowance_does_not_count_starts() {
        let priority = Priority::new(4, Some(TARGET));
        let in_flight = AtomicUsize::new(0);
        let now = priority.steering().window_start;
        for _ in 0..100 {
            assert!(priority.try_start(&in_flight, now));
            in_flight.fetch_sub(1, Ordering::AcqRel);
        }
        // In flight at once, it is a limit as before.
        for _ in 0..4 {
            assert!(priority.try_start(&in_flight, now));
        }
        assert!(!priority.try_start(&in_flight, now));
    }

    #[test]
    fn a_few_slow_submissions_are_not_pressure() {
        let priority = Priority::new(64, Some(TARGET));
        let start = priority.steering().window_start;
        // One slow upload over a poor connection, then half slow: neither halves anything.
        let now = window(&priority, start, MIN_SAMPLES - 1, MIN_SAMPLES - 1);
        assert_eq!(priority.allowance(now), 64);
        let now = window(&priority, now, 8, 4);
        assert_eq!(priority.allowance(now), 64);
    }

    #[test]
    fn without_a_target_the_allowance_stays_whole() {
        let priority = Priority::new(64, None);
        let mut now = Instant::now();
        for _ in 0..10 {
            for _ in 0..10 {
                priority.record_submission(Duration::from_secs(5), now);
            }
            now += WINDOW;
        }
        assert_eq!(priority.allowance(now), 64);
    }

    /// A router with the shedding in front: submissions take `submission_takes`, anything else
    /// is answered after 50 ms.
    fn shedding_router(in_flight: InFlight, submission_takes: Duration) -> axum::Router {
        use axum::routing::{get, post};
        axum::Router::new()
            .route(
                "/api/v1/reports",
                post(move || async move {
                    tokio::time::sleep(submission_takes).await;
                    StatusCode::CREATED
                }),
            )
            .route(
                "/register",
                get(|| async {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    StatusCode::OK
                }),
            )
            .layer(axum::middleware::from_fn_with_state(in_flight, shed))
    }

    #[tokio::test]
    async fn a_held_refusal_gives_its_place_back_when_the_client_goes() {
        let held = HeldRefusals::new(Duration::from_secs(60), 1);
        // The client goes away while its refusal waits: the waiting future is dropped.
        let gone = tokio::time::timeout(Duration::from_millis(50), held.hold()).await;
        assert!(gone.is_err(), "it was held");
        assert_eq!(held.held.load(Ordering::Acquire), 0);
        // So the next one is held too, not answered at once as if the cap were reached.
        let again = tokio::time::timeout(Duration::from_millis(50), held.hold()).await;
        assert!(again.is_err(), "held again");
    }

    #[tokio::test]
    async fn a_streamed_answer_counts_until_it_is_sent() {
        use axum::routing::get;
        use tower::ServiceExt;
        let in_flight = InFlight::new(1, 1, None);
        let router = axum::Router::new()
            .route(
                "/register.csv",
                get(|| async {
                    let rows = futures_util::StreamExt::then(
                        futures_util::stream::iter(0..3),
                        |i| async move {
                            tokio::time::sleep(Duration::from_millis(100)).await;
                            Ok::<_, std::io::Error>(format!("row {i}\n"))
                        },
                    );
                    axum::body::Body::from_stream(rows)
                }),
            )
            .route("/register", get(|| async { StatusCode::OK }))
            .layer(axum::middleware::from_fn_with_state(in_flight, shed));
        let get_ = |path: &str| {
            router.clone().oneshot(
                Request::builder()
                    .uri(path)
                    .body(axum::body::Body::empty())
                    .expect("a request"),
            )
        };
        let export = get_("/register.csv").await.expect("an answer");
        // The handler has answered, but its rows are still to be read and sent.
        let meanwhile = get_("/register").await.expect("an answer");
        assert_eq!(meanwhile.status(), 503);
        let body = axum::body::to_bytes(export.into_body(), usize::MAX)
            .await
            .expect("the rows");
        assert_eq!(&body[..], b"row 0\nrow 1\nrow 2\n");
        let after = get_("/register").await.expect("an answer");
        assert_eq!(after.status(), 200);
    }

    async fn statuses(router: &axum::Router, method: Method, path: &str, n: usize) -> Vec<u16> {
        use tower::ServiceExt;
        let requests = (0..n).map(|_| {
            let request = Request::builder()
                .method(method.clone())
                .uri(path)
                .body(axum::body::Body::empty())
                .expect("a request");
            router.clone().oneshot(request)
        });
        futures_util::future::join_all(requests)
            .await
            .into_iter()
            .map(|r| r.map(|r| r.status().as_u16()).unwrap_or(0))
            .collect()
    }

    #[tokio::test]
    async fn while_submissions_are_slow_other_requests_are_turned_away_sooner() {
        let in_flight = InFlight::new(8, 64, Some(Duration::from_millis(20)));
        let router = shedding_router(in_flight.clone(), Duration::from_millis(60));
        // Unpressed, eight reads at once are all served.
        let reads = statuses(&router, Method::GET, "/register", 8).await;
        assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
        // Three rounds of slow submissions, each closing a window of pressure: 8 → 4 → 2 → 1.
        for _ in 0..3 {
            let sent = statuses(&router, Method::POST, "/api/v1/reports", 8).await;
            assert!(sent.iter().all(|s| *s == 201), "{sent:?}");
            tokio::time::sleep(WINDOW).await;
        }
        let sent = statuses(&router, Method::POST, "/api/v1/reports", 8).await;
        assert!(sent.iter().all(|s| *s == 201), "{sent:?}");
        // One read is let in at once; the others are held back before they are answered.
        let reads = timed_statuses(&router, "/register", 8).await;
        let at_once: Vec<_> = reads
            .iter()
            .filter(|(_, took)| *took < REFUSAL_DELAY)
            .collect();
        assert_eq!(at_once.len(), 1, "{reads:?}");
        assert_eq!(at_once[0].0, 200);
        assert!(reads.iter().any(|(status, _)| *status == 503), "{reads:?}");
        // A window later, with no report in sight, the whole allowance is there at once.
        tokio::time::sleep(WINDOW).await;
        let reads = timed_statuses(&router, "/register", 8).await;
        assert!(
            reads
                .iter()
                .all(|(s, took)| *s == 200 && *took < REFUSAL_DELAY),
            "{reads:?}"
        );
    }

    /// `n` GETs of `path` at once: their statuses and how long each took to be answered.
    async fn timed_statuses(router: &axum::Router, path: &str, n: usize) -> Vec<(u16, Duration)> {
        use tower::ServiceExt;
        let requests = (0..n).map(|_| {
            let request = Request::builder()
                .uri(path)
                .body(axum::body::Body::empty())
                .expect("a request");
            let router = router.clone();
            async move {
                let asked = Instant::now();
                let status = router
                    .oneshot(request)
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0);
                (status, asked.elapsed())
            }
        });
        futures_util::future::join_all(requests).await
    }

    #[tokio::test]
    async fn quick_submissions_leave_the_others_allowance_alone() {
        let in_flight = InFlight::new(8, 64, Some(Duration::from_millis(500)));
        let router = shedding_router(in_flight, Duration::from_millis(5));
        for _ in 0..3 {
            statuses(&router, Method::POST, "/api/v1/reports", 8).await;
            tokio::time::sleep(WINDOW).await;
        }
        let reads = statuses(&router, Method::GET, "/register", 8).await;
        assert!(reads.iter().all(|s| *s == 200), "{reads:?}");
    }

    #[test]
    fn resident_forms_are_the_dialogue_posts_that_store_or_mail() {
        for path in [
            "/events/0199/register",
            "/receptions/0199",
            "/priorities",
            "/priorities/0199/support",
        ] {
            assert!(is_resident_form(&Method::POST, path), "{path}");
            assert!(!is_resident_form(&Method::GET, path), "GET {path}");
        }
        for path in [
            "/events",
            "/bookings/abc",
            "/priorities/confirm/abc",
            "/events/registrations/abc",
            "/staff/events/0199",
            "/receptions",
        ] {
            assert!(!is_resident_form(&Method::POST, path), "{path}");
        }
    }

    #[test]
    fn intake_is_the_submissions_only() {
        for path in [
            "/api/v1/reports",
            "/report/violation",
            "/open311/v2/requests.json",
        ] {
            assert!(is_intake(&Method::POST, path), "{path}");
            assert!(!is_intake(&Method::GET, path), "GET {path}");
        }
        for path in [
            "/register",
            "/register.csv",
            "/staff/login",
            "/open311/v2/services.json",
        ] {
            assert!(!is_intake(&Method::POST, path), "{path}");
        }
    }
}
