//! Building an Intacct [`Client`], and choosing the entity per client or per call.

use super::Client;
use super::auth::{
    EntityAuth, Grant, MemoryTokenStore, OAuth, TokenEncoding, TokenStore, check_username,
};
use crate::transport::{Authenticate, BearerAuth, ClientOptions, Inner, UrlText};
use crate::{Api, Error, ErrorKind, Result, Secret};
use std::sync::Arc;
use std::time::Duration;

/// The credentials a [`ClientBuilder`] was given.
#[derive(Debug, Clone)]
enum Credentials {
    Token(Secret),
    Grant(Grant),
}

/// Builds a [`Client`]: the base URL (ending in `/ia/api/v1`), the credentials (a static
/// access token, or OAuth 2.0 client credentials, or a refresh token), the entity, timeouts,
/// retries and user agent.
///
/// ```
/// use permkit::intacct::Client;
/// let client = Client::builder("https://api.intacct.com/ia/api/v1")
///     .client_credentials("my-client-id", "my-client-secret", "ws_user@ACME|US-East")
///     .entity("US-East")
///     .user_agent("hr-sync/2.1")
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("my-client-secret"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: UrlText,
    credentials: Option<Credentials>,
    entity: Option<String>,
    token_url: Option<UrlText>,
    encoding: TokenEncoding,
    skew: Duration,
    options: ClientOptions,
}

impl Client {
    /// Starts a [`ClientBuilder`] for the server at `base_url`
    /// (`https://api.intacct.com/ia/api/v1`).
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1").token("eyJ...");
    /// assert!(b.build().is_ok());
    /// ```
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: UrlText(base_url.into()),
            credentials: None,
            entity: None,
            token_url: None,
            encoding: TokenEncoding::default(),
            skew: Duration::from_secs(60),
            options: ClientOptions::default(),
        }
    }

    /// A client for the same server and credentials whose requests run in `entity`
    /// (`X-IA-API-Param-Entity`). It shares the token cache, so no new token is requested;
    /// cloning is cheap. A request that sets the header itself (the builders'
    /// `.x_ia_api_param_entity(...)`) keeps its own.
    ///
    /// ```
    /// # tokio::runtime::Runtime::new().unwrap().block_on(async {
    /// use permkit::intacct::Client;
    /// let top = Client::builder("https://api.intacct.com/ia/api/v1").token("eyJ...").build().unwrap();
    /// let us = top.with_entity("US-East").unwrap();
    /// assert!(top.with_entity("bad\nentity").is_err());
    /// # let _ = us;
    /// # });
    /// ```
    pub fn with_entity(&self, entity: &str) -> Result<Client> {
        let header = entity_header(entity)?;
        let mut inner = self.inner.clone();
        // The new entity wraps the current credentials (and their entity, which it overrides:
        // the outermost wrapper sets the header first, inner ones leave it alone).
        inner.auth = Arc::new(EntityAuth {
            entity: Some(header),
            inner: self.inner.auth.clone(),
        });
        Ok(Client::new_with_client(
            &self.baseurl,
            self.client.clone(),
            inner,
        ))
    }

    /// The server's base URL (without a trailing slash).
    ///
    /// ```
    /// let c = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1/").token("t").build().unwrap();
    /// assert_eq!(c.base_url(), "https://api.intacct.com/ia/api/v1");
    /// ```
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }
}

fn entity_header(entity: &str) -> Result<http::HeaderValue> {
    let entity = entity.trim();
    if entity.is_empty() {
        return Err(Error::new(ErrorKind::Validation, "the entity id is empty"));
    }
    http::HeaderValue::from_str(entity).map_err(|_| {
        Error::new(
            ErrorKind::Validation,
            "the entity id has characters a header cannot carry",
        )
    })
}

impl ClientBuilder {
    /// A builder from the environment, when `INTACCT_URL` (ending in `/ia/api/v1`) is set with
    /// either `INTACCT_TOKEN`, or `INTACCT_CLIENT_ID`, `INTACCT_CLIENT_SECRET` and
    /// `INTACCT_USERNAME`; `INTACCT_ENTITY` optionally sets the entity. `None` otherwise.
    ///
    /// ```
    /// // With none of the variables set:
    /// # if std::env::var_os("INTACCT_URL").is_none() {
    /// assert!(permkit::intacct::ClientBuilder::from_env().is_none());
    /// # }
    /// ```
    pub fn from_env() -> Option<ClientBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let url = var("INTACCT_URL")?;
        let builder = Client::builder(url);
        let builder = match (
            var("INTACCT_TOKEN"),
            var("INTACCT_CLIENT_ID"),
            var("INTACCT_CLIENT_SECRET"),
            var("INTACCT_USERNAME"),
        ) {
            (Some(token), ..) => builder.token(token),
            (None, Some(id), Some(secret), Some(user)) => {
                builder.client_credentials(id, secret, user)
            }
            _ => return None,
        };
        Some(match var("INTACCT_ENTITY") {
            Some(e) => builder.entity(e),
            None => builder,
        })
    }

    /// A static access token (`Authorization: Bearer`), e.g. one your own OAuth flow obtained.
    /// It is not refreshed.
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1").token("eyJ...");
    /// # let _ = b;
    /// ```
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = Some(Credentials::Token(token.into()));
        self
    }

    /// OAuth 2.0 client credentials: the client id and secret of your registered application
    /// and the Web Services user, `user@company`, or `user@company|entity` for an entity-level
    /// token. Tokens are requested when needed and refreshed before they expire.
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1")
    ///     .client_credentials("id", "secret", "ws_user@ACME");
    /// # let _ = b;
    /// ```
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        username: impl Into<String>,
    ) -> Self {
        self.credentials = Some(Credentials::Grant(Grant::ClientCredentials {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            username: username.into(),
        }));
        self
    }

    /// OAuth 2.0 refresh token grant, with the refresh token read from and rotated into
    /// `store` (see [`TokenStore`]).
    ///
    /// ```
    /// use std::sync::Arc;
    /// use permkit::intacct::{Client, MemoryTokenStore};
    /// let store = Arc::new(MemoryTokenStore::new("refresh-token"));
    /// let b = Client::builder("https://api.intacct.com/ia/api/v1").refresh_token("id", "secret", store.clone());
    /// # let _ = b;
    /// ```
    pub fn refresh_token(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        store: Arc<dyn TokenStore>,
    ) -> Self {
        self.credentials = Some(Credentials::Grant(Grant::RefreshToken {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            store,
            entity_id: None,
        }));
        self
    }

    /// Like [`refresh_token`](Self::refresh_token) with an in-memory store holding
    /// `refresh_token`: rotated tokens are kept for this process only.
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1")
    ///     .refresh_token_in_memory("id", "secret", "refresh-token");
    /// # let _ = b;
    /// ```
    pub fn refresh_token_in_memory(
        self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        refresh_token: impl Into<Secret>,
    ) -> Self {
        self.refresh_token(
            client_id,
            client_secret,
            Arc::new(MemoryTokenStore::new(refresh_token)),
        )
    }

    /// With the refresh grant: also send `entity_id`, for an entity-level token. Third-party
    /// evidence only; Sage's documentation does not mention it.
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1")
    ///     .refresh_token_in_memory("id", "secret", "rt")
    ///     .refresh_entity_id("US-East");
    /// # let _ = b;
    /// ```
    pub fn refresh_entity_id(mut self, entity: impl Into<String>) -> Self {
        if let Some(Credentials::Grant(Grant::RefreshToken { entity_id, .. })) =
            &mut self.credentials
        {
            *entity_id = Some(entity.into());
        }
        self
    }

    /// The entity every request runs in (`X-IA-API-Param-Entity`), unless the call says
    /// otherwise. Without it the token's default entity is used.
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1").token("t").entity("US-East");
    /// # let _ = b;
    /// ```
    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.entity = Some(entity.into());
        self
    }

    /// The token endpoint, if not `<base URL>/oauth2/token`.
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1")
    ///     .token_url("https://api.intacct.com/ia/api/v1/oauth2/token");
    /// # let _ = b;
    /// ```
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = Some(UrlText(url.into()));
        self
    }

    /// How the token request body is encoded (form by default).
    ///
    /// ```
    /// use permkit::intacct::{Client, TokenEncoding};
    /// let b = Client::builder("https://api.intacct.com/ia/api/v1").token_encoding(TokenEncoding::Json);
    /// # let _ = b;
    /// ```
    pub fn token_encoding(mut self, encoding: TokenEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// How long before its expiry a token is replaced (60 s by default; at most half the
    /// token's lifetime).
    ///
    /// ```
    /// let b = permkit::intacct::Client::builder("https://api.intacct.com/ia/api/v1")
    ///     .token_refresh_skew(std::time::Duration::from_secs(120));
    /// # let _ = b;
    /// ```
    pub fn token_refresh_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    crate::transport::option_setters!(
        "permkit::intacct::Client::builder(\"https://api.intacct.com/ia/api/v1\")"
    );

    /// Builds the client. Fails with [`ErrorKind::InvalidRequest`] on a bad base or token URL
    /// (or one with user info, `user:password@`), missing
    /// credentials or a token a header cannot carry, and [`ErrorKind::Validation`] on a
    /// malformed username or entity.
    ///
    /// ```
    /// let e = permkit::intacct::Client::builder("https://x/ia/api/v1").build().unwrap_err();
    /// assert_eq!(e.kind(), permkit::ErrorKind::InvalidRequest);
    /// ```
    pub fn build(self) -> Result<Client> {
        let base = crate::transport::base_url(&self.base_url.0)?;
        let credentials = self.credentials.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidRequest,
                "Intacct needs an access token or OAuth 2.0 client credentials",
            )
        })?;
        let http = self.options.http_client(http::HeaderMap::new())?;
        let counter = Arc::new(crate::transport::Counter::default());
        let auth: Arc<dyn Authenticate> = match credentials {
            Credentials::Token(token) => Arc::new(BearerAuth::new(&token)?),
            Credentials::Grant(grant) => {
                if let Grant::ClientCredentials { username, .. } = &grant {
                    check_username(username)?;
                }
                let token_url = match self.token_url {
                    Some(u) => crate::transport::base_url(&u.0)?,
                    None => format!("{base}/oauth2/token"),
                };
                Arc::new(OAuth::new(
                    token_url,
                    http.clone(),
                    grant,
                    self.encoding,
                    self.skew,
                    counter.clone(),
                    self.options.retry.clone(),
                ))
            }
        };
        let entity = self.entity.as_deref().map(entity_header).transpose()?;
        let auth: Arc<dyn Authenticate> = Arc::new(EntityAuth {
            entity,
            inner: auth,
        });
        let mut inner = Inner::new(&RULES, auth, &self.options);
        inner.counter = counter;
        Ok(Client::new_with_client(&base, http, inner))
    }
}

/// What the transport needs to know of Intacct.
pub(crate) static RULES: crate::transport::ApiRules = crate::transport::ApiRules {
    api: Api::Intacct,
    decode: |status, headers, body, _| super::errors::decode(status, headers, body),
    retry_after: super::errors::retry_after,
    read_only: super::READ_ONLY,
};
