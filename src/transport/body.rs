//! Bodies: read whole inside the retry loop, read bounded when they are errors, decoded as
//! JSON, and never shown with a credential in them.

use crate::error::{Api, Error, ErrorKind};

/// How many bytes of an error body are read at most.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

/// A 2xx response read whole: status, headers and body.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: http::HeaderMap,
    pub(crate) body: bytes::Bytes,
    /// The `Authorization` value the request carried, kept out of any excerpt of the body.
    pub(crate) credential: Option<http::HeaderValue>,
}

/// Reads at most `limit` bytes of `resp`'s body; `true` when it was cut there or by a
/// dropped connection.
pub(crate) async fn read_bounded(resp: &mut reqwest::Response, limit: usize) -> (Vec<u8>, bool) {
    let mut body = Vec::new();
    loop {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                let room = limit - body.len();
                body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                if chunk.len() > room {
                    return (body, true);
                }
            }
            Ok(None) => return (body, false),
            Err(_) => return (body, true),
        }
    }
}

/// `text` without the credential a request carried (the whole header value and the token in
/// it), for a server that echoes the request back in its answer.
pub(crate) fn redact(text: &str, credential: Option<&http::HeaderValue>) -> String {
    let Some(credential) = credential.and_then(|v| v.to_str().ok()) else {
        return text.to_string();
    };
    let token = credential
        .split_once(' ')
        .map(|(_, t)| t.trim())
        .unwrap_or(credential);
    let mut out = text.replace(credential, "[redacted]");
    if token.len() >= 4 {
        out = out.replace(token, "[redacted]");
    }
    out
}

/// Decodes a JSON success body, or says what it was.
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(
    api: Api,
    operation: &str,
    reply: &Reply,
) -> Result<T, Error> {
    serde_json::from_slice(&reply.body).map_err(|e| {
        let text = redact(
            &String::from_utf8_lossy(&reply.body),
            reply.credential.as_ref(),
        );
        let why = redact(&e.to_string(), reply.credential.as_ref());
        Error::new(
            ErrorKind::Decode,
            format!("response body did not decode: {why}"),
        )
        .with_api(api)
        .with_operation(operation)
        .with_status(reply.status)
        .with_body_excerpt(&text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_removes_the_header_and_the_token() {
        let body = "debug: Authorization: Bearer s3cr3t-token; token=s3cr3t-token";
        let header = http::HeaderValue::from_static("Bearer s3cr3t-token");
        let out = redact(body, Some(&header));
        assert!(!out.contains("s3cr3t"), "{out}");
        assert_eq!(redact(body, None), body);
    }
}
