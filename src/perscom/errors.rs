//! PERSCOM's error envelope.

use crate::error::{Api, Error};

/// Decodes one error response.
pub(crate) fn decode(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    Error::from_response(Api::Perscom, status, headers, body)
}
