//! The catch hook payload: `{"id", "createdDate", "callback", "event": {...}}`.

use crate::Timestamp;
use crate::permission_assist::types;
use serde_json::{Map, Value};

/// One catch hook delivery: what happened (`event`) and where to answer (`callback`).
///
/// Fields the vendor may add later are kept in `extra`.
///
/// ```
/// let hook = permkit::permission_assist::webhooks::parse(br#"{
///   "id": "hook-1", "callback": "https://pa.example.com/api/callbacks/1", "priority": "high",
///   "event": {"name": "AccessRequestCreated",
///             "request": {"id": "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10", "number": 7, "action": "Remove", "status": "Open"}}
/// }"#).unwrap();
/// assert_eq!(hook.id, "hook-1");
/// assert_eq!(hook.created_date, None);
/// assert_eq!(hook.extra["priority"], "high");
/// ```
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct CatchHook {
    /// The delivery's id, as sent (a GUID in the vendor's examples; kept as a string).
    pub id: String,
    /// When the hook was raised (Permission Assist often sends date-times without an offset).
    #[serde(
        rename = "createdDate",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub created_date: Option<Timestamp>,
    /// Where the receiver posts its response; answer it with
    /// [`Client::answer_catch_hook`](crate::permission_assist::Client::answer_catch_hook).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callback: Option<String>,
    /// What happened.
    pub event: CatchHookEvent,
    /// Fields of the payload this version does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The event of a catch hook: its name, how to show it, and the access request it is about.
///
/// ```
/// # let hook = permkit::permission_assist::webhooks::parse(br#"{"id": "h",
/// #   "event": {"name": "AccessRequestCreated", "display": "Access Request Created",
/// #             "request": {"id": "6f1c1c3e-1d2b-4c59-9a61-2f1c0d9b7a10", "number": 7, "action": "Add", "status": "Pending"}}}"#).unwrap();
/// let event = &hook.event;
/// assert_eq!(event.name, "AccessRequestCreated");
/// assert_eq!(event.display.as_deref(), Some("Access Request Created"));
/// assert_eq!(event.request.status, permkit::permission_assist::types::WorkflowStatus::Pending);
/// ```
#[derive(Debug, Clone, serde::Deserialize, serde::Serialize)]
#[non_exhaustive]
pub struct CatchHookEvent {
    /// The event's name. The vendor does not list the names, so it is a string.
    pub name: String,
    /// The event's name for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    /// A sentence about the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The access request, as `get_access_request` returns it.
    pub request: types::AccessRequest,
    /// Fields of the event this version does not name.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}
