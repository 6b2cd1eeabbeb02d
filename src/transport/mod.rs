//! The transport every client shares. One call is: credentials on each attempt, retries
//! that honour `Retry-After`, redirects followed by permkit itself (a POST never quietly
//! becomes a GET; credentials never go to another host), the body read inside the retry
//! loop, error bodies read bounded and decoded by the API's own decoder with any echoed
//! credential removed, one tracing span per call and one per attempt, and a call timeout.
//!
//! The generated clients reach it through `crate::generated`; the hand-written parts (uploads,
//! the query service) call [`send_json`] and [`send_multipart`].
//!
//! What differs between the APIs reaches the transport as one value per API, an
//! [`ApiRules`] (each API's `client::RULES`): its error decoder, the headers that say when to
//! retry, and the operations that only read although they are POSTs. The user shapes the
//! connection through `ClientOptions` (`connection.rs`: roots, identity, proxy, local address)
//! and sees every attempt through interceptors (`intercept.rs`); neither can change the
//! redirect, timeout or credential rules above.

mod auth;
mod body;
mod connection;
mod counts;
mod intercept;
mod options;
mod shown;

#[cfg(feature = "intacct")]
pub(crate) use auth::bearer_header;
pub(crate) use auth::{Authenticate, BearerAuth};
pub use body::MAX_ERROR_BODY;
pub(crate) use body::{Reply, decode_json, read_bounded, redact, scrub_credential};
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub use connection::{Certificate, ClientIdentity};
pub(crate) use connection::{Connection, ProxyUrl};
pub(crate) use counts::Counter;
pub use counts::{OperationCounts, RequestCounts};
pub(crate) use intercept::Interceptors;
pub use intercept::{AttemptOutcome, AttemptRequest, Interceptor};
pub(crate) use options::option_setters;
pub use options::{ClientOptions, DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY, RetryPolicy};
#[cfg(feature = "perscom")]
pub(crate) use shown::HeaderList;
pub(crate) use shown::{UrlText, secret_header};

use crate::error::{Api, Error, ErrorKind, from_reqwest};
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tracing::Instrument;

/// Redirects followed at most in one call.
pub const MAX_REDIRECTS: u32 = 10;

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
    // A password there would show wherever the URL does (`base_url()`, `Debug`, logs), and
    // permkit sends credentials only as the builder's credential methods set them.
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::new(
            ErrorKind::InvalidRequest,
            "the base URL carries user info (`user:password@`): give the API's credentials to \
             the builder instead",
        ));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Decodes one API's error response: status, headers, body (bounded, lossily UTF-8) and the
/// operation that failed. Each API hands its own to the transport it configures.
pub(crate) type Decoder = fn(u16, &http::HeaderMap, &str, Option<&str>) -> Error;

/// Everything the transport needs to know of one API, in one value per API (each API's
/// `client` module defines its `RULES`): how its error bodies decode, which headers say when
/// to retry, and which operations only read although their method is not one that does
/// (they are retried like a GET; the list is generated from the spec's `x-permkit-read-only`).
#[derive(Debug)]
pub(crate) struct ApiRules {
    /// The API.
    pub(crate) api: Api,
    /// Its error decoder.
    pub(crate) decode: Decoder,
    /// When it asks to retry (the standard `Retry-After` and the vendor's own headers).
    pub(crate) retry_after: fn(&http::HeaderMap) -> Option<Duration>,
    /// Operations that only read, whatever their method, sorted by operation id.
    pub(crate) read_only: &'static [&'static str],
}

/// What a generated client carries beside its `reqwest::Client`.
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) api: Api,
    pub(crate) rules: &'static ApiRules,
    pub(crate) auth: Arc<dyn Authenticate>,
    pub(crate) retry: RetryPolicy,
    pub(crate) call_timeout: Option<Duration>,
    /// The largest success body read whole ([`ClientOptions::max_response_body`]).
    pub(crate) max_body: usize,
    /// The client-wide limit on requests in flight ([`ClientOptions::max_concurrent_requests`]).
    pub(crate) limit: Option<Arc<tokio::sync::Semaphore>>,
    /// The requests sent, per operation.
    pub(crate) counter: Arc<Counter>,
    /// The user's interceptors ([`ClientOptions::with_interceptor`]).
    pub(crate) interceptors: Interceptors,
}

impl Inner {
    /// Transport state for the API `rules` describe, with `auth` and the client's options.
    pub(crate) fn new(
        rules: &'static ApiRules,
        auth: Arc<dyn Authenticate>,
        options: &ClientOptions,
    ) -> Self {
        Inner {
            api: rules.api,
            rules,
            auth,
            retry: options.retry.clone(),
            call_timeout: options.call_timeout,
            max_body: options.max_response_body,
            limit: options
                .max_concurrent_requests
                .map(|n| Arc::new(tokio::sync::Semaphore::new(n.get()))),
            counter: Arc::default(),
            interceptors: options.interceptors.clone(),
        }
    }

    /// Whether a failed attempt of `operation` may be sent again as a read would be (after a
    /// 502-504 or a dropped connection): the retry policy's choice for the operation if it
    /// makes one, else an idempotent method, or an operation the API lists as only reading.
    pub(crate) fn retried_as_read(&self, method: &http::Method, operation: &str) -> bool {
        self.retry
            .treats_as_read(operation)
            .unwrap_or_else(|| idempotent(method) || reads_only(self.rules, operation))
    }

    /// The requests this client sent so far, per operation.
    pub(crate) fn request_counts(&self) -> RequestCounts {
        self.counter.snapshot()
    }

    /// A slot under the client's limit on requests in flight (none when it has no limit),
    /// held while one attempt is on the wire and its answer is read.
    async fn permit(&self) -> Result<Option<tokio::sync::OwnedSemaphorePermit>, Error> {
        let Some(limit) = &self.limit else {
            return Ok(None);
        };
        match limit.clone().acquire_owned().await {
            Ok(p) => Ok(Some(p)),
            // The semaphore is never closed; should it be, the call fails rather than waits.
            Err(_) => Err(Error::new(
                ErrorKind::Transport,
                "the client's request limit was closed",
            )),
        }
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("api", &self.api)
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("call_timeout", &self.call_timeout)
            .field(
                "max_concurrent_requests",
                &self.limit.as_ref().map(|_| "limited"),
            )
            .finish()
    }
}

/// What one call asks of the transport.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The operation id (`get_identity`).
    pub(crate) operation: &'a str,
    /// The path template (`/identities/{id}`), for the span's `url.template`.
    pub(crate) template: Option<&'a str>,
    /// Read the success body inside the retry loop (all but raw byte streams).
    pub(crate) read_body: bool,
    /// Bounded by the call timeout (all but streamed uploads).
    pub(crate) bounded: bool,
}

impl<'a> Call<'a> {
    /// A call whose JSON (or empty) answer is read whole, bounded by the call timeout.
    pub(crate) fn new(operation: &'a str) -> Self {
        Call {
            operation,
            template: None,
            read_body: true,
            bounded: true,
        }
    }
}

/// A success: read whole, or still streaming (with the slot under the client's request limit,
/// held until the body is dropped).
pub(crate) enum Received {
    Read(Reply),
    Streaming(reqwest::Response, Option<tokio::sync::OwnedSemaphorePermit>),
}

/// Whether `rules` list `operation` as one that only reads.
pub(crate) fn reads_only(rules: &ApiRules, operation: &str) -> bool {
    rules.read_only.binary_search(&operation).is_ok()
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

/// Sends `request` as one call (see the [module docs](self)). Any non-2xx status is read
/// (bounded) and decoded by the API's decoder into an [`Error`].
pub(crate) async fn exec(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    call: Call<'_>,
) -> Result<Received, Error> {
    let span = tracing::info_span!(
        "permkit.call",
        "http.request.method" = %request.method(),
        "server.address" = request.url().host_str().unwrap_or_default(),
        "url.template" = call.template.unwrap_or_default(),
        "http.response.status_code" = tracing::field::Empty,
        "http.request.resend_count" = tracing::field::Empty,
        "error.type" = tracing::field::Empty,
        "permkit.api" = inner.api.as_str(),
        "permkit.operation" = call.operation,
    );
    // On the heap: the attempt loop's state is large, and callers' futures stay small.
    let attempts =
        Box::pin(attempts(client, inner, request, call, span.clone()).instrument(span.clone()));
    let result = match inner.call_timeout.filter(|_| call.bounded) {
        Some(limit) => tokio::time::timeout(limit, attempts).await.unwrap_or_else(|_| {
            Err(Error::new(
                ErrorKind::Timeout,
                format!(
                    "the call took longer than its call timeout ({:.1} s, all attempts included)",
                    limit.as_secs_f64()
                ),
            ))
        }),
        None => attempts.await,
    };
    result.map_err(|e| {
        span.record("error.type", error_type(&e));
        e.with_api(inner.api).or_operation(call.operation)
    })
}

/// The span's `error.type`: the status when a server answered, else the kind.
fn error_type(e: &Error) -> String {
    match e.status() {
        Some(s) => s.to_string(),
        None => format!("{:?}", e.kind()),
    }
}

/// The attempts of one call: credentials, redirects, retries, the body.
async fn attempts(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    call: Call<'_>,
    span: tracing::Span,
) -> Result<Received, Error> {
    let origin = request.url().origin();
    let mut method = request.method().clone();
    let mut url = request.url().clone();
    // A request whose body is a stream cannot be cloned, and so is sent once.
    let template = request.try_clone();
    let mut once = if template.is_none() {
        Some(request)
    } else {
        None
    };
    let mut attempt: u32 = 0;
    let mut redirects: u32 = 0;
    let mut reauthorized = false;
    // Whether the next attempt repeats one that failed (counted as a retry).
    let mut repeat = false;
    loop {
        let Some(mut req) = template
            .as_ref()
            .and_then(reqwest::Request::try_clone)
            .or_else(|| once.take())
        else {
            return Err(Error::new(
                ErrorKind::Transport,
                "a request whose body streams cannot be sent again",
            ));
        };
        *req.url_mut() = url.clone();
        // The user's interceptors see the request before the credentials are put on it.
        if !inner.interceptors.0.is_empty() {
            let method = req.method().clone();
            let url_text = url.as_str().to_string();
            for interceptor in &inner.interceptors.0 {
                let mut seen = AttemptRequest {
                    api: inner.api,
                    operation: call.operation,
                    attempt: attempt + redirects,
                    method: &method,
                    url: &url_text,
                    headers: req.headers_mut(),
                };
                interceptor.before_attempt(&mut seen)?;
            }
        }
        // Credentials go only to the origin the user named.
        let same_origin = url.origin() == origin;
        if same_origin {
            inner.auth.authorize(&mut req).await?;
        } else {
            req.headers_mut().remove(http::header::AUTHORIZATION);
        }
        let sent = req.headers().get(http::header::AUTHORIZATION).cloned();
        // Taken after the credentials (a token request never waits for a slot, so it cannot
        // deadlock on the limit) and dropped before any wait to retry.
        let permit = inner.permit().await?;
        inner.counter.sent(call.operation, repeat);
        repeat = false;
        let can_retry = template.is_some() && attempt < inner.retry.max_retries;
        span.record("http.request.resend_count", attempt);
        let attempt_span = tracing::debug_span!(
            "permkit.attempt",
            "http.request.resend_count" = attempt,
            "http.response.status_code" = tracing::field::Empty,
        );
        let started = Instant::now();
        let result = client.execute(req).instrument(attempt_span.clone()).await;
        if !inner.interceptors.0.is_empty() {
            let (status, headers, error) = match &result {
                Ok(resp) => (Some(resp.status().as_u16()), Some(resp.headers()), None),
                Err(e) => (None, None, Some(e.without_url_ref())),
            };
            let outcome = AttemptOutcome {
                api: inner.api,
                operation: call.operation,
                attempt: attempt + redirects,
                method: &method,
                url: url.as_str(),
                status,
                headers,
                error,
                elapsed: started.elapsed(),
            };
            for interceptor in &inner.interceptors.0 {
                interceptor.after_attempt(&outcome);
            }
        }
        let mut resp = match result {
            Err(e) => {
                tracing::debug!(parent: &attempt_span, error = %e.without_url_ref(), "request failed");
                // A timeout is the caller's limit: it is returned, not retried.
                if can_retry
                    && !e.is_timeout()
                    && (e.is_connect()
                        || inner.retried_as_read(&method, call.operation)
                            && (e.is_request() || e.is_body()))
                {
                    drop(permit);
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    attempt += 1;
                    repeat = true;
                    continue;
                }
                return Err(from_reqwest(e));
            }
            Ok(resp) => resp,
        };
        let status = resp.status();
        attempt_span.record("http.response.status_code", status.as_u16());
        span.record("http.response.status_code", status.as_u16());
        tracing::debug!(
            parent: &attempt_span,
            status = status.as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "response"
        );
        if status.is_redirection() {
            let next = redirect_target(&resp, &url, &method, template.is_some(), redirects)?;
            if let Some((next_url, next_method)) = next {
                tracing::debug!(parent: &attempt_span, status = status.as_u16(), same_origin = (next_url.origin() == origin), "following a redirect");
                url = next_url;
                method = next_method;
                redirects += 1;
                continue;
            }
        }
        if status == http::StatusCode::UNAUTHORIZED
            && !reauthorized
            && template.is_some()
            && same_origin
            && inner.auth.on_unauthorized(sent.as_ref())
        {
            reauthorized = true;
            repeat = true;
            continue;
        }
        let retryable = status == http::StatusCode::TOO_MANY_REQUESTS
            || matches!(status.as_u16(), 502..=504)
                && inner.retried_as_read(&method, call.operation);
        if can_retry && retryable {
            let wait = (inner.rules.retry_after)(resp.headers())
                .unwrap_or_else(|| inner.retry.backoff(attempt));
            if wait <= inner.retry.max_retry_after {
                tracing::debug!(parent: &attempt_span, status = status.as_u16(), wait_ms = wait.as_millis() as u64, "retrying");
                drop(resp);
                drop(permit);
                tokio::time::sleep(wait).await;
                attempt += 1;
                repeat = true;
                continue;
            }
        }
        if !status.is_success() {
            return Err(read_error(inner, call.operation, resp, sent.as_ref()).await);
        }
        if !call.read_body {
            return Ok(Received::Streaming(resp, permit));
        }
        let headers = std::mem::take(resp.headers_mut());
        match read_capped(&mut resp, inner.max_body).await {
            Ok(body) => {
                return Ok(Received::Read(Reply {
                    status: status.as_u16(),
                    headers,
                    body,
                    credential: sent,
                }));
            }
            Err(BodyError::TooLarge(seen)) => {
                return Err(Error::new(
                    ErrorKind::ResponseTooLarge,
                    format!(
                        "the response body is larger than the client's limit of {} bytes \
                         ({seen}; see ClientOptions::max_response_body)",
                        inner.max_body
                    ),
                )
                .with_status(status.as_u16()));
            }
            Err(BodyError::Read(e)) if e.is_timeout() => {
                tracing::debug!(parent: &attempt_span, "timed out while the body was read");
                return Err(
                    Error::new(ErrorKind::Timeout, "timed out while the body was read")
                        .with_status(status.as_u16())
                        .with_source(e.without_url()),
                );
            }
            Err(BodyError::Read(e)) => {
                tracing::debug!(parent: &attempt_span, error = %e.without_url_ref(), "the body could not be read");
                if can_retry && inner.retried_as_read(&method, call.operation) {
                    drop(permit);
                    tokio::time::sleep(inner.retry.backoff(attempt)).await;
                    attempt += 1;
                    repeat = true;
                    continue;
                }
                return Err(Error::new(
                    ErrorKind::Transport,
                    "the connection was dropped while the body was read",
                )
                .with_status(status.as_u16())
                .with_source(e.without_url()));
            }
        }
    }
}

/// Where a 3xx answer leads, if permkit follows it: any redirect of a GET or HEAD, and a
/// 307/308 of any method whose body can be sent again (same method, same body). A 301, 302 or
/// 303 of another method is not followed: following it would turn the request into a GET
/// that does not do what was asked. `None` for a 3xx that is not a redirect (304...).
fn redirect_target(
    resp: &reqwest::Response,
    url: &reqwest::Url,
    method: &http::Method,
    resendable: bool,
    redirects: u32,
) -> Result<Option<(reqwest::Url, http::Method)>, Error> {
    let status = resp.status().as_u16();
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let refuse =
        |why: String| Err(Error::new(ErrorKind::UnexpectedStatus, why).with_status(status));
    let Some(location) = resp
        .headers()
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
    else {
        return refuse(format!("redirect {status} without a Location"));
    };
    let Ok(next) = url.join(location) else {
        return refuse(format!("redirect {status} to an address that is not a URL"));
    };
    if !matches!(next.scheme(), "http" | "https") {
        return refuse(format!("redirect {status} to a {} URL", next.scheme()));
    }
    if redirects >= MAX_REDIRECTS {
        return refuse(format!("more than {MAX_REDIRECTS} redirects"));
    }
    let safe = matches!(*method, http::Method::GET | http::Method::HEAD);
    match status {
        307 | 308 if safe || resendable => Ok(Some((next, method.clone()))),
        _ if safe => Ok(Some((next, method.clone()))),
        _ => refuse(format!(
            "the server answered the {method} with redirect {status} to {}{}; permkit does not \
             re-send it as a GET (the {method} would not be done) nor re-send a body it cannot \
             repeat: send it to the new address yourself",
            next.host_str().unwrap_or_default(),
            next.path()
        )),
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

/// Why a success body was not read whole.
enum BodyError {
    /// Over the limit: the `Content-Length` it announced, or how much had arrived.
    TooLarge(String),
    /// The connection failed (dropped, timed out).
    Read(reqwest::Error),
}

/// Reads a success body whole, up to `limit` bytes: a `Content-Length` over it is refused
/// before anything is read, a body that keeps coming past it is dropped there.
async fn read_capped(
    resp: &mut reqwest::Response,
    limit: usize,
) -> Result<bytes::Bytes, BodyError> {
    if let Some(len) = resp.content_length()
        && len > limit as u64
    {
        return Err(BodyError::TooLarge(format!("Content-Length {len}")));
    }
    let mut body =
        bytes::BytesMut::with_capacity(resp.content_length().map_or(0, |n| n as usize).min(limit));
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Read)? {
        if chunk.len() > limit - body.len() {
            return Err(BodyError::TooLarge(format!(
                "over {} bytes arrived",
                body.len() + chunk.len()
            )));
        }
        // A body that came in one chunk is handed on without a copy.
        if body.is_empty() && resp.content_length() == Some(chunk.len() as u64) {
            return Ok(chunk);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// Reads at most [`MAX_ERROR_BODY`] bytes of an error response and decodes it with the API's
/// decoder; then removes the credential the request carried from everything the error says.
async fn read_error(
    inner: &Inner,
    operation: &str,
    mut resp: reqwest::Response,
    credential: Option<&http::HeaderValue>,
) -> Error {
    let status = resp.status().as_u16();
    let headers = std::mem::take(resp.headers_mut());
    let (body, truncated) = read_bounded(&mut resp, MAX_ERROR_BODY).await;
    let text = redact(&String::from_utf8_lossy(&body), credential);
    let e = (inner.rules.decode)(status, &headers, &text, Some(operation));
    let e = if truncated && e.body_excerpt().is_none() {
        let msg = format!("{} (body truncated)", e.message());
        e.with_message(msg)
    } else {
        e
    };
    scrub_credential(e, credential)
}

/// [`exec`], then the success body read whole (inside the retry loop).
pub(crate) async fn call(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    call: Call<'_>,
) -> Result<Reply, Error> {
    match exec(
        client,
        inner,
        request,
        Call {
            read_body: true,
            ..call
        },
    )
    .await?
    {
        Received::Read(reply) => Ok(reply),
        // `read_body` is set, so `exec` read the body inside its retry loop.
        Received::Streaming(..) => unreachable!("exec reads the body when asked to"),
    }
}

/// Posts a multipart form (streamed parts) to `url`; the caller decodes the success body.
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
pub(crate) async fn send_multipart(
    client: &reqwest::Client,
    inner: &Inner,
    url: String,
    form: reqwest::multipart::Form,
    operation: &str,
) -> Result<Reply, Error> {
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
    // A streamed upload is sent once and is not bounded by the call timeout: the read timeout
    // bounds its silences, so an upload that keeps moving is never cut off.
    call(
        client,
        inner,
        request,
        Call {
            bounded: false,
            ..Call::new(operation)
        },
    )
    .await
}

/// Sends a request the generated code does not cover and decodes its JSON success body.
#[cfg_attr(not(feature = "intacct"), allow(dead_code))]
pub(crate) async fn send_json<T: serde::de::DeserializeOwned>(
    client: &reqwest::Client,
    inner: &Inner,
    request: reqwest::Request,
    operation: &str,
) -> Result<T, Error> {
    let reply = call(client, inner, request, Call::new(operation)).await?;
    decode_json(inner.api, operation, &reply)
}
