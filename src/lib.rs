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
//! The `sandbox` feature gives `permkit::sandbox::Sandbox`: an embedded, stateful mock of every
//! enabled API on loopback, with seeded data and the vendors' error shapes.
//!
//! ## Examples
//!
//! `cargo run --example tour` walks all three APIs against the sandbox. Per API:
//! `permission_assist_identities`, `permission_assist_personnel_events`,
//! `permission_assist_imports`, `permission_assist_applications`,
//! `permission_assist_access_requests`; `perscom_users`, `perscom_organization`,
//! `perscom_records`, `perscom_search`, `perscom_batch`, `perscom_uploads`, `perscom_scopes`;
//! `intacct_auth`, `intacct_permissions`, `intacct_roles`, `intacct_query`.
#![warn(missing_docs)]

pub mod error;
mod generated;
pub mod open_enum;
pub mod pagination;
mod response;
pub mod secret;
pub mod timestamp;
mod transport;
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
pub mod upload;

#[cfg(feature = "intacct")]
pub mod intacct;
#[cfg(feature = "permission-assist")]
pub mod permission_assist;
#[cfg(feature = "perscom")]
pub mod perscom;
#[cfg(feature = "sandbox")]
pub mod sandbox;
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
#[cfg(all(doctest, feature = "permission-assist", feature = "sandbox"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
