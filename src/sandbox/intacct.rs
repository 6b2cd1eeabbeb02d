//! The Intacct sandbox (to be seeded).

use super::Service;
use wiremock::{Request, ResponseTemplate};

/// Path prefix of this API on the sandbox server.
pub(crate) const PREFIX: &str = "/intacct/ia/api/v1";

/// The Intacct mock.
pub(crate) struct Intacct;

impl Intacct {
    /// A mock with seed data.
    pub(crate) fn seeded() -> Self {
        Intacct
    }
}

impl Service for Intacct {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn handle(&self, _request: &Request, _path: &str) -> ResponseTemplate {
        super::json(404, serde_json::json!({"error": "not in the sandbox yet"}))
    }
}
