//! Permission Assist's catch hooks: the access-request event a hook delivers, typed, and its
//! callback answered through the client.
//!
//! A catch hook notifies an external system of an access-request event. Permission Assist
//! posts a JSON payload to the hook's URL; the payload carries the access request and a
//! `callback` URL, to which the receiver posts its response. [`parse`] reads the payload into
//! a [`CatchHook`]; [`Client::answer_catch_hook`](crate::permission_assist::Client::answer_catch_hook)
//! posts the response with the client's credentials, through the same transport as every other
//! call (retries, errors, tracing).
//!
//! ```no_run
//! # async fn demo(client: &permkit::permission_assist::Client, body: &[u8]) -> permkit::Result<()> {
//! use permkit::permission_assist::webhooks;
//!
//! let hook = webhooks::parse(body)?;
//! let request = &hook.event.request;
//! println!("{}: access request #{} ({}) is {}", hook.event.name, request.number, request.action, request.status);
//! client
//!     .answer_catch_hook(&hook, serde_json::json!({"received": true}))
//!     .send()
//!     .await?;
//! # Ok(()) }
//! ```
//!
//! [`parse`] takes the raw body, so it fits any server; `examples/webhook_receiver.rs` is a
//! whole receiver, and the sandbox sends a catch hook to a URL of yours whenever it creates an
//! access request (`Sandbox::register_permission_assist_catch_hook`).
//!
//! # What the vendor does not document
//!
//! - **Signing.** The documentation describes no signature, secret or token on a catch hook
//!   delivery, so nothing here can prove that a payload came from your Permission Assist
//!   server. Protect the receiving URL yourself (HTTPS, a long unguessable path, a network that
//!   only your server can reach), and treat the payload as a notice: read the access request
//!   again through the API (`client.get_access_request(hook.event.request.id)`) before acting
//!   on it.
//! - **Where the callback may point.** Because the payload is unsigned, a forged one could name
//!   any `callback`. The client therefore sends its credentials only to a callback on its own
//!   base URL's origin (scheme, host and port), and refuses any other before sending anything,
//!   unless you allow that host with [`AnswerCatchHook::allow_host`].
//! - **The response body** a callback expects is not documented: send what your Permission
//!   Assist configuration expects, as any serialisable value.
//! - **Retries, event names and the callback's answer** are not documented. Event names are
//!   kept as strings; a callback's answer is returned as JSON (`Null` when empty).
//! - **The payload** is documented as `{"id", "createdDate", "callback", "event": {"name",
//!   "display", "description", "request"}}`. Fields beyond these are kept in `extra`; only
//!   `id`, `event.name` and `event.request` are required here.
//!
//! # What is refused, and the error kind
//!
//! | failure | [`ErrorKind`] |
//! |---|---|
//! | a body over [`MAX_BODY_BYTES`] | `Validation` |
//! | an empty body, or one that is not the payload above | `Decode` |
//! | a callback that is missing, not an http(s) URL, on another origin (and not allowed), or a downgrade from https to http | `InvalidRequest` (nothing is sent) |
//! | the callback's answer | the same kinds as every other call (`Conflict`, `Unauthorized`, `RateLimited`, ...) |

mod callback;
mod payload;

pub use callback::AnswerCatchHook;
pub use payload::{CatchHook, CatchHookEvent};

use crate::{Api, Error, ErrorKind, Result};

/// The largest catch-hook body [`parse`] reads: 1 MiB (the vendor documents no limit; one
/// access request is a few KiB).
///
/// ```
/// assert_eq!(permkit::permission_assist::webhooks::MAX_BODY_BYTES, 1024 * 1024);
/// ```
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The operation name catch-hook errors carry.
const PARSE: &str = "parse_catch_hook";

/// Reads a catch hook's raw body into a [`CatchHook`].
///
/// Nothing is verified: the vendor documents no signature (see the [module docs](self)).
///
/// ```
/// use permkit::permission_assist::{webhooks, types};
///
/// let body = br#"{
///   "id": "0f8b8c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f",
///   "createdDate": "2026-03-02T09:30:00",
///   "callback": "https://pa.example.com/api/catch-hooks/0f8b8c1e-2a3b-4c5d-8e9f-0a1b2c3d4e5f/callback",
///   "event": {
///     "name": "AccessRequestCreated",
///     "display": "Access Request Created",
///     "description": "An access request was created.",
///     "request": {"id": "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10", "number": 5012,
///                 "action": "Add", "status": "Pending"}
///   }
/// }"#;
/// let hook = webhooks::parse(body).unwrap();
/// assert_eq!(hook.event.request.action, types::AccessAction::Add);
/// assert_eq!(hook.event.request.number, 5012);
///
/// let e = webhooks::parse(b"<html>").unwrap_err();
/// assert_eq!(e.kind(), permkit::ErrorKind::Decode);
/// ```
pub fn parse(body: &[u8]) -> Result<CatchHook> {
    let refused = |kind, message: String| {
        Error::new(kind, message)
            .with_api(Api::PermissionAssist)
            .with_operation(PARSE)
    };
    if body.len() > MAX_BODY_BYTES {
        return Err(refused(
            ErrorKind::Validation,
            format!(
                "the body is {} bytes, over the limit of {MAX_BODY_BYTES} bytes for a catch hook",
                body.len()
            ),
        ));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(refused(
            ErrorKind::Decode,
            "the catch hook's body is empty".into(),
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        refused(
            ErrorKind::Decode,
            format!("the body is not a catch hook payload: {e}"),
        )
        .with_source(e)
    })
}
