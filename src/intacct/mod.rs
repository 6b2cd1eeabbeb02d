//! Sage Intacct REST API: the company-config permission model (permissions, roles, role
//! permission assignments, role/user maps, user groups and their members, users), the query
//! and model services, and OAuth 2.0.
//!
//! The base URL ends in `/ia/api/v1` (`https://api.intacct.com/ia/api/v1`). Credentials are a
//! static access token, or OAuth 2.0 client credentials (username `user@company`, or
//! `user@company|entity` for an entity-level token), or a refresh token kept in a
//! [`TokenStore`]. Tokens are requested when first needed, refreshed before they expire (one
//! request however many calls wait), and dropped and fetched again once on a 401.
//!
//! ```no_run
//! # async fn demo() -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! use permkit::intacct::{Client, query::Query};
//!
//! let client = Client::builder("https://api.intacct.com/ia/api/v1")
//!     .client_credentials("client-id", "client-secret", "ws_user@ACME")
//!     .build()?;
//! // One call, in one entity:
//! let role = client.with_entity("US-East")?.get_role("24").send().await?;
//! println!("{:?}", role.id.as_deref());
//! // Every permission, through the query service, 500 a page:
//! let mut perms = client
//!     .query(Query::permissions().size(500))
//!     .records::<permkit::intacct::query::PermissionRecord>();
//! while let Some(p) = perms.try_next().await? {
//!     println!("{:?} {:?} {:?}", p.module, p.name, p.allowed_access_rights);
//! }
//! # Ok(()) }
//! ```
//!
//! Every operation of `openapi/intacct.yaml` is a method of [`Client`] (`list_permissions`,
//! `get_permission`, `list_roles`, `create_role`, ... `query`, `get_model`, `create_token`).
//! A call returns what `ia::result` holds: `get_role(key)` a `Role`, the object list operations
//! (`list_roles()`...) a [`Page`](crate::Page) of references, `query(q)` a `Page` of rows with
//! `ia::meta.next` as its `next`. The object lists return up to about 100 references and do not
//! page (Sage declares no paging parameters for them): read whole collections with
//! `client.query(q).stream()` ([`query::Query`], [`query::QueryRequest`]), which follows
//! `ia::meta.next`.
//!
//! Errors decode Intacct's `ia::error` (nested in `ia::result` or at the top level) with its
//! `code`, `errorId` ([`Error::error_id`](crate::Error::error_id)), `supportId` and
//! `details` (one [`FieldError`](crate::FieldError) per detail, field = its `target`), and the
//! token endpoint's OAuth errors as [`ErrorKind::Unauthorized`](crate::ErrorKind::Unauthorized).
//! 429 and 503 carry the wait read from `Retry-After` or the `X-IA-*-Retry-After` headers.
//!
//! Vendor enumerations (modules, permission names, access rights, role types...) are open:
//! Sage adds values between releases, and unknown ones decode as `UnknownValue`.

mod auth;
mod client;
pub(crate) mod errors;
pub mod objects;
pub mod query;

pub use auth::{MemoryTokenStore, TokenEncoding, TokenStore};
pub use client::ClientBuilder;
pub use errors::{RETRY_AFTER_HEADERS, multi_status_error, retry_after};

crate::generated::generated_api!("intacct");

// Generated whole (`build/pages.rs`, from the table in `build/main.rs`): each list envelope as
// a `Page`.
include!(concat!(env!("OUT_DIR"), "/intacct_lists.rs"));
