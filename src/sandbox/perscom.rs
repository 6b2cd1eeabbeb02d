//! The Perscom sandbox (to be seeded).

use super::Service;
use wiremock::{Request, ResponseTemplate};

/// Path prefix of this API on the sandbox server.
pub(crate) const PREFIX: &str = "/perscom";

/// The Perscom mock.
pub(crate) struct Perscom;

impl Perscom {
    /// A mock with seed data.
    pub(crate) fn seeded() -> Self {
        Perscom
    }
}

impl Service for Perscom {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn handle(&self, _request: &Request, _path: &str) -> ResponseTemplate {
        super::json(404, serde_json::json!({"error": "not in the sandbox yet"}))
    }
}
