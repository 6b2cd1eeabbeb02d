//! The two operations outside the versioned base path: `GET /health` and `GET /spec.json`.

use super::{Client, types};
use crate::{Error, ErrorKind, Result};

impl Client {
    /// Health-check results (`GET /health`, no scope needed): the `data` of the answer (one
    /// entry per check, free-form), or `None` when the server has no checks to report (204).
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// if let Some(checks) = client.get_health().await? {
    ///     println!("{checks}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn get_health(&self) -> Result<Option<serde_json::Value>> {
        let value: Option<serde_json::Value> =
            self.get_unversioned("/health", "get_health").await?;
        match value {
            None => Ok(None),
            Some(v) => serde_json::from_value::<types::HealthResponse>(v)
                .map(|h| Some(h.data))
                .map_err(|e| {
                    Error::new(
                        ErrorKind::Decode,
                        format!("health body did not decode: {e}"),
                    )
                    .with_operation("get_health")
                }),
        }
    }

    /// The server's OpenAPI document (`GET /spec.json`), as JSON.
    ///
    /// ```no_run
    /// # async fn demo(client: &permkit::perscom::Client) -> permkit::Result<()> {
    /// let spec = client.get_spec().await?;
    /// println!("{}", spec["info"]["version"]);
    /// # Ok(()) }
    /// ```
    pub async fn get_spec(&self) -> Result<serde_json::Value> {
        self.get_unversioned("/spec.json", "get_spec")
            .await?
            .ok_or_else(|| {
                Error::new(ErrorKind::Decode, "the spec response is empty")
                    .with_operation("get_spec")
            })
    }

    async fn get_unversioned(
        &self,
        path: &str,
        operation: &str,
    ) -> Result<Option<serde_json::Value>> {
        let request = self
            .client()
            .get(format!("{}{path}", self.host()))
            .header(http::header::ACCEPT, "application/json")
            .build()
            .map_err(crate::error::from_reqwest)?;
        let reply = crate::transport::call(
            self.client(),
            self.inner(),
            request,
            crate::transport::Call::new(operation),
        )
        .await?;
        if reply.status == 204 || reply.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        crate::transport::decode_json(crate::Api::Perscom, operation, &reply).map(Some)
    }
}
