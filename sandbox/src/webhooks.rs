//! Webhook deliveries the sandbox makes for every API: a queue drained by one task on the
//! runtime that started the sandbox, each delivery tried as the vendor would, and a log of
//! every attempt for tests to read.

use permkit_core::Api;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// How long one attempt may take (PERSCOM gives a delivery 3 seconds).
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(3);

/// The wait before the second try; doubled for each later one. Far shorter than a vendor's
/// backoff, so that tests do not wait.
const FIRST_BACKOFF: Duration = Duration::from_millis(50);

/// `url` if it is an absolute `http` or `https` URL, as a receiver's must be: one that is not
/// is refused when it is registered, rather than registered to fail every delivery.
pub(crate) fn receiver_url(url: &str) -> Result<&str, String> {
    match reqwest::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Ok(url),
        Ok(u) => Err(format!(
            "\"url\" must be an http or https URL, not {}:",
            u.scheme()
        )),
        Err(e) => Err(format!("\"url\" is not an absolute URL ({e})")),
    }
}

/// One attempt at delivering a webhook, as [`Sandbox::webhook_deliveries`] reports it.
///
/// [`Sandbox::webhook_deliveries`]: super::Sandbox::webhook_deliveries
///
/// ```
/// # tokio::runtime::Runtime::new().unwrap().block_on(async {
/// let sandbox = permkit_sandbox::Sandbox::start().await;
/// for d in sandbox.webhook_deliveries() {
///     println!("{} {} try {}: {:?}", d.event, d.url, d.attempt, d.status);
/// }
/// # });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct WebhookDelivery {
    /// The API whose event this is.
    pub api: Api,
    /// The event's name (`user.created`, `AccessRequestCreated`).
    pub event: String,
    /// The method used (`POST`, or `GET` for a PERSCOM webhook set to GET).
    pub method: String,
    /// The URL delivered to, without the query string.
    pub url: String,
    /// Which try this was, from 1.
    pub attempt: u32,
    /// The receiver's status, or `None` when it did not answer (refused connection, timeout).
    pub status: Option<u16>,
    /// Why the receiver did not answer, when it did not: `"could not connect"`,
    /// `"timed out"`, `"not a URL the sandbox can call"`, or `"no answer"`.
    pub error: Option<&'static str>,
}

impl WebhookDelivery {
    /// Whether the receiver answered with a 2xx status.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// # let sandbox = permkit_sandbox::Sandbox::start().await;
    /// let failed = sandbox.webhook_deliveries().iter().filter(|d| !d.succeeded()).count();
    /// assert_eq!(failed, 0);
    /// # });
    /// ```
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// A delivery to make.
pub(crate) struct Outgoing {
    pub(crate) api: Api,
    pub(crate) event: String,
    pub(crate) method: reqwest::Method,
    /// The full URL, query string included.
    pub(crate) url: String,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
    /// How many times to try in all.
    pub(crate) tries: u32,
}

/// The queue of deliveries and the log of attempts.
pub(crate) struct Outbox {
    queue: mpsc::UnboundedSender<Outgoing>,
    log: Arc<Mutex<Vec<WebhookDelivery>>>,
    worker: Option<tokio::task::AbortHandle>,
    /// How many deliveries were queued so far.
    queued: AtomicU64,
    /// How many deliveries were made to their end (success or last try), as the worker counts
    /// them; closed when the worker stops.
    finished: watch::Receiver<u64>,
}

impl Outbox {
    /// An outbox whose deliveries are made by a task on the current Tokio runtime (none are made
    /// outside one).
    pub(crate) fn start() -> Outbox {
        let (queue, rx) = mpsc::unbounded_channel();
        let log = Arc::new(Mutex::new(Vec::new()));
        // Only the worker holds the sender: when it stops, waiting for it ends too.
        let (finished_tx, finished) = watch::channel(0);
        let worker = tokio::runtime::Handle::try_current().ok().map(|rt| {
            rt.spawn(deliver_all(rx, log.clone(), finished_tx))
                .abort_handle()
        });
        Outbox {
            queue,
            log,
            worker,
            queued: AtomicU64::new(0),
            finished,
        }
    }

    /// Queues a delivery. It is made after the response that caused it.
    pub(crate) fn send(&self, outgoing: Outgoing) {
        if self.worker.is_none() {
            // Outside a runtime nothing is delivered: nothing to wait for either.
            return;
        }
        self.queued.fetch_add(1, Ordering::SeqCst);
        // Only fails once the sandbox is stopping.
        let _ = self.queue.send(outgoing);
    }

    /// Resolves when every delivery queued before the call has been made to its end: answered
    /// with a 2xx, or its last try made. It also resolves if the outbox stops (the sandbox is
    /// dropped) first. It borrows nothing: it can outlive the outbox.
    pub(crate) fn settled(&self) -> impl Future<Output = ()> + Send + 'static {
        let target = self.queued.load(Ordering::SeqCst);
        let mut finished = self.finished.clone();
        async move {
            // An error means the worker stopped: nothing more will be delivered.
            let _ = finished.wait_for(|done| *done >= target).await;
        }
    }

    /// Forgets the attempts made so far (deliveries under way go on, and are logged).
    pub(crate) fn clear_log(&self) {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// Every attempt so far, oldest first.
    pub(crate) fn log(&self) -> Vec<WebhookDelivery> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Stops delivering.
    pub(crate) fn stop(&self) {
        if let Some(worker) = &self.worker {
            worker.abort();
        }
    }
}

/// Makes each queued delivery in turn, retrying one that fails.
async fn deliver_all(
    mut rx: mpsc::UnboundedReceiver<Outgoing>,
    log: Arc<Mutex<Vec<WebhookDelivery>>>,
    finished: watch::Sender<u64>,
) {
    let http = reqwest::Client::builder()
        .timeout(ATTEMPT_TIMEOUT)
        .no_proxy()
        .user_agent(concat!("permkit-sandbox/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default();
    while let Some(out) = rx.recv().await {
        let url_without_query = reqwest::Url::parse(&out.url)
            .map(|mut u| {
                u.set_query(None);
                u.to_string()
            })
            .unwrap_or_else(|_| out.url.clone());
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=out.tries.max(1) {
            let mut request = http.request(out.method.clone(), &out.url);
            for (name, value) in &out.headers {
                request = request.header(*name, value);
            }
            if !out.body.is_empty() {
                request = request.body(out.body.clone());
            }
            let (status, error) = match request.send().await {
                Ok(response) => (Some(response.status().as_u16()), None),
                Err(e) => (None, Some(no_answer(&e))),
            };
            let entry = WebhookDelivery {
                api: out.api,
                event: out.event.clone(),
                method: out.method.to_string(),
                url: url_without_query.clone(),
                attempt,
                status,
                error,
            };
            let succeeded = entry.succeeded();
            log.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
            if succeeded || attempt == out.tries {
                break;
            }
            tokio::time::sleep(backoff).await;
            backoff *= 2;
        }
        finished.send_modify(|done| *done += 1);
    }
}

/// Why a delivery got no answer, in words that carry nothing of the URL (which may hold a
/// credential in its query string).
fn no_answer(e: &reqwest::Error) -> &'static str {
    if e.is_builder() {
        "not a URL the sandbox can call"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "no answer"
    }
}
