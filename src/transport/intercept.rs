//! Interceptors: your code, called on every attempt of every call a client makes.

use crate::{Api, Result};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Code of yours that sees every attempt of every call (retries and followed redirects
/// included): to add a header, count or time requests, or write an audit log.
///
/// [`before_attempt`](Self::before_attempt) runs before the attempt is sent and may add or
/// change headers; an `Err` fails the call with that error (it is not retried).
/// [`after_attempt`](Self::after_attempt) runs when the attempt's answer (its status and
/// headers) arrived or the attempt failed. permkit's rules stay permkit's: an interceptor sees
/// the request *before* the credentials are put on it (so it cannot log them, and an
/// `Authorization` header it sets is replaced, or removed on a redirect to another origin), and
/// it cannot change the method or the URL. Intacct's token requests, which carry the client
/// secret, are not shown to interceptors.
///
/// ```
/// use permkit::{AttemptOutcome, AttemptRequest, Interceptor};
/// use std::sync::atomic::{AtomicU64, Ordering};
///
/// #[derive(Default)]
/// struct Audit {
///     attempts: AtomicU64,
/// }
///
/// impl Interceptor for Audit {
///     fn before_attempt(&self, request: &mut AttemptRequest<'_>) -> permkit::Result<()> {
///         request.headers_mut().insert("x-audit-user", "ops-nightly".parse().unwrap());
///         Ok(())
///     }
///     fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
///         self.attempts.fetch_add(1, Ordering::Relaxed);
///         eprintln!("{} {} -> {:?} in {:?}", outcome.method(), outcome.operation(), outcome.status(), outcome.elapsed());
///     }
/// }
///
/// // Every client builder has `.interceptor(..)` too.
/// let options = permkit::ClientOptions::default().with_interceptor(Audit::default());
/// # let _ = options;
/// ```
pub trait Interceptor: Send + Sync + 'static {
    /// Called before each attempt is sent. The default does nothing.
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) -> Result<()> {
        let _ = request;
        Ok(())
    }

    /// Called after each attempt: its answer arrived (the body is not read yet) or it failed.
    /// The default does nothing.
    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        let _ = outcome;
    }
}

/// One attempt about to be sent, as an [`Interceptor`] sees it.
///
/// ```
/// fn tag(request: &mut permkit::AttemptRequest<'_>) {
///     let attempt = request.attempt();
///     if attempt > 0 {
///         request.headers_mut().insert("x-retry", attempt.to_string().parse().unwrap());
///     }
/// }
/// # let _ = tag;
/// ```
#[derive(Debug)]
pub struct AttemptRequest<'a> {
    pub(crate) api: Api,
    pub(crate) operation: &'a str,
    pub(crate) attempt: u32,
    pub(crate) method: &'a http::Method,
    pub(crate) url: &'a str,
    pub(crate) headers: &'a mut http::HeaderMap,
}

impl AttemptRequest<'_> {
    /// The API called.
    pub fn api(&self) -> Api {
        self.api
    }
    /// The operation (`operationId`, `list_identities`).
    pub fn operation(&self) -> &str {
        self.operation
    }
    /// Which attempt of the call this is: 0 for the first, then one more per retry or
    /// followed redirect.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
    /// The HTTP method.
    pub fn method(&self) -> &str {
        self.method.as_str()
    }
    /// The URL, query string included.
    pub fn url(&self) -> &str {
        self.url
    }
    /// The request's headers (without credentials: they are added after the interceptors).
    pub fn headers(&self) -> &http::HeaderMap {
        self.headers
    }
    /// The request's headers, to add or change one.
    pub fn headers_mut(&mut self) -> &mut http::HeaderMap {
        self.headers
    }
}

/// What became of one attempt, as an [`Interceptor`] sees it.
///
/// ```
/// fn log(outcome: &permkit::AttemptOutcome<'_>) {
///     match outcome.status() {
///         Some(status) => println!("{} answered {status}", outcome.operation()),
///         None => println!("{} failed: {:?}", outcome.operation(), outcome.error()),
///     }
/// }
/// # let _ = log;
/// ```
#[derive(Debug)]
pub struct AttemptOutcome<'a> {
    pub(crate) api: Api,
    pub(crate) operation: &'a str,
    pub(crate) attempt: u32,
    pub(crate) method: &'a http::Method,
    pub(crate) url: &'a str,
    pub(crate) status: Option<u16>,
    pub(crate) headers: Option<&'a http::HeaderMap>,
    pub(crate) error: Option<String>,
    pub(crate) elapsed: Duration,
}

impl AttemptOutcome<'_> {
    /// The API called.
    pub fn api(&self) -> Api {
        self.api
    }
    /// The operation (`operationId`).
    pub fn operation(&self) -> &str {
        self.operation
    }
    /// Which attempt of the call this was (0 for the first).
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
    /// The HTTP method.
    pub fn method(&self) -> &str {
        self.method.as_str()
    }
    /// The URL, query string included.
    pub fn url(&self) -> &str {
        self.url
    }
    /// The status, when an answer arrived.
    pub fn status(&self) -> Option<u16> {
        self.status
    }
    /// The answer's headers, when an answer arrived.
    pub fn headers(&self) -> Option<&http::HeaderMap> {
        self.headers
    }
    /// Why no answer arrived (connection failed, timed out...), when none did.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
    /// How long the attempt took, until its answer's headers arrived or it failed.
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }
}

/// The interceptors of a client, in the order they were added.
#[derive(Clone, Default)]
pub(crate) struct Interceptors(pub(crate) Vec<Arc<dyn Interceptor>>);

impl fmt::Debug for Interceptors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} interceptor(s)", self.0.len())
    }
}

/// An interceptor shared with your own code (to read what it counted).
impl<I: Interceptor + ?Sized> Interceptor for Arc<I> {
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) -> Result<()> {
        (**self).before_attempt(request)
    }
    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        (**self).after_attempt(outcome)
    }
}
