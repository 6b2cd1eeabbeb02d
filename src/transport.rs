//! The transport every client shares: credentials on each attempt, retries that honour
//! `Retry-After`, tracing without secrets, and error bodies read once (bounded) for the decoder.
//!
//! The generated clients call [`exec`] from their `ClientHooks` implementation; the
//! hand-written parts (uploads, the query service) call `send_json`.

use crate::error::{Api, Error, ErrorKind, from_reqwest};
use futures::future::BoxFuture;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How many bytes of an error body are read at most.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// When and how often a failed request is tried again.
///
/// Retried: 429 (any method, after the server's `Retry-After` or the vendor's own header),
/// 502/503/504 and dropped connections on idempotent methods, and failed connects on any method.
/// A request whose body streams from disk is never retried.
///
/// ```
/// use std::time::Duration;
/// let policy = permkit::RetryPolicy::default().with_max_retries(5).with_initial_backoff(Duration::from_millis(50));
/// assert_eq!(policy.max_retries, 5);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off).
    pub max_retries: u32,
    /// The first backoff when the server gives no `Retry-After`; doubled each time.
    pub initial_backoff: Duration,
    /// The longest backoff.
    pub max_backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the error is returned at once, with
    /// its [`Error::retry_after`].
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }
    /// Sets [`RetryPolicy::max_retries`].
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }
    /// Sets [`RetryPolicy::initial_backoff`].
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }
    /// Sets [`RetryPolicy::max_backoff`].
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }
    /// Sets [`RetryPolicy::max_retry_after`].
    pub fn with_max_retry_after(mut self, d: Duration) -> Self {
        self.max_retry_after = d;
        self
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.max_backoff);
        // Up to 25% jitter, from the clock: no need for a random number generator here.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        base + base.mul_f64(f64::from(nanos % 1000) / 4000.0)
    }
}

/// Options every client builder takes.
///
/// ```
/// use std::time::Duration;
/// let opts = permkit::ClientOptions::default()
///     .with_connect_timeout(Duration::from_secs(5))
///     .with_user_agent("my-app/1.0");
/// assert_eq!(opts.user_agent, "my-app/1.0");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientOptions {
    /// Time to establish a connection.
    pub connect_timeout: Duration,
    /// Longest silence while reading a response. It does not limit a long upload or a long
    /// download that keeps moving.
    pub read_timeout: Duration,
    /// A limit on the whole request, if you want one (none by default, so uploads are not cut off).
    pub timeout: Option<Duration>,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Retries.
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            timeout: None,
            user_agent: concat!("permkit/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::default(),
        }
    }
}

impl ClientOptions {
    /// Sets [`ClientOptions::connect_timeout`].
    pub fn with_connect_timeout(mut self, d: Duration) -> Self {
        self.connect_timeout = d;
        self
    }
    /// Sets [`ClientOptions::read_timeout`].
    pub fn with_read_timeout(mut self, d: Duration) -> Self {
        self.read_timeout = d;
        self
    }
    /// Sets [`ClientOptions::timeout`].
    pub fn with_timeout(mut self, d: Option<Duration>) -> Self {
        self.timeout = d;
        self
    }
    /// Sets [`ClientOptions::user_agent`].
    pub fn with_user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = ua.into();
        self
    }
    /// Sets [`ClientOptions::retry`].
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The `reqwest::Client` these options describe, with `default_headers` on every request.
    pub(crate) fn http_client(
        &self,
        default_headers: http::HeaderMap,
    ) -> Result<reqwest::Client, Error> {
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(self.user_agent.clone())
            .default_headers(default_headers);
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        b.build().map_err(from_reqwest)
    }
}

/// The setters every client builder shares; they write into the builder's `options`
/// ([`ClientOptions`]). `$builder` is an expression that makes the builder, for the examples.
macro_rules! option_setters {
    ($builder:literal) => {
        /// All options at once.
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .options(permkit::ClientOptions::default().with_user_agent(\"me/1\"));\n# let _ = b;\n```")]
        pub fn options(mut self, options: $crate::ClientOptions) -> Self {
            self.options = options;
            self
        }

        /// Time to connect.
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .connect_timeout(std::time::Duration::from_secs(3));\n# let _ = b;\n```")]
        pub fn connect_timeout(mut self, d: std::time::Duration) -> Self {
            self.options.connect_timeout = d;
            self
        }

        /// Longest silence while reading a response.
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .read_timeout(std::time::Duration::from_secs(30));\n# let _ = b;\n```")]
        pub fn read_timeout(mut self, d: std::time::Duration) -> Self {
            self.options.read_timeout = d;
            self
        }

        /// A limit on each whole request (none by default, so a long upload is not cut off).
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .timeout(std::time::Duration::from_secs(120));\n# let _ = b;\n```")]
        pub fn timeout(mut self, d: std::time::Duration) -> Self {
            self.options.timeout = Some(d);
            self
        }

        /// The retry policy: 429 after the server's retry-after (the standard header or the
        /// vendor's own), 502-504 and dropped connections on idempotent requests.
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .retry(permkit::RetryPolicy::default().with_max_retries(5));\n# let _ = b;\n```")]
        pub fn retry(mut self, retry: $crate::RetryPolicy) -> Self {
            self.options.retry = retry;
            self
        }

        /// The `User-Agent` header.
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .user_agent(\"hr-sync/2.1\");\n# let _ = b;\n```")]
        pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
            self.options.user_agent = ua.into();
            self
        }
    };
}

pub(crate) use option_setters;

/// Checks a base URL and returns it without a trailing slash, as the generated clients expect.
pub(crate) fn base_url(url: &str) -> Result<String, Error> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::new(ErrorKind::InvalidRequest, format!("not a base URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "the base URL must be http or https",
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Why credentials could not be put on a request.
#[derive(Debug)]
#[cfg_attr(not(feature = "intacct"), allow(dead_code))]
pub(crate) enum AuthFailure {
    /// The token endpoint could not be reached.
    Transport(reqwest::Error),
    /// The token endpoint answered with an error, decoded by the API that owns it.
    Response(Error),
    /// Nothing to send (no credentials configured, a credential a header cannot carry).
    Local(String),
}

/// Puts credentials on each attempt of a request. Implementations never log or print secrets.
pub(crate) trait Authenticate: Send + Sync + fmt::Debug {
    /// Adds the credentials to `request`.
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), AuthFailure>>;

    /// Called on a 401. Returning `true` (a cached token was dropped and a fresh one may work)
    /// retries the request once.
    fn on_unauthorized(&self) -> bool {
        false
    }
}

/// A static bearer token.
#[derive(Debug, Clone)]
pub(crate) struct BearerAuth(pub crate::Secret);

impl Authenticate for BearerAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), AuthFailure>> {
        Box::pin(async move {
            let v = self
                .0
                .bearer_header()
                .map_err(|e| AuthFailure::Local(e.message().to_string()))?;
            request.headers_mut().insert(http::header::AUTHORIZATION, v);
            Ok(())
        })
    }
}

/// Decodes one API's error response: status, headers, body (bounded, lossily UTF-8) and the
/// operation that failed. Each API hands its own to the transport it configures.
pub(crate) type Decoder = fn(u16, &http::HeaderMap, &str, Option<&str>) -> Error;

/// What a generated client carries beside its `reqwest::Client`.
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) api: Api,
    pub(crate) auth: Arc<dyn Authenticate>,
    pub(crate) retry: RetryPolicy,
    pub(crate) retry_after: fn(&http::HeaderMap) -> Option<Duration>,
    pub(crate) decode: Decoder,
}

impl Inner {
    /// Transport state for `api` with `auth`, `retry` and the API's error decoder.
    pub(crate) fn new(
        api: Api,
        auth: Arc<dyn Authenticate>,
        retry: RetryPolicy,
        decode: Decoder,
    ) -> Self {
        Inner {
            api,
            auth,
            retry,
            retry_after: crate::error::retry_after,
            decode,
        }
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("api", &self.api)
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .finish()
    }
}

fn idempotent(m: &http::Method) -> bool {
    matches!(
        *m,
        http::Method::GET
            | http::Method::HEAD
            | http::Method::PUT
            | http::Method::DELETE
            | http::Method::OPTIONS
    )
}

/// Sends `request` with credentials and retries. A 2xx response comes back with its body unread;
/// any other status is read (bounded) and decoded by the API's decoder into an [`Error`].
pub(crate) async fn exec(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    operation: &str,
) -> Result<reqwest::Response, Error> {
    let tag = |e: Error| e.with_api(inner.api).with_operation(operation);
    let method = request.method().clone();
    let path = request.url().path().to_string();
    // A request whose body is a stream cannot be cloned, and so is sent once.
    let template = request.try_clone();
    let mut once = if template.is_none() {
        Some(request)
    } else {
        None
    };
    let mut attempt: u32 = 0;
    let mut reauthorized = false;
    loop {
        let Some(mut req) = template
            .as_ref()
            .and_then(reqwest::Request::try_clone)
            .or_else(|| once.take())
        else {
            unreachable!("a request that cannot be cloned is only sent once")
        };
        if let Err(failure) = inner.auth.authorize(&mut req).await {
            return Err(tag(auth_failure(failure)));
        }
        let started = Instant::now();
        let result = client.execute(req).await;
        let can_retry = template.is_some() && attempt < inner.retry.max_retries;
        match result {
            Err(e) => {
                tracing::debug!(api = %inner.api, operation, %method, path, attempt, error = %e.without_url_ref(), "request failed");
                if can_retry
                    && (e.is_connect()
                        || idempotent(&method) && (e.is_timeout() || e.is_request() || e.is_body()))
                {
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                return Err(tag(from_reqwest(e)));
            }
            Ok(resp) => {
                let status = resp.status();
                tracing::debug!(
                    api = %inner.api, operation, %method, path, attempt,
                    status = status.as_u16(), elapsed_ms = started.elapsed().as_millis() as u64,
                    "response"
                );
                if status == http::StatusCode::UNAUTHORIZED
                    && !reauthorized
                    && template.is_some()
                    && inner.auth.on_unauthorized()
                {
                    reauthorized = true;
                    continue;
                }
                let retryable = status == http::StatusCode::TOO_MANY_REQUESTS
                    || idempotent(&method) && matches!(status.as_u16(), 502..=504);
                if can_retry && retryable {
                    let wait = (inner.retry_after)(resp.headers())
                        .unwrap_or_else(|| inner.retry.backoff(attempt));
                    if wait <= inner.retry.max_retry_after {
                        tracing::debug!(api = %inner.api, operation, status = status.as_u16(), wait_ms = wait.as_millis() as u64, "retrying");
                        drop(resp);
                        tokio::time::sleep(wait).await;
                        attempt += 1;
                        continue;
                    }
                }
                if status.is_success() {
                    return Ok(resp);
                }
                return Err(tag(read_error(inner, operation, resp).await));
            }
        }
    }
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        // reqwest's Display carries the URL; the message alone is enough for a log line.
        let s = self.to_string();
        match self.url() {
            Some(u) => s
                .replace(&format!(" ({u})"), "")
                .replace(u.as_str(), "<url>"),
            None => s,
        }
    }
}

/// Reads at most [`MAX_ERROR_BODY`] bytes of an error response and decodes it.
async fn read_error(inner: &Inner, operation: &str, mut resp: reqwest::Response) -> Error {
    let status = resp.status().as_u16();
    let headers = std::mem::take(resp.headers_mut());
    let mut body = Vec::new();
    let mut truncated = false;
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = MAX_ERROR_BODY - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room {
                    truncated = true;
                    break;
                }
            }
            Ok(None) => break,
            Err(_) => {
                truncated = true;
                break;
            }
        }
    }
    let e = (inner.decode)(
        status,
        &headers,
        &String::from_utf8_lossy(&body),
        Some(operation),
    );
    if truncated && e.body_excerpt().is_none() {
        let msg = format!("{} (body truncated)", e.message());
        return e.with_message(msg);
    }
    e
}

fn auth_failure(failure: AuthFailure) -> Error {
    match failure {
        AuthFailure::Transport(e) => from_reqwest(e),
        AuthFailure::Response(e) => e,
        AuthFailure::Local(message) => Error::new(ErrorKind::Unauthorized, message),
    }
}

/// A 2xx response read whole: status, headers and body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: bytes::Bytes,
}

/// [`exec`], then the success body read whole.
pub(crate) async fn call(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    operation: &str,
) -> Result<Reply, Error> {
    let mut resp = exec(client, inner, request, operation).await?;
    let status = resp.status().as_u16();
    let headers = std::mem::take(resp.headers_mut());
    let body = resp.bytes().await.map_err(|e| {
        from_reqwest(e)
            .with_api(inner.api)
            .with_operation(operation)
            .with_status(status)
    })?;
    Ok(Reply {
        status,
        headers,
        body,
    })
}

/// Posts a multipart form (streamed parts) to `url` and decodes the JSON success body.
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
pub(crate) async fn send_multipart<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    inner: &Inner,
    url: String,
    form: reqwest::multipart::Form,
    operation: &str,
) -> Result<crate::Response<T>, Error> {
    let request = client
        .post(url)
        .header(http::header::ACCEPT, "application/json")
        .multipart(form)
        .build()
        .map_err(|e| {
            from_reqwest(e)
                .with_api(inner.api)
                .with_operation(operation)
        })?;
    let reply = call(client, inner, request, operation).await?;
    let value = decode_json(inner.api, operation, &reply)?;
    Ok(crate::Response::new(value, reply.status, reply.headers))
}

/// Sends a request the generated code does not cover and decodes its JSON success body.
pub(crate) async fn send_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    operation: &str,
) -> Result<T, Error> {
    let reply = call(client, inner, request, operation).await?;
    decode_json(inner.api, operation, &reply)
}

/// Decodes a JSON success body, or says what it was.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    api: Api,
    operation: &str,
    reply: &Reply,
) -> Result<T, Error> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        Error::new(
            ErrorKind::Decode,
            format!("response body did not decode: {e}"),
        )
        .with_api(api)
        .with_operation(operation)
        .with_status(reply.status)
        .with_body_excerpt(&String::from_utf8_lossy(&reply.body))
        .with_source(e)
    })
}
