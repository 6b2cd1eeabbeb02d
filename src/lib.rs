//! # permkit
//!
//! Typed async clients for three REST APIs that manage people and their permissions:
//!
//! | module | API | feature |
//! |---|---|---|
//! | `perscom` | PERSCOM personnel records | `perscom` |
//! | `permission_assist` | Permission Assist by Sycorr (identity governance) | `permission-assist` |
//! | `intacct` | Sage Intacct REST: permissions, roles, query service, OAuth2 | `intacct` |
//!
//! Each client is generated at build time from the checked-in OpenAPI document of its API
//! (`openapi/*.yaml`) and completed by a small hand-written layer: `.stream()` and `.pages()`
//! on every list operation ([`pagination`]), multipart uploads that stream from disk
//! (`upload`), and one [`Error`] for all three APIs' error shapes.
//!
//! Every operation is a method on the API's `Client` returning a request builder; `send()`
//! returns the generated client's result, whose error converts into [`Error`] with `?`:
//!
//! ```no_run
//! # #[cfg(feature = "permission-assist")]
//! # async fn demo() -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! use permkit::permission_assist::Client;
//!
//! let client = Client::builder("https://pa.example.com/api").token("pa_...").build()?;
//! let identity = client.get_identity(uuid::Uuid::nil()).send().await?;
//! println!("{} {}", identity.first_name, identity.last_name);
//! let mut all = client.list_identities().stream();
//! while let Some(identity) = all.try_next().await? {
//!     println!("{}", identity.last_name);
//! }
//! # Ok(()) }
//! ```
//!
//! Vendor enumerations are *open*: a value this version does not know decodes as
//! `UnknownValue(String)` instead of failing the response. Responses with extra fields decode.
//! Secrets (tokens, keys, client secrets) never appear in `Debug`, `Display`, logs or errors.
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

pub use error::{Api, Error, ErrorKind, FieldError, Result};
/// The `chrono` crate, whose types appear in [`Timestamp`]'s methods.
pub use chrono;
/// The `uuid` crate, whose `Uuid` identifies Permission Assist's resources.
pub use uuid;
pub use pagination::Page;
pub use response::{ByteStream, Response};
pub use secret::Secret;
pub use timestamp::Timestamp;
pub use transport::{ClientOptions, RetryPolicy};

/// The README's examples, compiled as doc tests.
#[cfg(all(doctest, feature = "permission-assist", feature = "sandbox"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
