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
//! let mut perms = Query::permissions().size(500).records::<permkit::intacct::query::PermissionRecord>(&client);
//! while let Some(p) = perms.try_next().await? {
//!     println!("{:?} {:?} {:?}", p.module, p.name, p.allowed_access_rights);
//! }
//! # Ok(()) }
//! ```
//!
//! Every operation of `openapi/intacct.yaml` is a method of [`Client`] (`list_permissions`,
//! `get_permission`, `list_roles`, `create_role`, ... `query`, `get_model`, `create_token`).
//! A call returns what `ia::result` holds: `get_role(key)` a `Role`, the object list operations
//! (`list_roles()`...) a [`Page`](crate::Page) of references, `query()` a `Page` of rows with
//! `ia::meta.next` as its `next`. The object lists return up to about 100 references and do not
//! page (Sage declares no paging parameters for them): read whole collections with
//! [`query::Query`], whose `.stream()` follows `ia::meta.next`.
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
pub mod query;

pub use auth::{MemoryTokenStore, TokenEncoding, TokenStore};
pub use client::ClientBuilder;
pub use errors::{RETRY_AFTER_HEADERS, multi_status_error, retry_after};

crate::generated::generated_api!("intacct");

/// A collection envelope (`ia::result` references, `ia::meta` with `start`, `next`,
/// `totalCount`) as a [`Page`](crate::Page).
macro_rules! impl_page {
    ($envelope:ident, $item:ident) => {
        impl crate::pagination::IntoPage for types::$envelope {
            type Item = types::$item;
            fn into_page(self) -> crate::Page<types::$item> {
                let meta = self.ia_meta.unwrap_or_default();
                let start = meta.start.and_then(|s| u64::try_from(s).ok()).unwrap_or(1);
                crate::Page::offset(
                    self.ia_result,
                    start,
                    meta.next.and_then(|n| u64::try_from(n).ok()),
                )
                .with_total_count(meta.total_count.and_then(|n| u64::try_from(n).ok()))
            }
        }
    };
}

/// Intacct pages through the query service ([`query`]), not through list builders.
#[allow(unused_macros)]
macro_rules! impl_list {
    ($builder:ident, $item:ident) => {};
}

#[allow(unused_macros)]
macro_rules! impl_item_id {
    ($item:ident) => {};
}

include!(concat!(env!("OUT_DIR"), "/intacct_lists.rs"));
