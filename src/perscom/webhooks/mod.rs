//! Receiving PERSCOM's webhooks: the `Signature` header checked, the payload typed.
//!
//! PERSCOM calls a URL of yours when a resource changes (webhooks are set up in the PERSCOM
//! dashboard; the docs mark them an Enterprise-plan feature). Each delivery is a `POST` whose
//! body is the event as JSON, and whose `Signature` header is the hex HMAC-SHA256 of that body,
//! keyed with the secret you gave the webhook. [`verify`] checks the header against the raw
//! bytes of the body in constant time and only then decodes the body into a [`WebhookEvent`]:
//!
//! ```
//! use permkit::perscom::webhooks::{self, EventData};
//! use permkit::Secret;
//!
//! // What your server hands you: the raw body and the `Signature` header, if any.
//! fn receive(body: &[u8], signature: Option<&str>) -> u16 {
//!     let secret = Secret::new("the webhook's secret");
//!     match webhooks::verify(body, signature, &secret) {
//!         Ok(event) => {
//!             if let EventData::User(user) = event.data() {
//!                 println!("{}: {} <{}>", event.name(), user.name, user.email);
//!             }
//!             204
//!         }
//!         Err(e) => {
//!             eprintln!("refused: {e}");
//!             401
//!         }
//!     }
//! }
//! # let body = br#"{"event":"user.created","data":{"id":1,"name":"Pat","email":"pat@example.mil"},"changes":[]}"#;
//! # let signature = webhooks::sign(body, &Secret::new("the webhook's secret"));
//! # assert_eq!(receive(body, Some(&signature)), 204);
//! # assert_eq!(receive(body, None), 401);
//! ```
//!
//! The functions take bytes and header values, so they fit any server (axum, actix, hyper,
//! a Lambda handler). Hand them the body exactly as it arrived: a body parsed and written
//! again no longer matches the signature. `examples/webhook_receiver.rs` is a whole receiver
//! (axum), and the sandbox delivers signed events to a URL of yours
//! (`Sandbox::register_perscom_webhook`), so a receiver can be tested end to end.
//!
//! # Events
//!
//! [`WebhookEvent::name`] is the event string. PERSCOM's documentation lists 30 events, each
//! resource with `created`, `updated` and `deleted`: `assignmentrecord`, `awardrecord`,
//! `calendar`, `combatrecord`, `event`, `qualificationrecord`, `rankrecord`, `servicerecord`,
//! `submission` and `user`. The server's source also sends `message.*` and a dashboard test
//! event, `webhook.test`. Each documented resource's data decodes into the client's own type
//! ([`EventData::User`] holds a [`types::User`](crate::perscom::types::User), and so on);
//! an event this version does not know still decodes, with [`EventName::UnknownValue`] and
//! [`EventData::Other`] holding the JSON.
//!
//! # Retries and duplicates
//!
//! PERSCOM gives each delivery 3 seconds, and tries a delivery that failed (no answer, or a
//! status that is not 2xx) up to 3 times in all, with exponential backoff. Answer with a 2xx
//! quickly and do slow work afterwards. A retried delivery carries the same body, so the same
//! event can arrive twice: [`WebhookEvent::request_id`] is the id of the PERSCOM request that
//! made the change (the `X-Perscom-Request-Id` of that request's response), and, with the event
//! name and the resource's id, lets a receiver drop what it has already handled
//! ([`WebhookEvent::dedup_key`]). One request can change several resources (a batch), so
//! `request_id` alone is not unique per event.
//!
//! # What is refused, and the error kind
//!
//! Nothing that fails a check is ever returned as an event, and no input panics.
//!
//! | failure | [`ErrorKind`](crate::ErrorKind) |
//! |---|---|
//! | no `Signature` header, a header that is not 64 hex digits, or a signature that does not match the body and secret (a changed byte of the body, the header or the secret) | `Unauthorized` |
//! | a `GET` delivery ([`verify_request`]): its payload is in the query string and cannot be checked | `Unauthorized` |
//! | an empty secret (a configuration mistake: anyone could sign with it) | `InvalidRequest` |
//! | a body over [`MAX_BODY_BYTES`], whatever its signature | `Validation` |
//! | a correctly signed body that is not an event object with an `event` string | `Decode` |
//!
//! Errors never contain the secret or the expected signature.
//!
//! # What PERSCOM's documentation leaves open
//!
//! - **The algorithm.** The docs say each request is "signed with a user-defined secret" and the
//!   signature is in the `Signature` header; they do not name the algorithm. PERSCOM sends its
//!   webhooks with `spatie/laravel-webhook-server`, whose default signer is the hex
//!   HMAC-SHA256 of the JSON body; PERSCOM keeps that signer. Hex digits of either case are
//!   accepted, and white space around the header is ignored.
//! - **`GET` deliveries.** A webhook may be set to `GET`; the payload then travels as query
//!   parameters (PHP's `http_build_query`: nested keys, nulls dropped, `true` as `1`), while
//!   the signature is still over the JSON encoding, which cannot be rebuilt byte for byte from
//!   the query (types, nulls, empty arrays and PHP's escaping are lost). Those deliveries are
//!   refused by [`verify_request`], and an empty body fails [`verify`] with the same advice:
//!   set the webhook's method to `POST`.
//! - **The payload** is read from the server's source, not from the docs:
//!   `{"event", "created", "request_id", "trace_id", "data", "changes"}`, `data` being the
//!   model's attributes. Every field but `event` is optional here; `changes` may be an object,
//!   `null` or `[]` (PHP's empty array, which is what a `created` event carries); `created` may
//!   be an ISO-8601 string or PHP's `{"date", "timezone"}` object. A documented event whose
//!   `data` does not match the resource's type still verifies: [`WebhookEvent::data`] is then
//!   [`EventData::Other`] and [`WebhookEvent::data_error`] says why.
//! - **The size** of a delivery is not documented. [`MAX_BODY_BYTES`] (1 MiB) is far above
//!   any one resource's attributes; a larger body is refused before its signature is computed.

mod event;
mod signature;

pub use event::{Action, EventData, EventName, WebhookEvent};
pub use signature::sign;

use crate::{Result, Secret};

/// The header PERSCOM puts the signature in.
///
/// ```
/// assert_eq!(permkit::perscom::webhooks::SIGNATURE_HEADER, "Signature");
/// ```
pub const SIGNATURE_HEADER: &str = "Signature";

/// The largest body [`verify`] reads: 1 MiB. A larger body is refused with
/// [`ErrorKind::Validation`](crate::ErrorKind::Validation), however it is signed. Give your
/// server's own body limit at least this much.
///
/// ```
/// assert_eq!(permkit::perscom::webhooks::MAX_BODY_BYTES, 1024 * 1024);
/// ```
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// Checks a delivery's `Signature` header against its raw body and `secret`, in constant time,
/// then decodes the body into a [`WebhookEvent`].
///
/// `signature` is the `Signature` header's value, `None` when the header is missing. See the
/// [module docs](self) for what is refused and with which [`ErrorKind`](crate::ErrorKind).
///
/// ```
/// use permkit::perscom::webhooks::{self, EventName};
/// use permkit::{ErrorKind, Secret};
///
/// let secret = Secret::new("s3cret");
/// let body = br#"{"event":"rankrecord.created","request_id":"6f0e...","data":{"id":7,"user_id":1,"rank_id":3,"type":0}}"#;
/// let signature = webhooks::sign(body, &secret);
///
/// let event = webhooks::verify(body, Some(&signature), &secret).unwrap();
/// assert_eq!(event.name(), "rankrecord.created");
/// assert_eq!(event.event_name(), &EventName::RankRecordCreated);
///
/// let forged = webhooks::verify(body, Some(&signature), &Secret::new("guess")).unwrap_err();
/// assert_eq!(forged.kind(), ErrorKind::Unauthorized);
/// let unsigned = webhooks::verify(body, None, &secret).unwrap_err();
/// assert_eq!(unsigned.kind(), ErrorKind::Unauthorized);
/// ```
pub fn verify(body: &[u8], signature: Option<&str>, secret: &Secret) -> Result<WebhookEvent> {
    signature::check(body, signature, secret)?;
    WebhookEvent::from_verified_body(body)
}

/// [`verify`], refusing a `GET` (or `HEAD`) delivery first: the payload of a `GET` delivery is
/// in the query string, and the signature (over PERSCOM's JSON encoding of it) cannot be
/// checked against it byte for byte. Set the webhook's method to `POST` in the dashboard.
///
/// `method` is the request's method as your server gives it (`"POST"`, `"GET"`).
///
/// ```
/// use permkit::perscom::webhooks;
/// use permkit::{ErrorKind, Secret};
///
/// let secret = Secret::new("s3cret");
/// let e = webhooks::verify_request("GET", b"", None, &secret).unwrap_err();
/// assert_eq!(e.kind(), ErrorKind::Unauthorized);
/// assert!(e.message().contains("POST"));
///
/// let body = br#"{"event":"user.deleted","data":{"id":9,"name":"Pat","email":"pat@example.mil"}}"#;
/// let sig = webhooks::sign(body, &secret);
/// assert!(webhooks::verify_request("POST", body, Some(&sig), &secret).is_ok());
/// ```
pub fn verify_request(
    method: &str,
    body: &[u8],
    signature: Option<&str>,
    secret: &Secret,
) -> Result<WebhookEvent> {
    let method = method.trim();
    if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") {
        return Err(signature::refused(
            crate::ErrorKind::Unauthorized,
            "a GET delivery carries its payload in the query string, and PERSCOM's signature \
             (over its JSON encoding) cannot be checked against it byte for byte: set the \
             webhook's method to POST",
        ));
    }
    verify(body, signature, secret)
}
