//! Shedding load: past its capacity the server answers `503 Service Unavailable` with
//! `Retry-After`, instead of queueing requests without bound until memory runs out.
//!
//! Two allowances: report submissions (the web form, the API, Open311's `requests`) and
//! everything else. Counting requests in flight bounds memory and queues, not CPU: the reads
//! let in still share the processor with the reports. So reports also have priority: while most
//! submissions take longer than a target, the allowance of everything else is halved every
//! tenth of a second (down to one request), and it grows back step by step once they are quick
//! again or stop — as TCP does with its window. A crowd of readers then gets 503 sooner, and the
//! reports being submitted get the processor first. Readers turned away get their 503
//! after half a second: a flood's clients ask again the moment they are answered, and answering
//! them at once would keep the processor busy with refusals alone.

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

/// One refusal's place among the held ones, given back when it ends or is dropped (a client
/// that goes away drops the waiting request).
struct HeldPlace<'a>(&'a AtomicUsize);

impl Drop for HeldPlace<'_> {
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
        let _place = HeldPlace(&self.held);
        if waiting < self.cap {
            tokio::time::sleep(self.delay).await;
        }
    }
}

/// Submissions a window must have seen before they are taken as pressure: one slow upload from
/// a poor connection is not a crowd.
const MIN_SAMPLES: u32 = 4;

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
        let limit = self.priority.allowance(now);
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            })
            .ok()
            .map(|_| GeneralPermit(self.clone()))
    }
}

impl InFlight {
    /// `intake_target`: the time most submissions should take; `None` gives reports no
    /// priority beyond their own allowance.
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
    state: Mutex<Steering>,
}

struct Steering {
    allowance: usize,
    window_start: Instant,
    samples: u32,
    slow: u32,
}

impl Priority {
    fn new(max: usize, target: Option<Duration>) -> Priority {
        Priority {
            max,
            target,
            state: Mutex::new(Steering {
                allowance: max,
                window_start: Instant::now(),
                samples: 0,
                slow: 0,
            }),
        }
    }

    fn steering(&self) -> std::sync::MutexGuard<'_, Steering> {
        // The state is a few counters, whole after any panic: go on with it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Requests other than submissions that may be in flight now.
    fn allowance(&self, now: Instant) -> usize {
        if self.target.is_none() {
            return self.max;
        }
        let mut steering = self.steering();
        self.close_window(&mut steering, now);
        steering.allowance
    }

    /// Counts a submission that took `took`.
    fn record_submission(&self, took: Duration, now: Instant) {
        let Some(target) = self.target else { return };
        let mut steering = self.steering();
        steering.samples += 1;
        if took > target {
            steering.slow += 1;
        }
        self.close_window(&mut steering, now);
    }

    /// At the end of a window: halve the allowance when most submissions in it were slow, else
    /// give back a sixteenth of the whole.
    fn close_window(&self, steering: &mut Steering, now: Instant) {
        if now.duration_since(steering.window_start) < WINDOW {
            return;
        }
        let pressed = steering.samples >= MIN_SAMPLES && steering.slow * 2 > steering.samples;
        let before = steering.allowance;
        steering.allowance = if pressed {
            (before / 2).max(1)
        } else {
            (before + (self.max / 16).max(1)).min(self.max)
        };
        // Once when it starts and once when it ends, not for every request turned away.
        if before == self.max && steering.allowance < self.max {
            tracing::warn!("reports are slow: other requests are let in fewer at a time");
        } else if before < self.max && steering.allowance == self.max {
            tracing::info!("reports are quick again: other requests are let in as usual");
        }
        steering.window_start = now;
        steering.samples = 0;
        steering.slow = 0;
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
        let response = next.run(request).await;
        let now = Instant::now();
        in_flight
            .general
            .priority
            .record_submission(now.duration_since(started), now);
        response
    } else {
        let Some(permit) = in_flight.general.try_acquire(started) else {
            in_flight.general.held_refusals.hold().await;
            return busy();
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
    fn window(priority: &Priority, start: Instant, samples: u32, slow: u32) -> Instant {
        for i in 0..samples {
            let took = if i < slow { TARGET * 3 } else { TARGET / 5 };
            priority.record_submission(took, start);
        }
        let end = start + WINDOW;
        priority.allowance(end);
        end
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
        assert_eq!(seen, [32, 16, 8, 4, 2, 1, 1, 1]);
    }

    #[test]
    fn quick_or_no_submissions_give_the_allowance_back_step_by_step() {
        let priority = Priority::new(64, Some(TARGET));
        let mut now = priority.steering().window_start;
        for _ in 0..6 {
            now = window(&priority, now, 8, 8);
        }
        assert_eq!(priority.allowance(now), 1);
        now = window(&priority, now, 8, 1);
        assert_eq!(priority.allowance(now), 5);
        // No submissions at all (the crowd stopped the reports, or they simply ended).
        for _ in 0..20 {
            now += WINDOW;
            priority.allowance(now);
        }
        assert_eq!(priority.allowance(now), 64);
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
        let asked = Instant::now();
        let reads = statuses(&router, Method::GET, "/register", 8).await;
        assert!(asked.elapsed() >= REFUSAL_DELAY, "refusals are held back");
        assert_eq!(reads.iter().filter(|s| **s == 200).count(), 1, "{reads:?}");
        assert_eq!(reads.iter().filter(|s| **s == 503).count(), 7, "{reads:?}");
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
