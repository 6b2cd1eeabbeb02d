//! # permkit
//!
//! Typed async clients for three REST APIs that manage people and their permissions:
//!
//! | module | API | feature | start with |
//! |---|---|---|---|
//! | `perscom` | PERSCOM personnel records | `perscom` | `perscom::Client::builder(url).api_key(..).perscom_id(..)`, then `get_user(id)`, `list_users()` |
//! | `permission_assist` | Permission Assist by Sycorr (identity governance) | `permission-assist` | `permission_assist::Client::builder(url).token(..)`, then `list_identities()`, `list_personnel_events()` |
//! | `intacct` | Sage Intacct REST: permissions, roles, query service, OAuth2 | `intacct` | `intacct::Client::builder(url).client_credentials(..)`, then `get_role(key)`, `intacct::query::Query` |
//!
//! ## One shape for every call
//!
//! Every operation is a method of the API's `Client`. Its required path parameters are the
//! method's arguments (in URL order); optional parameters and the body are setters of the
//! builder it returns; `send()` returns a [`Pending`] call, and awaiting it gives
//! [`Result<T>`](Result) with permkit's own types:
//!
//! - an operation that returns one resource returns the resource (PERSCOM's `data` and
//!   Intacct's `ia::result` unwrapped);
//! - a list operation returns one [`Page`]; `.stream()` yields every item of every page and
//!   `.pages()` every page ([`pagination`]);
//! - an operation that answers 204 returns `()`; raw bodies come as a [`ByteStream`];
//! - `send_with_meta()` returns the same value in a [`Response`], with the status, headers and
//!   request id;
//! - every failure is an [`Error`]: match on [`Error::kind`] ([`ErrorKind`] lists the statuses
//!   and vendor codes behind each kind).
//!
//! ```no_run
//! # #[cfg(feature = "permission-assist")]
//! # async fn demo() -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! use permkit::permission_assist::Client;
//!
//! let client = Client::builder("https://pa.example.com/api").token("pa_...").build()?;
//! let identity = client.get_identity(permkit::uuid::Uuid::nil()).send().await?;
//! println!("{} {}", identity.first_name, identity.last_name);
//! let mut all = client.list_identities().stream();
//! while let Some(identity) = all.try_next().await? {
//!     println!("{}", identity.last_name);
//! }
//! # Ok(()) }
//! ```
//!
//! ## APIs
//!
//! Each API is a module behind its feature (`permkit::perscom`, `permkit::permission_assist`,
//! `permkit::intacct`), with `Client`, `ClientBuilder`, `types` (request and response types,
//! generated from the checked-in OpenAPI document with the spec's descriptions), `enums` and
//! `builder` (one request builder per operation). The module page of each lists what the
//! vendor's documentation left open and how permkit models it.
//!
//! Vendor enumerations are *open*: a value this version does not know decodes as
//! `UnknownValue` instead of failing the response. Responses with extra fields decode.
//! Secrets (tokens, keys, client secrets) never appear in `Debug`, `Display`, logs or errors.
//!
//! ## Testing your code
//!
//! The `permkit-sandbox` crate (in this repository's `sandbox/`; add it to your
//! `[dev-dependencies]`) is a stateful mock of all three APIs on loopback, with seeded data,
//! the vendors' error shapes, faults, a request log and webhook deliveries: in-process for Rust
//! tests (`permkit_sandbox::Sandbox::start().await`), or as a standalone server with an admin
//! API for tests in any language (`cargo run -p permkit-sandbox`).
//!
//! ## Examples
//!
//! Every example runs on the sandbox without credentials (`cargo run --example
//! perscom_users`), and against a real server when that API's variables are set (the README
//! names them); on a real server they only read unless `PERMKIT_TOUR_WRITES=1`.
//!
//! | example | what it shows |
//! |---|---|
//! | `tour` | all three APIs end to end (exits non-zero when a step fails) |
//! | `permission_assist_identities` | identities page by page, then one |
//! | `permission_assist_personnel_events` | events filtered and read; onboard, role transition, leave of absence, offboard |
//! | `permission_assist_imports` | imports listed and read; stage, cancel, upload a file with progress |
//! | `permission_assist_applications` | every application with its connector |
//! | `permission_assist_access_requests` | access requests filtered by action, then one |
//! | `perscom_users` | the roster with includes, one user with every record and status history, the authenticated user |
//! | `perscom_organization` | ranks, positions, specialties, units, statuses, groups, slots, the roster |
//! | `perscom_records` | a user's records of each kind; a promotion recorded |
//! | `perscom_awards` | awards and qualifications, their records, competencies, credentials, issuers; an award granted and revoked |
//! | `perscom_forms` | forms with their fields and submissions; a form created and deleted |
//! | `perscom_calendars` | calendars and events; an event created, moved and deleted |
//! | `perscom_content` | announcements, documents, the newsfeed, comments, messages; an announcement posted and removed |
//! | `perscom_tasks` | tasks; one created, assigned, unassigned and deleted |
//! | `perscom_other` | categories and their ranks; a rank attached to a new category |
//! | `perscom_system` | the health check, the authenticated user, settings, the cache cleared |
//! | `perscom_search` | filters, nested groups, full-text search, sort and includes |
//! | `perscom_batch` | batch create, update and delete of ranks |
//! | `perscom_uploads` | a rank image and a profile photo streamed from disk with progress |
//! | `perscom_scopes` | the scope each operation needs, and a 403 naming the missing one |
//! | `intacct_auth` | OAuth2 client credentials, one shared token, entities, `create_token`, a refresh-token store, a refused secret |
//! | `intacct_permissions` | every permission through the query service, counted by module |
//! | `intacct_roles` | roles with their assignments; create, update, delete a role |
//! | `intacct_role_assignments` | role permission assignments, role-user and role-group maps; an assignment's rights changed and restored |
//! | `intacct_user_groups` | user groups and members; a group created, renamed, given a member, deleted |
//! | `intacct_users` | users; one created, updated and deleted |
//! | `intacct_query` | filters, a filter expression, paging, the raw `query` operation, `get_model`, a decoded `ia::error` |
//! | `webhook_receiver` | an axum receiver for PERSCOM's signed webhooks and Permission Assist's catch hooks |
//! | `sandbox_faults` | testing error handling: faults injected into a stream, the retries read back from the sandbox's request log, each vendor's error body, a dropped connection, latency |
#![warn(missing_docs)]
// With no API enabled the shared machinery (transport, generated-code glue) has no user.
#![cfg_attr(
    not(any(
        feature = "perscom",
        feature = "permission-assist",
        feature = "intacct"
    )),
    allow(dead_code, unused_imports, unused_macros)
)]

#[cfg(any(
    feature = "perscom",
    feature = "permission-assist",
    feature = "intacct"
))]
pub mod dynamic;
pub mod error;
mod generated;
pub mod open_enum;
pub mod pagination;
mod response;
pub mod secret;
#[cfg(any(
    feature = "perscom",
    feature = "permission-assist",
    feature = "intacct"
))]
mod secret_fields;
pub mod timestamp;
mod transport;
#[cfg(any(
    feature = "permission-assist",
    feature = "perscom",
    feature = "intacct"
))]
pub mod upload;

#[cfg(feature = "intacct")]
pub mod intacct;
#[cfg(feature = "permission-assist")]
pub mod permission_assist;
#[cfg(feature = "perscom")]
pub mod perscom;
// Entry points for the cargo-fuzz targets in fuzz/ (crate-private code, checked invariants);
// the `fuzzing` feature is not part of the API.
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod __fuzz;

/// The `chrono` crate, whose types appear in [`Timestamp`]'s methods.
pub use chrono;
pub use error::{Api, Error, ErrorKind, FieldError, Result};
pub use pagination::Page;
pub use response::{ByteStream, Pending, Response};
pub use secret::Secret;
/// The `thin_vec` crate, whose `ThinVec` holds PERSCOM's relation lists (`User::rank_records`
/// and the other lists a response carries only with `?include=`): one word and no allocation
/// while a list is absent. It derefs to a slice, and converts from and into a `Vec`.
///
/// ```
/// use permkit::perscom::types::User;
/// use permkit::thin_vec::ThinVec;
///
/// let user: User = serde_json::from_str(r#"{"id": 1, "name": "Jane", "email": "j@example.mil"}"#)?;
/// assert!(user.rank_records.is_empty());
/// let records: Vec<_> = user.rank_records.into();
/// assert!(records.is_empty());
/// let empty: ThinVec<u8> = ThinVec::new();
/// assert_eq!(size_of_val(&empty), size_of::<usize>());
/// # Ok::<(), serde_json::Error>(())
/// ```
#[cfg(feature = "perscom")]
pub use thin_vec;
pub use timestamp::Timestamp;
pub use transport::{
    AttemptOutcome, AttemptRequest, ClientOptions, DEFAULT_CALL_TIMEOUT, DEFAULT_MAX_RESPONSE_BODY,
    Interceptor, OperationCounts, RequestCounts, RetryPolicy,
};
#[cfg(any(feature = "rustls", feature = "native-tls"))]
pub use transport::{Certificate, ClientIdentity};
/// The `uuid` crate, whose `Uuid` identifies Permission Assist's resources.
pub use uuid;

/// The README's examples, compiled as doc tests.
#[cfg(all(doctest, feature = "permission-assist"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
