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

/// A static bearer token.
#[derive(Debug, Clone)]
pub(crate) struct BearerAuth(pub crate::Secret);

impl Authenticate for BearerAuth {
    fn authorize<'a>(
        &'a self,
        request: &'a mut reqwest::Request,
    ) -> BoxFuture<'a, Result<(), Error>> {
        Box::pin(async move {
            let v = self.0.bearer_header()?;
            request.headers_mut().insert(http::header::AUTHORIZATION, v);
            Ok(())
        })
    }
}
