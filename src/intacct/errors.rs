//! Intacct's `ia::error`.

use crate::error::{Api, Error};

/// Decodes one error response.
pub(crate) fn decode(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    Error::from_response(Api::Intacct, status, headers, body)
}

/// Decodes an OAuth token error.
pub(crate) fn decode_oauth(status: u16, headers: &http::HeaderMap, body: &str) -> Error {
    Error::from_response(Api::Intacct, status, headers, body)
}
