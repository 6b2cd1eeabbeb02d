//! PERSCOM: personnel records for military-simulation units (users, ranks, awards, records,
//! forms, calendars...).
//!
//! Every one of the API's 713 operations is a method on [`Client`] (generated from
//! `openapi/perscom.yaml`); this module adds what the generator cannot: the client builder
//! (host, API key, optional PERSCOM id, version), [`Scope`]s and the scope each operation needs,
//! a typed [`Search`] body, `.stream()`/`.pages()` on every index and search operation,
//! helpers for batch and relation bodies, and the multipart uploads.
//!
//! ```no_run
//! # async fn demo() -> permkit::Result<()> {
//! use futures::TryStreamExt;
//! use permkit::perscom::{Client, Search, SearchFilter, SearchOp};
//!
//! let client = Client::builder("https://api.perscom.io").api_key("eyJ0eXAi...").build()?;
//! // Every user with their rank, 100 per page, over every page.
//! let mut users = client.list_users().include("rank").limit(100u64).stream();
//! while let Some(user) = users.try_next().await? {
//!     let rank = user.rank.as_ref().map(|r| r.name.as_str()).unwrap_or("-");
//!     println!("{rank} {}", user.name);
//! }
//! // A search, also streamed.
//! let search = Search::new().filter(SearchFilter::new("name", SearchOp::Like, "%Smith%")).sort_asc("name");
//! let smiths: Vec<_> = client.search_users().body(search).stream().try_collect().await?;
//! println!("{} Smiths", smiths.len());
//! # Ok(()) }
//! ```
//!
//! The version (`v2` unless [`ClientBuilder::version`] says otherwise) is part of the client's
//! base URL: `PERSCOM_URL` is the host (`https://api.perscom.io`).
//!
//! A 403 names the scope the call needed ([`Error::required_scope`](crate::Error::required_scope)),
//! from the table generated with the spec ([`required_scope`]).
//!
//! PERSCOM also calls in: [`webhooks::verify`] checks a webhook delivery's signature and types
//! its event.

mod client;
mod envelope;
pub(crate) mod errors;
mod extra;
mod relations;
pub mod scopes;
pub mod search;
mod upload;
pub mod webhooks;

pub use client::ClientBuilder;
pub use envelope::Data;
pub use extra::{GetHealth, GetSpec};
pub use scopes::{Scope, required_scope};
pub use search::{Search, SearchFilter, SearchFilterGroup, SearchOp};
pub use upload::{BatchUpload, Upload};

crate::generated::generated_api!("perscom");

// Generated whole (`build/pages.rs`, from the table in `build/main.rs`): each list envelope as
// a `Page`, and `.stream()`, `.pages()`, `.pages_from(n)` and `.prefetch(n)` on each list
// operation's builder.
include!(concat!(env!("OUT_DIR"), "/perscom_lists.rs"));
