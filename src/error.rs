//! One error type for all three APIs.
//!
//! Every failure a permkit call can meet ends up as an [`Error`]: the vendor's error body
//! (PERSCOM's `error` object, Permission Assist's error body, Intacct's `ia::error`), an HTML
//! page from a proxy, an empty or truncated body, a dropped connection, a body that does not
//! decode, or input the SDK refused before sending. Match on [`Error::kind`]; read the vendor's
//! details from the accessors.
//!
//! ```
//! use permkit::{Error, ErrorKind};
//!
//! fn explain(e: &Error) -> String {
//!     match e.kind() {
//!         ErrorKind::RateLimited => format!("slow down for {:?}", e.retry_after()),
//!         ErrorKind::Validation => e.field_errors().iter().map(|f| f.to_string()).collect(),
//!         _ => e.to_string(),
//!     }
//! }
//! # let _ = explain;
//! ```

use std::fmt;
use std::time::Duration;

/// `Result` with permkit's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

pub use permkit_core::Api;

/// What kind of failure an [`Error`] is.
///
/// The status sets the kind; a vendor code in the body refines it (listed per variant).
/// Failures that never reached a server ([`Transport`](Self::Transport),
/// [`Timeout`](Self::Timeout), [`InvalidRequest`](Self::InvalidRequest), [`Io`](Self::Io)) have
/// no [`Error::status`].
///
/// ```
/// use permkit::ErrorKind;
/// assert!(ErrorKind::RateLimited.is_retryable());
/// assert!(!ErrorKind::Validation.is_retryable());
/// assert_eq!(ErrorKind::from_status(404), ErrorKind::NotFound);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The credentials were refused. Status 401; Permission Assist `unauthorized`; Intacct
    /// `invalidToken`, `unauthorized`, `GW-0011`, `GW-0031`; any OAuth error of Intacct's token
    /// endpoint (`invalid_client`, `invalid_grant`, ...); and credentials that could not be
    /// obtained or sent at all (no status then).
    Unauthorized,
    /// Status 402: the account's plan does not allow this (PERSCOM).
    PaymentRequired,
    /// Authenticated but not allowed. Status 403; Permission Assist `forbidden`; Intacct
    /// `forbidden`, `permissionDenied`. PERSCOM names the missing scope
    /// ([`Error::required_scope`]).
    Forbidden,
    /// The resource does not exist. Status 404 or 410; Permission Assist `not_found`; Intacct
    /// `notFound`.
    NotFound,
    /// The request was refused as invalid. Status 400; a 422 with field errors (PERSCOM
    /// `errors`, PERSCOM `ValidationException`); Permission Assist `validation_error`; Intacct
    /// `invalidRequest` on a 4xx. [`Error::field_errors`] says which fields.
    Validation,
    /// The request conflicts with the resource's state (a duplicate, cancelling an import
    /// twice). Status 409; Permission Assist `conflict`; Intacct `conflict`, `duplicate`.
    Conflict,
    /// A precondition is not met. Status 422 without field errors; Permission Assist
    /// `unprocessable_entity`.
    Unprocessable,
    /// Too many requests. Status 429; Intacct `GW-0010`, `rateLimitExceeded`,
    /// `tooManyRequests`. [`Error::retry_after`] says when to try again.
    RateLimited,
    /// The server failed. Status 500, 501, 502, 504 and other 5xx; Permission Assist
    /// `server_error`, `creation_failed`.
    Server,
    /// The service is down or in maintenance. Status 503.
    Unavailable,
    /// A status none of the above covers (a 3xx, an unassigned 4xx).
    UnexpectedStatus,
    /// The connection failed, was dropped, or the body could not be read.
    Transport,
    /// The request timed out (connect or read timeout), or the server answered 408.
    Timeout,
    /// A response arrived but its body did not decode into the documented type (or lacked the
    /// field that holds the value, such as Intacct's `ia::result`).
    Decode,
    /// A pager met a server that repeated a page or did not advance.
    Pagination,
    /// Reading a local file or stream failed (uploads).
    Io,
    /// The request could not be built: a bad base URL, a missing required value, a path
    /// parameter that is not one URL segment. The message names the operation and the
    /// parameter. (A value the spec forbids, such as a name over its maximum length, is a
    /// [`Validation`](Self::Validation) error with a field error, as the server would answer.)
    InvalidRequest,
    /// A success body was larger than the client's limit
    /// ([`ClientOptions::max_response_body`](crate::ClientOptions::max_response_body)): it was
    /// not read further.
    ResponseTooLarge,
}

impl ErrorKind {
    /// Whether the failure is transient: the same request, sent again later, may succeed.
    ///
    /// This is one rule for every kind, and it says nothing about what permkit already did:
    /// permkit's own retries ([`RetryPolicy`](crate::RetryPolicy)) have already run when an
    /// error reaches you (see [`Client::request_counts`](crate::RequestCounts) for how many),
    /// and whether repeating an operation that writes is safe is for the caller to judge.
    /// Transient: rate limited, unavailable, server errors, transport failures and timeouts.
    /// Everything else (the request, the credentials or the answer was wrong) fails the same
    /// way again. [`Error::is_retryable`] refines this with the status.
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited
                | ErrorKind::Unavailable
                | ErrorKind::Server
                | ErrorKind::Transport
                | ErrorKind::Timeout
        )
    }

    /// The kind an HTTP status implies when the body says nothing more.
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::Validation,
            401 => ErrorKind::Unauthorized,
            402 => ErrorKind::PaymentRequired,
            403 => ErrorKind::Forbidden,
            404 | 410 => ErrorKind::NotFound,
            408 => ErrorKind::Timeout,
            409 => ErrorKind::Conflict,
            422 => ErrorKind::Unprocessable,
            429 => ErrorKind::RateLimited,
            503 => ErrorKind::Unavailable,
            500..=599 => ErrorKind::Server,
            _ => ErrorKind::UnexpectedStatus,
        }
    }
}

/// One problem with one field (or target) of a request.
///
/// ```
/// let f = permkit::FieldError::new("identity.firstName", "is required");
/// assert_eq!(f.to_string(), "identity.firstName: is required");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct FieldError {
    /// The field path or target (`identity.firstName`, `applicationId`, an Intacct `target`).
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
    /// The vendor's code for this problem, when it gives one.
    pub code: Option<String>,
}

impl FieldError {
    /// A field error with a field name and a message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError {
            field: Some(field.into()),
            message: message.into(),
            code: None,
        }
    }

    /// Sets the vendor's code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(field) = &self.field {
            write!(f, "{}: ", OneLine(field))?;
        }
        write!(f, "{}", OneLine(&self.message))?;
        if let Some(code) = &self.code {
            write!(f, " [{}]", OneLine(code))?;
        }
        Ok(())
    }
}

/// How much of a non-JSON body an error keeps.
pub const BODY_EXCERPT_LIMIT: usize = 512;

/// An error from any permkit call. See the [module docs](self).
///
/// Its `Display` is one readable line; it never contains a credential.
///
/// ```
/// use permkit::{Error, ErrorKind};
/// let e = Error::new(ErrorKind::Validation, "size must be at most 4000");
/// assert_eq!(e.kind(), ErrorKind::Validation);
/// assert_eq!(e.to_string(), "validation: size must be at most 4000");
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Error {
    // Boxed: an `Error` is one pointer wide, so `Result<T, Error>` stays small.
    inner: Box<ErrorInner>,
}

#[derive(Debug, Clone)]
struct ErrorInner {
    kind: ErrorKind,
    api: Option<Api>,
    operation: Option<String>,
    status: Option<u16>,
    code: Option<String>,
    message: String,
    field_errors: Vec<FieldError>,
    correlation_id: Option<String>,
    request_id: Option<String>,
    error_id: Option<String>,
    support_id: Option<String>,
    required_scope: Option<String>,
    retry_after: Option<Duration>,
    body_excerpt: Option<String>,
    // Shared, so that an `Error` can be cloned (a failed token request is handed to every
    // call that waited for it).
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error {
            inner: Box::new(ErrorInner {
                kind,
                api: None,
                operation: None,
                status: None,
                code: None,
                message: message.into(),
                field_errors: Vec::new(),
                correlation_id: None,
                request_id: None,
                error_id: None,
                support_id: None,
                required_scope: None,
                retry_after: None,
                body_excerpt: None,
                source: None,
            }),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }
    /// The API that answered, when known.
    pub fn api(&self) -> Option<Api> {
        self.inner.api
    }
    /// The operation (`operationId`) that failed, when known.
    pub fn operation(&self) -> Option<&str> {
        self.inner.operation.as_deref()
    }
    /// The HTTP status, when a response arrived.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }
    /// The vendor's machine-readable code (`validation_error`, an Intacct `code`, ...).
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }
    /// The vendor's (or permkit's) human-readable message.
    pub fn message(&self) -> &str {
        &self.inner.message
    }
    /// Field-level problems (Permission Assist `errors`, PERSCOM 422 `errors`, Intacct `details`).
    pub fn field_errors(&self) -> &[FieldError] {
        &self.inner.field_errors
    }
    /// Permission Assist's `correlationId`.
    pub fn correlation_id(&self) -> Option<&str> {
        self.inner.correlation_id.as_deref()
    }
    /// The id of this one request, to find it in the vendor's logs: PERSCOM's `request_id`
    /// (or its `X-Perscom-Request-Id` header), or a standard request-id header
    /// (`X-Request-Id`, `X-Correlation-Id`, `X-Amzn-RequestId`, `CF-Ray`). Never an error
    /// catalogue id: Intacct's `errorId` is [`error_id`](Self::error_id).
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }
    /// Intacct's `errorId`: the id of the *kind* of error in Sage's error catalogue
    /// (`REST-1064`, `GW-0031`), the same for every request that fails the same way.
    pub fn error_id(&self) -> Option<&str> {
        self.inner.error_id.as_deref()
    }
    /// Intacct's `supportId`, to quote to Sage support.
    pub fn support_id(&self) -> Option<&str> {
        self.inner.support_id.as_deref()
    }
    /// The scope the call needed (PERSCOM 403s).
    pub fn required_scope(&self) -> Option<&str> {
        self.inner.required_scope.as_deref()
    }
    /// How long the server asked to wait (`Retry-After` and the vendors' own headers).
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
    /// The start of the body (at most [`BODY_EXCERPT_LIMIT`] bytes) when it was not the
    /// vendor's JSON error shape: an HTML page from a proxy, plain text, a truncated body.
    pub fn body_excerpt(&self) -> Option<&str> {
        self.inner.body_excerpt.as_deref()
    }

    // Builders used by the decoders; public so that users' own layers can build errors too.

    /// Sets the API.
    pub fn with_api(mut self, api: Api) -> Self {
        self.inner.api = Some(api);
        self
    }
    /// Sets the operation id.
    pub fn with_operation(mut self, op: impl Into<String>) -> Self {
        self.inner.operation = Some(op.into());
        self
    }
    /// Sets the HTTP status.
    pub fn with_status(mut self, status: u16) -> Self {
        self.inner.status = Some(status);
        self
    }
    /// Sets the vendor's code.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.inner.code = Some(code.into());
        self
    }
    /// Replaces the message.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.inner.message = message.into();
        self
    }
    /// Sets the kind.
    pub fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.inner.kind = kind;
        self
    }
    /// Adds field errors.
    pub fn with_field_errors(mut self, errors: impl IntoIterator<Item = FieldError>) -> Self {
        self.inner.field_errors.extend(errors);
        self
    }
    /// Sets the correlation id.
    pub fn with_correlation_id(mut self, id: impl Into<String>) -> Self {
        self.inner.correlation_id = Some(id.into());
        self
    }
    /// Sets the request id.
    pub fn with_request_id(mut self, id: impl Into<String>) -> Self {
        self.inner.request_id = Some(id.into());
        self
    }
    /// Sets [`error_id`](Self::error_id).
    pub fn with_error_id(mut self, id: impl Into<String>) -> Self {
        self.inner.error_id = Some(id.into());
        self
    }
    /// Sets [`support_id`](Self::support_id).
    pub fn with_support_id(mut self, id: impl Into<String>) -> Self {
        self.inner.support_id = Some(id.into());
        self
    }
    /// Sets the scope the call needed.
    pub fn with_required_scope(mut self, scope: impl Into<String>) -> Self {
        self.inner.required_scope = Some(scope.into());
        self
    }
    /// Sets the retry-after.
    pub fn with_retry_after(mut self, after: Option<Duration>) -> Self {
        self.inner.retry_after = after.or(self.inner.retry_after);
        self
    }
    /// Keeps a bounded excerpt of a body that was not the vendor's JSON.
    pub fn with_body_excerpt(mut self, body: &str) -> Self {
        self.inner.body_excerpt = Some(excerpt(body));
        self
    }
    /// Sets the underlying cause.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.inner.source = Some(std::sync::Arc::new(source));
        self
    }

    /// Refines the kind with what a vendor code in the body says, without overturning what the
    /// status says: a 429 stays rate limited and a 5xx stays a server failure whatever code the
    /// body carries; a 4xx takes the code's kind only if it is a client-error kind. Without a
    /// status (or on a 2xx multi-status answer) the code decides.
    pub(crate) fn with_code_kind(self, kind: ErrorKind) -> Self {
        use ErrorKind as K;
        let client_kind = matches!(
            kind,
            K::Unauthorized
                | K::PaymentRequired
                | K::Forbidden
                | K::NotFound
                | K::Validation
                | K::Conflict
                | K::Unprocessable
        );
        let fits = match self.inner.status {
            None | Some(200..=299) => true,
            Some(429) => false,
            // A 5xx's kind is as precise as the status (503 stays unavailable); a code may only
            // say the server was rate limiting or down.
            Some(500..=599) => matches!(kind, K::Unavailable | K::RateLimited),
            Some(400..=499) => client_kind || kind == K::RateLimited,
            Some(_) => false,
        };
        if fits { self.with_kind(kind) } else { self }
    }

    /// Whether the failure is transient: the same request, sent again later, may succeed (the
    /// rule of [`ErrorKind::is_retryable`], which this follows). A server error whose status
    /// says it will never work (501 Not Implemented, 505 HTTP Version Not Supported) is not
    /// transient.
    ///
    /// ```
    /// use permkit::{Error, ErrorKind};
    /// assert!(Error::new(ErrorKind::Server, "boom").with_status(500).is_retryable());
    /// assert!(!Error::new(ErrorKind::Server, "no").with_status(501).is_retryable());
    /// assert!(!Error::new(ErrorKind::Validation, "bad").is_retryable());
    /// ```
    pub fn is_retryable(&self) -> bool {
        self.inner.kind.is_retryable() && !matches!(self.inner.status, Some(501 | 505))
    }

    /// Sets the operation id unless one is set already (a token request's error keeps
    /// `create_token` when it fails the call that needed the token).
    pub(crate) fn or_operation(mut self, op: &str) -> Self {
        if self.inner.operation.is_none() {
            self.inner.operation = Some(op.to_string());
        }
        self
    }

    /// Removes every secret in `secrets` (and its JSON-escaped spelling) from every text the
    /// error holds: message, code, field errors, ids, body excerpt. Run on the decoded error,
    /// after the JSON decoder has undone the server's escapes (`\/`, `\u0041`), so an echoed
    /// credential is found however the server spelled it. Secrets shorter than 4 characters are
    /// left alone (they would match ordinary text).
    pub(crate) fn scrub(mut self, secrets: &[&str]) -> Self {
        let secrets: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 4).collect();
        if secrets.is_empty() {
            return self;
        }
        let clean = |text: &mut String| {
            for secret in &secrets {
                if text.contains(secret) {
                    *text = text.replace(secret, "[redacted]");
                }
                let escaped = secret.replace('/', "\\/");
                if escaped != *secret && text.contains(&escaped) {
                    *text = text.replace(&escaped, "[redacted]");
                }
            }
        };
        let i = &mut *self.inner;
        clean(&mut i.message);
        for text in [
            &mut i.code,
            &mut i.correlation_id,
            &mut i.request_id,
            &mut i.error_id,
            &mut i.support_id,
            &mut i.required_scope,
            &mut i.body_excerpt,
            &mut i.operation,
        ]
        .into_iter()
        .flatten()
        {
            clean(text);
        }
        for f in &mut i.field_errors {
            clean(&mut f.message);
            if let Some(field) = &mut f.field {
                clean(field);
            }
            if let Some(code) = &mut f.code {
                clean(code);
            }
        }
        self
    }

    /// The starting point every decoder refines: kind from the status, retry-after and request
    /// id from standard headers, and an excerpt when the body is not JSON.
    pub(crate) fn from_response(
        api: Api,
        status: u16,
        headers: &http::HeaderMap,
        body: &str,
    ) -> Self {
        let reason = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("error");
        let mut e = Error::new(ErrorKind::from_status(status), reason)
            .with_api(api)
            .with_status(status)
            .with_retry_after(retry_after(headers));
        e.inner.request_id = request_id_header(headers).map(str::to_string);
        let trimmed = body.trim_start();
        if trimmed.is_empty() {
            e.inner.message = format!("{reason} (empty body)");
        } else if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
            e = e.with_body_excerpt(body);
        }
        e
    }
}

/// The first standard request-id header of a response.
pub(crate) fn request_id_header(headers: &http::HeaderMap) -> Option<&str> {
    [
        "x-request-id",
        "x-correlation-id",
        "x-amzn-requestid",
        "cf-ray",
    ]
    .iter()
    .find_map(|h| headers.get(*h).and_then(|v| v.to_str().ok()))
}

/// The first [`BODY_EXCERPT_LIMIT`] bytes of `body` (cut on a character boundary), one line.
pub(crate) fn excerpt(body: &str) -> String {
    let mut end = body.len().min(BODY_EXCERPT_LIMIT);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let mut s: String = body[..end].split_whitespace().collect::<Vec<_>>().join(" ");
    if end < body.len() {
        s.push('…');
    }
    s
}

/// Reads `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    let v = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    parse_retry_after(v)
}

/// Parses one retry-after value: delta seconds (fractions allowed) or an HTTP date.
pub(crate) fn parse_retry_after(v: &str) -> Option<Duration> {
    if let Ok(secs) = v.parse::<f64>() {
        return (secs.is_finite() && secs >= 0.0)
            .then(|| Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(
        when.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(api) = self.inner.api {
            write!(f, "{api}")?;
            if let Some(op) = &self.inner.operation {
                write!(f, " {}", OneLine(op))?;
            }
            f.write_str(": ")?;
        } else if let Some(op) = &self.inner.operation {
            write!(f, "{}: ", OneLine(op))?;
        }
        if let Some(status) = self.inner.status {
            write!(f, "{status} ")?;
        }
        match &self.inner.code {
            Some(code) => write!(f, "{}: ", OneLine(code))?,
            None => write!(f, "{}: ", kind_label(self.inner.kind))?,
        }
        write!(f, "{}", OneLine(&self.inner.message))?;
        if !self.inner.field_errors.is_empty() {
            let fields: Vec<String> = self
                .inner
                .field_errors
                .iter()
                .map(ToString::to_string)
                .collect();
            write!(f, " ({})", fields.join("; "))?;
        }
        if let Some(scope) = &self.inner.required_scope {
            write!(f, " (needs scope `{}`)", OneLine(scope))?;
        }
        if let Some(after) = self.inner.retry_after {
            write!(f, " (retry after {:.1}s)", after.as_secs_f64())?;
        }
        if let Some(body) = &self.inner.body_excerpt {
            write!(f, " body: {}", OneLine(body))?;
        }
        for (label, id) in [
            ("correlation", &self.inner.correlation_id),
            ("request", &self.inner.request_id),
            ("support", &self.inner.support_id),
        ] {
            if let Some(id) = id {
                write!(f, " [{label} {}]", OneLine(id))?;
            }
        }
        Ok(())
    }
}

/// Vendor text written on one line, safe for a terminal: an ANSI escape sequence (`ESC [ ...`)
/// becomes one space, and every other control character (line breaks, BEL, NUL, BS, DEL, C1
/// controls) and every bidirectional override becomes a space. An `Error` displays as one
/// readable line whatever the server put in any of its fields.
pub(crate) struct OneLine<'a>(pub(crate) &'a str);

/// A character a terminal would act on instead of showing.
pub(crate) fn unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}')
}

impl fmt::Display for OneLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.contains(unsafe_char) {
            return f.write_str(self.0);
        }
        let mut line = String::with_capacity(self.0.len());
        let mut chars = self.0.chars().peekable();
        while let Some(c) = chars.next() {
            if c == '\u{1b}' && chars.peek() == Some(&'[') {
                // A CSI sequence: parameters and intermediates, then one final byte.
                chars.next();
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
                // A space, not nothing: text on either side never joins into a new word (a
                // credential split by an escape stays split).
                line.push(' ');
                continue;
            }
            line.push(if unsafe_char(c) { ' ' } else { c });
        }
        f.write_str(&line)
    }
}

fn kind_label(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Unauthorized => "unauthorized",
        ErrorKind::PaymentRequired => "payment required",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::NotFound => "not found",
        ErrorKind::Validation => "validation",
        ErrorKind::Conflict => "conflict",
        ErrorKind::Unprocessable => "unprocessable",
        ErrorKind::RateLimited => "rate limited",
        ErrorKind::Server => "server error",
        ErrorKind::Unavailable => "unavailable",
        ErrorKind::UnexpectedStatus => "unexpected status",
        ErrorKind::Transport => "transport",
        ErrorKind::Timeout => "timeout",
        ErrorKind::Decode => "decode",
        ErrorKind::Pagination => "pagination",
        ErrorKind::Io => "io",
        ErrorKind::InvalidRequest => "invalid request",
        ErrorKind::ResponseTooLarge => "response too large",
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A transport failure, with the URL's query string (which could carry data) left out.
pub(crate) fn from_reqwest(err: reqwest::Error) -> Error {
    let kind = if err.is_timeout() {
        ErrorKind::Timeout
    } else if err.is_decode() {
        ErrorKind::Decode
    } else if err.is_builder() {
        ErrorKind::InvalidRequest
    } else {
        ErrorKind::Transport
    };
    let what = if err.is_connect() {
        "connection failed"
    } else if err.is_timeout() {
        "timed out"
    } else if err.is_body() {
        "the body could not be sent or read (connection dropped?)"
    } else if err.is_builder() {
        "the request could not be built"
    } else {
        "request failed"
    };
    let mut e = Error::new(kind, what);
    if let Some(s) = err.status() {
        e = e.with_status(s.as_u16());
    }
    e.with_source(err.without_url())
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::new(ErrorKind::Io, err.to_string()).with_source(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line_whatever_the_vendor_wrote() {
        let e = Error::new(ErrorKind::Server, "line one\nline two\r\n")
            .with_field_errors([FieldError::new("a\nb", "bad\tvalue")]);
        let shown = e.to_string();
        assert!(!shown.contains(['\n', '\r', '\t']), "{shown:?}");
        assert!(shown.contains("line one line two"), "{shown}");
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = http::HeaderMap::new();
        h.insert("retry-after", "7".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("1.5"), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }
}
