//! The `Signature` header: hex HMAC-SHA256 of the raw body, keyed with the webhook's secret.

use super::MAX_BODY_BYTES;
use crate::{Api, Error, ErrorKind, Result, Secret};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The operation name webhook errors carry.
const OPERATION: &str = "verify_webhook";

/// An error of `kind` about a delivery, tagged with the API and the operation.
pub(super) fn refused(kind: ErrorKind, message: impl Into<String>) -> Error {
    Error::new(kind, message)
        .with_api(Api::Perscom)
        .with_operation(OPERATION)
}

fn mac(secret: &Secret) -> Result<HmacSha256> {
    if secret.expose().is_empty() {
        return Err(refused(
            ErrorKind::InvalidRequest,
            "the webhook secret is empty: anyone could sign a delivery with it; use the secret \
             set on the webhook in the PERSCOM dashboard",
        ));
    }
    // HMAC takes keys of any length; the error is kept only so no input can panic.
    HmacSha256::new_from_slice(secret.expose().as_bytes())
        .map_err(|_| refused(ErrorKind::InvalidRequest, "the webhook secret is unusable"))
}

/// The signature PERSCOM sends for `body` with `secret`: the HMAC-SHA256 of the bytes, as 64
/// lowercase hex digits. Use it to sign deliveries in your own tests (the sandbox signs its
/// deliveries on its own).
///
/// ```
/// use permkit::{Secret, perscom::webhooks};
/// // RFC 4231, test case 2.
/// assert_eq!(
///     webhooks::sign(b"what do ya want for nothing?", &Secret::new("Jefe")),
///     "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
/// );
/// ```
pub fn sign(body: &[u8], secret: &Secret) -> String {
    // An empty key is a valid HMAC key: signing works, verifying refuses it.
    let mut mac = HmacSha256::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// Checks `signature` against `body` and `secret`: the secret is not empty, the body is within
/// [`MAX_BODY_BYTES`], the header is there and is hex, and the HMAC matches (compared in
/// constant time).
pub(super) fn check(body: &[u8], signature: Option<&str>, secret: &Secret) -> Result<()> {
    let mut mac = mac(secret)?;
    if body.len() > MAX_BODY_BYTES {
        return Err(refused(
            ErrorKind::Validation,
            format!(
                "the body is {} bytes, over the limit of {MAX_BODY_BYTES} bytes for a webhook delivery",
                body.len()
            ),
        ));
    }
    let Some(signature) = signature.map(str::trim).filter(|s| !s.is_empty()) else {
        return Err(refused(
            ErrorKind::Unauthorized,
            "the delivery has no Signature header: it was not signed by PERSCOM",
        ));
    };
    let given = match hex::decode(signature) {
        Ok(bytes) if bytes.len() == 32 => bytes,
        _ => {
            return Err(refused(
                ErrorKind::Unauthorized,
                "the Signature header is not an HMAC-SHA256 in hex (64 hex digits)",
            ));
        }
    };
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| {
        let hint = if body.is_empty() {
            " (the body is empty: a GET delivery carries its payload in the query string and \
             cannot be verified; set the webhook's method to POST)"
        } else {
            ""
        };
        refused(
            ErrorKind::Unauthorized,
            format!(
                "the Signature header does not match the body and the secret: the body was \
                 changed, or it was signed with another secret{hint}"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_of_the_wrong_length_is_refused_not_compared() {
        let secret = Secret::new("k");
        let sig = sign(b"{}", &secret);
        assert!(check(b"{}", Some(&sig), &secret).is_ok());
        for bad in [&sig[..62], &format!("{sig}00"), "zz", "   "] {
            let e = check(b"{}", Some(bad), &secret).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::Unauthorized, "{bad}");
        }
    }

    #[test]
    fn the_secret_is_checked_before_anything_else() {
        let e = check(&vec![b'x'; MAX_BODY_BYTES + 1], None, &Secret::new("")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidRequest);
        let e = check(&vec![b'x'; MAX_BODY_BYTES + 1], None, &Secret::new("k")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Validation);
    }
}
