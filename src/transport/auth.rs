//! Credentials on each attempt of a request.

use crate::Error;
use futures::future::BoxFuture;
use std::fmt;

/// Puts credentials on each attempt of a request. Implementations never log or print secrets.
pub(crate) trait Authenticate: Send + Sync + fmt::Debug {
    /// Adds the credentials to `request`. A failure is the error of the call: a token endpoint
    /// that refused or could not be reached, or a credential that cannot be sent.
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>>;

    /// Called on a 401 to the request that carried `sent` (its `Authorization` value).
    /// Returning `true` (a fresh credential may work) retries the request once. Only the
    /// credential that was refused is dropped: one fetched meanwhile by another request stays.
    fn on_unauthorized(&self, sent: Option<&http::HeaderValue>) -> bool {
        let _ = sent;
        false
    }
}

/// `Authorization: Bearer <secret>`, marked sensitive; a credential a header cannot carry is an
/// [`InvalidRequest`](crate::ErrorKind::InvalidRequest) that does not show it.
pub(crate) fn bearer_header(secret: &crate::Secret) -> Result<http::HeaderValue, Error> {
    secret.bearer_header().map_err(|_| {
        Error::new(
            crate::ErrorKind::InvalidRequest,
            "the token has characters a header cannot carry",
        )
    })
}

/// A static bearer token, as the header every attempt carries: formatted and checked once, when
/// the client is built.
#[derive(Clone)]
pub(crate) struct BearerAuth(http::HeaderValue);

impl BearerAuth {
    /// Fails as [`bearer_header`] does: when the client is built, before anything is sent.
    pub(crate) fn new(token: &crate::Secret) -> Result<Self, Error> {
        bearer_header(token).map(BearerAuth)
    }
}

impl fmt::Debug for BearerAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerAuth(<redacted>)")
    }
}

impl Authenticate for BearerAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>> {
        request
            .headers_mut()
            .insert(http::header::AUTHORIZATION, self.0.clone());
        Box::pin(std::future::ready(Ok(())))
    }
}
