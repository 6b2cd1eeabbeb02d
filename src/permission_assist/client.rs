//! Building a Permission Assist [`Client`].

use super::Client;
use crate::transport::{BearerAuth, ClientOptions, Inner, UrlText};
use crate::{Api, Error, ErrorKind, Result, Secret};
use std::sync::Arc;

/// Builds a [`Client`]: the server's base URL, the API token, timeouts, retries, user agent.
///
/// ```
/// use permkit::permission_assist::Client;
/// let client = Client::builder("https://pa.example.com/api")
///     .token("pa_abc123")
///     .user_agent("hr-sync/2.1")
///     .build()
///     .unwrap();
/// assert!(!format!("{client:?}").contains("pa_abc123"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: UrlText,
    token: Option<Secret>,
    options: ClientOptions,
}

impl Client {
    /// Starts a [`ClientBuilder`] for the server at `base_url` (ending in `/api`).
    pub fn builder(base_url: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            base_url: UrlText(base_url.into()),
            token: None,
            options: ClientOptions::default(),
        }
    }
}

impl ClientBuilder {
    /// A builder from `PERMISSION_ASSIST_URL` (the base URL, ending in `/api`) and
    /// `PERMISSION_ASSIST_TOKEN`, or `None` when either is unset or empty.
    ///
    /// ```
    /// // With the variables unset there is nothing to build.
    /// if std::env::var("PERMISSION_ASSIST_URL").is_err() {
    ///     assert!(permkit::permission_assist::ClientBuilder::from_env().is_none());
    /// }
    /// ```
    pub fn from_env() -> Option<ClientBuilder> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        Some(Client::builder(var("PERMISSION_ASSIST_URL")?).token(var("PERMISSION_ASSIST_TOKEN")?))
    }

    /// The API token (`Authorization: Bearer`). It never prints.
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }
    crate::transport::option_setters!(
        "permkit::permission_assist::Client::builder(\"https://pa.example.com/api\")"
    );

    /// Builds the client. Fails with [`ErrorKind::InvalidRequest`] on a bad base URL (or one
    /// with user info, `user:password@`), a missing token or one a header cannot carry.
    pub fn build(self) -> Result<Client> {
        let base = crate::transport::base_url(&self.base_url.0)?;
        let token = self.token.ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidRequest,
                "a Permission Assist token is required",
            )
        })?;
        let http = self.options.http_client(http::HeaderMap::new())?;
        let inner = Inner::new(&RULES, Arc::new(BearerAuth::new(&token)?), &self.options);
        Ok(Client::new_with_client(&base, http, inner))
    }
}

/// What the transport needs to know of Permission Assist.
pub(crate) static RULES: crate::transport::ApiRules = crate::transport::ApiRules {
    api: Api::PermissionAssist,
    decode: |status, headers, body, _| super::errors::decode(status, headers, body),
    retry_after: crate::error::retry_after,
    read_only: super::READ_ONLY,
};
