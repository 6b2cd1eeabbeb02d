//! The options every client builder takes: timeouts, retries, user agent, the limit on
//! requests in flight.

use super::{Connection, Interceptor, Interceptors, ProxyUrl};
use crate::error::{Error, from_reqwest};
use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::Duration;

/// When and how often a failed request is tried again.
///
/// Retried, up to [`max_retries`](Self::max_retries) times with backoff:
/// - 429, on every operation, after the server's `Retry-After` or the vendor's own header;
/// - a connection that could not be made, on every operation (nothing was sent);
/// - 502, 503, 504 and a connection dropped before the whole answer arrived, on operations
///   that only read: the idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) and the
///   operations the spec marks as reading although they are POSTs (`x-permkit-read-only`:
///   Intacct's `query`, PERSCOM's `search_*`). [`treat_as_read`](Self::treat_as_read) changes
///   that for one operation.
///
/// Not retried: a timeout (the limit is yours: it fails as [`Timeout`](crate::ErrorKind::Timeout)),
/// other statuses, and a request whose body streams from disk. Intacct's token request
/// (`create_token`) follows the same policy, on 429, 502-504 and failed connects.
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
    /// Operations whose retries the caller decided: `(operation id, retried as a read)`.
    operations: Vec<(String, bool)>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
            operations: Vec::new(),
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

    /// Decides for one operation (by its operation id, `create_identity`, `query`) whether it
    /// is retried as a read is (`true`: also after 502-504 and a dropped connection) or as a
    /// write is (`false`: only after a 429 or a failed connect), whatever its method and the
    /// spec say. The last call for an operation wins.
    ///
    /// ```
    /// // This deployment's `create_identity` is an upsert: safe to send again.
    /// let policy = permkit::RetryPolicy::default()
    ///     .treat_as_read("create_identity", true)
    ///     .treat_as_read("query", false);
    /// # let _ = policy;
    /// ```
    pub fn treat_as_read(mut self, operation: impl Into<String>, reads: bool) -> Self {
        let operation = operation.into();
        self.operations.retain(|(op, _)| *op != operation);
        self.operations.push((operation, reads));
        self
    }

    /// What [`treat_as_read`](Self::treat_as_read) decided for `operation`, if anything.
    pub(crate) fn treats_as_read(&self, operation: &str) -> Option<bool> {
        self.operations
            .iter()
            .find(|(op, _)| op == operation)
            .map(|(_, reads)| *reads)
    }

    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
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

/// The default [`ClientOptions::call_timeout`]: the longest one call waits, all attempts
/// included, for a server that never answers.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// The default [`ClientOptions::max_response_body`]: 128 MiB. A 4,000-row Intacct query page
/// of wide objects is a few MiB, a PERSCOM page of 100 users with every relation included
/// well under one.
pub const DEFAULT_MAX_RESPONSE_BODY: usize = 128 * 1024 * 1024;

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
    /// A limit on each HTTP request, if you want one (none by default, so uploads are not cut
    /// off).
    pub timeout: Option<Duration>,
    /// A limit on each whole call: every attempt, the waits between them and reading the
    /// answer. [`DEFAULT_CALL_TIMEOUT`] (2 minutes) by default; `None` for no limit. Streamed
    /// uploads are not bounded by it (an upload that keeps moving is never cut off): the read
    /// timeout bounds their silences.
    pub call_timeout: Option<Duration>,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// Retries.
    pub retry: RetryPolicy,
    /// The most requests this client has on the wire at once, shared by everything that uses
    /// the client: prefetching pagers (`.prefetch(n)`), your own concurrent calls, and clients
    /// made from it (`with_entity`). `None` (the default) is no limit: none of the three
    /// vendors documents a default (Sage caps concurrent requests per performance tier; set
    /// your tier's figure here). A request holds its slot while it is sent and its answer read
    /// (a download until its body is dropped), not while it waits to retry; a token request
    /// takes no slot. The time spent waiting for a slot counts toward
    /// [`call_timeout`](Self::call_timeout).
    pub max_concurrent_requests: Option<NonZeroUsize>,
    /// The largest success body a call reads whole, in bytes ([`DEFAULT_MAX_RESPONSE_BODY`],
    /// 128 MiB, by default). A larger one fails the call with
    /// [`ErrorKind::ResponseTooLarge`](crate::ErrorKind::ResponseTooLarge) as soon as it is
    /// known (at once when its `Content-Length` says so), and is not retried. Downloads that
    /// stream (PERSCOM files as a `ByteStream`) are not bounded by it; error bodies are read
    /// to 64 KiB only.
    pub max_response_body: usize,
    /// Root certificates, client identity, proxy, local address.
    pub(crate) connection: Connection,
    /// A setting that could not be taken (a proxy that is not a URL): `build()` fails with it.
    pub(crate) refused: Option<Error>,
    /// The user's interceptors, in the order they were added.
    pub(crate) interceptors: Interceptors,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            timeout: None,
            call_timeout: Some(DEFAULT_CALL_TIMEOUT),
            user_agent: concat!("permkit/", env!("CARGO_PKG_VERSION")).to_string(),
            retry: RetryPolicy::default(),
            max_concurrent_requests: None,
            max_response_body: DEFAULT_MAX_RESPONSE_BODY,
            connection: Connection::default(),
            refused: None,
            interceptors: Interceptors::default(),
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
    /// Sets [`ClientOptions::call_timeout`].
    pub fn with_call_timeout(mut self, d: Option<Duration>) -> Self {
        self.call_timeout = d;
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
    /// Sets [`ClientOptions::max_concurrent_requests`]; `0` is no limit.
    ///
    /// ```
    /// let opts = permkit::ClientOptions::default().with_max_concurrent_requests(4);
    /// assert_eq!(opts.max_concurrent_requests.map(|n| n.get()), Some(4));
    /// assert!(permkit::ClientOptions::default().with_max_concurrent_requests(0).max_concurrent_requests.is_none());
    /// ```
    pub fn with_max_concurrent_requests(mut self, n: usize) -> Self {
        self.max_concurrent_requests = NonZeroUsize::new(n);
        self
    }

    /// Sets [`ClientOptions::max_response_body`].
    ///
    /// ```
    /// let opts = permkit::ClientOptions::default().with_max_response_body(16 << 20);
    /// assert_eq!(opts.max_response_body, 16 << 20);
    /// ```
    pub fn with_max_response_body(mut self, bytes: usize) -> Self {
        self.max_response_body = bytes;
        self
    }

    /// Trusts `certificate` as a root, beside the platform's roots (a company or test CA).
    ///
    /// ```
    /// # fn demo(pem: &[u8]) -> permkit::Result<()> {
    /// let opts = permkit::ClientOptions::default()
    ///     .with_root_certificate(permkit::Certificate::from_pem(pem)?);
    /// # let _ = opts; Ok(()) }
    /// ```
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub fn with_root_certificate(mut self, certificate: super::Certificate) -> Self {
        self.connection.roots.push(certificate);
        self
    }

    /// Trusts only the root certificates added with
    /// [`with_root_certificate`](Self::with_root_certificate), not the platform's (a private
    /// deployment pinned to its own CA).
    ///
    /// ```
    /// let opts = permkit::ClientOptions::default().with_only_added_roots(true);
    /// # let _ = opts;
    /// ```
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub fn with_only_added_roots(mut self, only: bool) -> Self {
        self.connection.only_these_roots = only;
        self
    }

    /// Presents `identity` to servers that ask for a client certificate (mutual TLS).
    ///
    /// ```no_run
    /// # fn demo(pem: &[u8]) -> permkit::Result<()> {
    /// let opts = permkit::ClientOptions::default()
    ///     .with_identity(permkit::ClientIdentity::from_pem(pem)?);
    /// # let _ = opts; Ok(()) }
    /// ```
    #[cfg(any(feature = "rustls", feature = "native-tls"))]
    pub fn with_identity(mut self, identity: super::ClientIdentity) -> Self {
        self.connection.identity = Some(identity);
        self
    }

    /// Sends every request through the proxy at `url` (`http://proxy:3128`; user and password
    /// in the URL go to the proxy only). A URL that is not one fails the client's `build()`.
    /// No proxy by default, and the `HTTP_PROXY` variables are not read.
    ///
    /// ```
    /// let opts = permkit::ClientOptions::default().with_proxy("http://proxy.internal:3128");
    /// # let _ = opts;
    /// ```
    pub fn with_proxy(mut self, url: &str) -> Self {
        match ProxyUrl::parse(url) {
            Ok(proxy) => self.connection.proxy = Some(proxy),
            Err(e) => self.refused = Some(e),
        }
        self
    }

    /// Connects from `address` (a host with several interfaces).
    ///
    /// ```
    /// let opts = permkit::ClientOptions::default()
    ///     .with_local_address(std::net::Ipv4Addr::LOCALHOST.into());
    /// # let _ = opts;
    /// ```
    pub fn with_local_address(mut self, address: std::net::IpAddr) -> Self {
        self.connection.local_address = Some(address);
        self
    }

    /// Adds an [`Interceptor`]: it sees every attempt of every call (see its docs). Several
    /// run in the order they were added.
    ///
    /// ```
    /// struct Nothing;
    /// impl permkit::Interceptor for Nothing {}
    /// let opts = permkit::ClientOptions::default().with_interceptor(Nothing);
    /// # let _ = opts;
    /// ```
    pub fn with_interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.0.push(Arc::new(interceptor));
        self
    }

    /// The `reqwest::Client` these options describe, with `default_headers` on every request.
    /// It follows no redirect: the transport does (a POST never quietly becomes a GET, and
    /// credentials never follow a redirect to another host).
    pub(crate) fn http_client(
        &self,
        default_headers: http::HeaderMap,
    ) -> Result<reqwest::Client, Error> {
        if let Some(e) = &self.refused {
            return Err(e.clone());
        }
        let mut b = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .read_timeout(self.read_timeout)
            .user_agent(self.user_agent.clone())
            .redirect(reqwest::redirect::Policy::none())
            .default_headers(default_headers);
        if let Some(t) = self.timeout {
            b = b.timeout(t);
        }
        // Applied before nothing else is: the redirect policy and timeouts above stay.
        b = self.connection.apply(b)?;
        #[cfg(all(feature = "rustls", not(feature = "rustls-aws-lc")))]
        super::connection::ensure_crypto_provider();
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

        /// A limit on each whole call, all attempts and waits included (2 minutes by default;
        /// streamed uploads are not bounded by it).
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .call_timeout(std::time::Duration::from_secs(30));\n# let _ = b;\n```")]
        pub fn call_timeout(mut self, d: std::time::Duration) -> Self {
            self.options.call_timeout = Some(d);
            self
        }

        /// The retry policy: 429 after the server's retry-after (the standard header or the
        /// vendor's own), 502-504 and dropped connections on operations that only read. See
        /// [`RetryPolicy`](crate::RetryPolicy).
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .retry(permkit::RetryPolicy::default().with_max_retries(5));\n# let _ = b;\n```")]
        pub fn retry(mut self, retry: $crate::RetryPolicy) -> Self {
            self.options.retry = retry;
            self
        }

        /// The most requests the client has on the wire at once, shared by prefetching pagers
        /// and your own concurrent calls (none by default; `0` is none). See
        /// [`ClientOptions::max_concurrent_requests`](crate::ClientOptions::max_concurrent_requests).
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .max_concurrent_requests(4);\n# let _ = b;\n```")]
        pub fn max_concurrent_requests(mut self, n: usize) -> Self {
            self.options = self.options.with_max_concurrent_requests(n);
            self
        }

        /// The largest success body read whole (128 MiB by default). See
        /// [`ClientOptions::max_response_body`](crate::ClientOptions::max_response_body).
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .max_response_body(32 << 20);\n# let _ = b;\n```")]
        pub fn max_response_body(mut self, bytes: usize) -> Self {
            self.options.max_response_body = bytes;
            self
        }

        /// Trusts `certificate` as a root beside the platform's. See
        /// [`ClientOptions::with_root_certificate`](crate::ClientOptions::with_root_certificate).
        ///
        #[doc = concat!("```\n# fn demo(pem: &[u8]) -> permkit::Result<()> {\nlet b = ", $builder, "\n    .root_certificate(permkit::Certificate::from_pem(pem)?);\n# let _ = b; Ok(()) }\n```")]
        #[cfg(any(feature = "rustls", feature = "native-tls"))]
        pub fn root_certificate(mut self, certificate: $crate::Certificate) -> Self {
            self.options = self.options.with_root_certificate(certificate);
            self
        }

        /// Presents a client certificate (mutual TLS). See
        /// [`ClientOptions::with_identity`](crate::ClientOptions::with_identity).
        ///
        #[doc = concat!("```no_run\n# fn demo(pem: &[u8]) -> permkit::Result<()> {\nlet b = ", $builder, "\n    .identity(permkit::ClientIdentity::from_pem(pem)?);\n# let _ = b; Ok(()) }\n```")]
        #[cfg(any(feature = "rustls", feature = "native-tls"))]
        pub fn identity(mut self, identity: $crate::ClientIdentity) -> Self {
            self.options = self.options.with_identity(identity);
            self
        }

        /// Sends every request through a proxy. See
        /// [`ClientOptions::with_proxy`](crate::ClientOptions::with_proxy).
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .proxy(\"http://proxy.internal:3128\");\n# let _ = b;\n```")]
        pub fn proxy(mut self, url: &str) -> Self {
            self.options = self.options.with_proxy(url);
            self
        }

        /// Connects from a given local address.
        ///
        #[doc = concat!("```\nlet b = ", $builder, "\n    .local_address(std::net::Ipv4Addr::LOCALHOST.into());\n# let _ = b;\n```")]
        pub fn local_address(mut self, address: std::net::IpAddr) -> Self {
            self.options = self.options.with_local_address(address);
            self
        }

        /// Adds an interceptor that sees every attempt of every call. See
        /// [`Interceptor`](crate::Interceptor).
        ///
        #[doc = concat!("```\nstruct Nothing;\nimpl permkit::Interceptor for Nothing {}\nlet b = ", $builder, "\n    .interceptor(Nothing);\n# let _ = b;\n```")]
        pub fn interceptor(mut self, interceptor: impl $crate::Interceptor) -> Self {
            self.options = self.options.with_interceptor(interceptor);
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
