//! The two operations outside the versioned base path: `GET /health` and `GET /spec.json`,
//! with the shape of every other operation (a builder from a `Client` method, `send()` and
//! `send_with_meta()`).

use super::{Client, types};
use crate::{Error, ErrorKind, Pending, Response, Result};

impl Client {
    /// Health-check results (`GET /health`, no scope needed). `send()` gives the `data` of the
    /// answer (one entry per check, free-form), or `None` when the server has no checks to
    /// report (204).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// if let Some(checks) = client.get_health().send().await? {
    ///     println!("{checks}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn get_health(&self) -> GetHealth<'_> {
        GetHealth { client: self }
    }

    /// The server's OpenAPI document (`GET /spec.json`, no credentials needed), as JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// let spec = client.get_spec().send().await?;
    /// println!("{}", spec["info"]["version"]);
    /// # Ok(()) }
    /// ```
    pub fn get_spec(&self) -> GetSpec<'_> {
        GetSpec { client: self }
    }

    async fn get_unversioned(
        &self,
        path: &str,
        operation: &str,
    ) -> Result<Response<Option<serde_json::Value>>> {
        let request = self
            .client()
            .get(format!("{}{path}", self.host()))
            .header(http::header::ACCEPT, "application/json")
            .build()
            .map_err(|e| crate::error::from_reqwest(e).with_operation(operation))?;
        let reply = crate::transport::call(
            self.client(),
            self.inner(),
            request,
            crate::transport::Call::new(operation),
        )
        .await?;
        let value = if reply.status == 204 || reply.body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(crate::transport::decode_json(
                crate::Api::Perscom,
                operation,
                &reply,
            )?)
        };
        Ok(Response::new(value, reply.status, reply.headers))
    }
}

/// The `get_health` call: made by [`Client::get_health`], sent by [`send`](Self::send).
///
/// ```no_run
/// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
/// let answer = client.get_health().send_with_meta().await?;
/// println!("{} {:?}", answer.status(), answer.value());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until it is sent"]
pub struct GetHealth<'a> {
    client: &'a Client,
}

impl<'a> GetHealth<'a> {
    /// Sends the request; returns the checks, or `None` when there are none (204).
    pub fn send(self) -> Pending<'a, Option<serde_json::Value>> {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id.
    pub fn send_with_meta(self) -> Pending<'a, Response<Option<serde_json::Value>>> {
        let client = self.client;
        Pending::new(async move {
            let answer = client.get_unversioned("/health", "get_health").await?;
            answer.try_map(|value| match value {
                None => Ok(None),
                Some(v) => serde_json::from_value::<types::HealthResponse>(v)
                    .map(|h| Some(h.data))
                    .map_err(|e| {
                        Error::new(
                            ErrorKind::Decode,
                            format!("health body did not decode: {e}"),
                        )
                        .with_api(crate::Api::Perscom)
                        .with_operation("get_health")
                    }),
            })
        })
    }
}

/// The `get_spec` call: made by [`Client::get_spec`], sent by [`send`](Self::send).
///
/// ```no_run
/// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
/// let spec = client.get_spec().send_with_meta().await?;
/// println!("{} bytes of spec", spec.headers().get("content-length").map_or("?", |v| v.to_str().unwrap_or("?")));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a call does nothing until it is sent"]
pub struct GetSpec<'a> {
    client: &'a Client,
}

impl<'a> GetSpec<'a> {
    /// Sends the request; returns the document.
    pub fn send(self) -> Pending<'a, serde_json::Value> {
        self.send_with_meta().value()
    }

    /// Like [`send`](Self::send), with the response's status, headers and request id.
    pub fn send_with_meta(self) -> Pending<'a, Response<serde_json::Value>> {
        let client = self.client;
        Pending::new(async move {
            let answer = client.get_unversioned("/spec.json", "get_spec").await?;
            answer.try_map(|value| {
                value.ok_or_else(|| {
                    Error::new(ErrorKind::Decode, "the spec response is empty")
                        .with_api(crate::Api::Perscom)
                        .with_operation("get_spec")
                })
            })
        })
    }
}
