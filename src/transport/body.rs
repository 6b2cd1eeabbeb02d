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

/// The secrets an `Authorization` value holds: the whole value and the token in it.
fn credential_parts(credential: Option<&http::HeaderValue>) -> Vec<&str> {
    let Some(credential) = credential.and_then(|v| v.to_str().ok()) else {
        return Vec::new();
    };
    let mut parts = vec![credential];
    if let Some((_, token)) = credential.split_once(' ') {
        parts.push(token.trim());
    }
    parts
}

/// `text` without the credential a request carried (the whole header value and the token in
/// it, as sent and with `/` escaped as `\/`): a body is cleaned before it is decoded, so that
/// no excerpt cut from it can keep part of a credential, and the error is cleaned again after
/// ([`scrub_credential`]), when the decoder has undone the body's other escapes.
pub(crate) fn redact(text: &str, credential: Option<&http::HeaderValue>) -> String {
    let mut out = text.to_string();
    for secret in credential_parts(credential) {
        if secret.len() < 4 {
            continue;
        }
        out = out.replace(secret, "[redacted]");
        let escaped = secret.replace('/', "\\/");
        if escaped != secret {
            out = out.replace(&escaped, "[redacted]");
        }
    }
    out
}

/// `e` without the credential a request carried, in any of its texts (see [`Error::scrub`]).
pub(crate) fn scrub_credential(e: Error, credential: Option<&http::HeaderValue>) -> Error {
    e.scrub(&credential_parts(credential))
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
        let e = Error::new(
            ErrorKind::Decode,
            format!("response body did not decode: {e}"),
        )
        .with_api(api)
        .with_operation(operation)
        .with_status(reply.status)
        .with_body_excerpt(&text);
        scrub_credential(e, reply.credential.as_ref())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrubbing_removes_the_header_and_the_token_however_escaped() {
        let header = http::HeaderValue::from_static("Bearer s3cr/3t-token");
        let e = Error::new(
            ErrorKind::Unauthorized,
            "debug: Authorization: Bearer s3cr/3t-token",
        )
        .with_code("s3cr\\/3t-token")
        .with_body_excerpt("token=s3cr/3t-token");
        let e = scrub_credential(e, Some(&header));
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("s3cr"), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
}
