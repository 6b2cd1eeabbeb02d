//! Building a PERSCOM [`Client`].

use super::Client;
use super::enums::ApiVersion;
use crate::transport::{BearerAuth, ClientOptions, HeaderList, Inner, UrlText};
use crate::{Api, Error, ErrorKind, Result, Secret};
use std::sync::Arc;

/// Builds a [`Client`]: the host, the API key, the optional PERSCOM id, the API version,
/// timeouts, retries and user agent.
///
/// The host is `PERSCOM_URL` (`https://api.perscom.io`); the client adds the version (`v2` by
/// default), so every request goes to `https://api.perscom.io/v2/...`. A host given with a
/// version already on it (`https://api.perscom.io/v2`) is accepted: that version is used unless
/// [`version`](Self::version) says otherwise.
///
/// ```
/// use permkit::perscom::Client;
/// let client = Client::builder("https://api.perscom.io")
///     .api_key("eyJ0eXAiOiJKV1Qi.secret")
///     .perscom_id("1234")
///     .user_agent("roster-sync/1.0")
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://api.perscom.io/v2");
/// assert!(!format!("{client:?}").contains("secret"));
/// ```
#[derive(Debug, Clone)]
#[must_use = "a builder does nothing until built"]
pub struct ClientBuilder {
    host: UrlText,
    api_key: Option<Secret>,
    perscom_id: Option<String>,
    version: Option<ApiVersion>,
    headers: HeaderList,
    options: ClientOptions,
}

impl Client {
    /// Starts a [`ClientBuilder`] for the PERSCOM host (`https://api.perscom.io`).
    ///
    /// ```
    /// let builder = permkit::perscom::Client::builder("https://api.staging.perscom.io");
    /// # let _ = builder;
    /// ```
    pub fn builder(host: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            host: UrlText(host.into()),
            api_key: None,
            perscom_id: None,
            version: None,
            headers: HeaderList::default(),
            options: ClientOptions::default(),
        }
    }

    /// The base URL every request starts with: the host and the version.
    ///
    /// ```
    /// let c = permkit::perscom::Client::builder("https://api.perscom.io/").api_key("k").build().unwrap();
    /// assert_eq!(c.base_url(), "https://api.perscom.io/v2");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }

    /// The host this client talks to (its base URL without the version).
    ///
    /// ```
    /// let c = permkit::perscom::Client::builder("https://api.perscom.io").api_key("k").build().unwrap();
    /// assert_eq!(c.host(), "https://api.perscom.io");
    /// ```
    pub fn host(&self) -> &str {
        let base = self.baseurl.as_str();
        base.rsplit_once('/').map(|(h, _)| h).unwrap_or(base)
    }
}

impl ClientBuilder {
    /// A builder from the environment: `PERSCOM_URL` (the host), `PERSCOM_API_KEY` and the
    /// optional `PERSCOM_ID`. `None` unless both the URL and the key are set and not empty.
    ///
    /// ```
    /// // SAFETY: a doc test; nothing else reads the environment here.
    /// unsafe { std::env::remove_var("PERSCOM_URL") };
    /// assert!(permkit::perscom::ClientBuilder::from_env().is_none());
    /// ```
    pub fn from_env() -> Option<ClientBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let mut builder = Client::builder(var("PERSCOM_URL")?.trim())
            .api_key(var("PERSCOM_API_KEY")?.trim().to_string());
        if let Some(id) = var("PERSCOM_ID") {
            builder = builder.perscom_id(id);
        }
        Some(builder)
    }

    /// The API key (`Authorization: Bearer`): a key from the PERSCOM dashboard or an OAuth
    /// token. It never prints.
    ///
    /// ```
    /// let b = permkit::perscom::Client::builder("https://api.perscom.io").api_key("eyJ...");
    /// # let _ = b;
    /// ```
    pub fn api_key(mut self, key: impl Into<Secret>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The organisation's PERSCOM id, sent as `X-Perscom-Id`. Optional with dashboard API keys
    /// (the key names the organisation); needed with OAuth client-credentials tokens. It is
    /// digits (the spec's `PerscomId`): `build()` refuses anything else, which the server could
    /// not resolve to an organisation (401).
    ///
    /// ```
    /// let b = permkit::perscom::Client::builder("https://api.perscom.io").perscom_id("42");
    /// # let _ = b;
    /// ```
    pub fn perscom_id(mut self, id: impl Into<String>) -> Self {
        self.perscom_id = Some(id.into());
        self
    }

    /// The API version (default [`ApiVersion::V2`], the current one).
    ///
    /// ```
    /// use permkit::perscom::{Client, enums::ApiVersion};
    /// let c = Client::builder("https://api.perscom.io").api_key("k").version(ApiVersion::V1).build().unwrap();
    /// assert_eq!(c.base_url(), "https://api.perscom.io/v1");
    /// ```
    pub fn version(mut self, version: ApiVersion) -> Self {
        self.version = Some(version);
        self
    }

    /// A header sent with every request, such as `X-Perscom-Notifications: false` (the server
    /// then skips the notifications a bulk sync would cause). The value of one that carries a
    /// credential (`X-Api-Key`, `Cookie`, ...) is redacted in `Debug`; `Authorization` is
    /// refused by `build()`: it carries the [`api_key`](Self::api_key).
    ///
    /// ```
    /// let b = permkit::perscom::Client::builder("https://api.perscom.io")
    ///     .default_header("X-Perscom-Notifications", "false");
    /// # let _ = b;
    /// ```
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.0.push((name.into(), value.into()));
        self
    }

    crate::transport::option_setters!(
        "permkit::perscom::Client::builder(\"https://api.perscom.io\")"
    );

    /// Builds the client. Fails with [`ErrorKind::InvalidRequest`] on a bad host URL (or one
    /// with user info, `user:password@`), a missing API key or one a header cannot carry, an
    /// unknown version, an `Authorization` default header or a header value that cannot be sent.
    ///
    /// ```
    /// use permkit::{ErrorKind, perscom::Client};
    /// let e = Client::builder("https://api.perscom.io").build().unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    /// let e = Client::builder("ftp://x").api_key("k").build().unwrap_err();
    /// assert_eq!(e.kind(), ErrorKind::InvalidRequest);
    /// ```
    pub fn build(self) -> Result<Client> {
        let host = crate::transport::base_url(&self.host.0)?;
        // A host that already ends in a version segment: use it as the default version.
        let (host, found) = match host.rsplit_once('/') {
            Some((h, last)) if h.contains("://") && h.len() > h.find("://").unwrap_or(0) + 3 => {
                match ApiVersion::from(last) {
                    v if v.is_known() => (h.to_string(), Some(v)),
                    _ => (host.clone(), None),
                }
            }
            _ => (host.clone(), None),
        };
        let version = self.version.or(found).unwrap_or(ApiVersion::V2);
        if !version.is_known() {
            return Err(Error::new(
                ErrorKind::InvalidRequest,
                format!(
                    "unknown PERSCOM API version `{version}` (known: {})",
                    ApiVersion::KNOWN.join(", ")
                ),
            ));
        }
        let key = self.api_key.ok_or_else(|| {
            Error::new(ErrorKind::InvalidRequest, "a PERSCOM API key is required")
        })?;
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            http::HeaderValue::from_static("application/json"),
        );
        let mut extra = self.headers.0;
        if let Some(id) = self.perscom_id {
            let id = id.trim().to_string();
            if id.is_empty() {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "the PERSCOM id is empty",
                ));
            }
            if !id.bytes().all(|b| b.is_ascii_digit()) {
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "the PERSCOM id is not digits",
                ));
            }
            extra.push(("X-Perscom-Id".into(), id));
        }
        for (name, value) in extra {
            let n = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidRequest,
                    format!("`{name}` is not a valid header name"),
                )
            })?;
            if n == http::header::AUTHORIZATION {
                // The API key's: one set here would be dropped from every request.
                return Err(Error::new(
                    ErrorKind::InvalidRequest,
                    "`Authorization` carries the API key: set it with `api_key()`",
                ));
            }
            let mut v = http::HeaderValue::from_str(&value).map_err(|_| {
                Error::new(
                    ErrorKind::InvalidRequest,
                    format!("the value of `{name}` cannot be sent as a header"),
                )
            })?;
            // Hidden from reqwest's `Debug` (the client's), as the builder's hides it.
            v.set_sensitive(crate::transport::secret_header(&name));
            headers.insert(n, v);
        }
        let http = self.options.http_client(headers)?;
        let inner = Inner::new(&RULES, Arc::new(BearerAuth::new(&key)?), &self.options);
        Ok(Client::new_with_client(
            &format!("{host}/{version}"),
            http,
            inner,
        ))
    }
}

/// What the transport needs to know of PERSCOM.
pub(crate) static RULES: crate::transport::ApiRules = crate::transport::ApiRules {
    api: Api::Perscom,
    decode: super::errors::decode_for,
    retry_after: super::errors::retry_after,
    read_only: super::READ_ONLY,
};
