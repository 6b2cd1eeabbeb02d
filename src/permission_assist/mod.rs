//! Permission Assist by Sycorr: personnel events, application imports, applications,
//! identities and access requests.
//!
//! The server is customer-hosted: the base URL is your server's, ending in `/api`
//! (`https://pa.example.com/api`). Tokens are static API tokens made by an administrator.
//!
//! ```no_run
//! # async fn demo() -> permkit::Result<()> {
//! use permkit::permission_assist::{Client, types};
//!
//! let client = Client::builder("https://pa.example.com/api").token("pa_...").build()?;
//! let page = client.list_personnel_events().status(types::WorkflowStatus::Pending).send().await?;
//! println!("{:?} pending events", page.total_count);
//! # Ok(()) }
//! ```
//!
//! What the vendor's documentation leaves open is modelled tolerantly (see
//! `openapi/permission-assist.yaml`, `x-permkit-assumption`): enums are open, date-times parse
//! with or without an offset, the undocumented parts of events and access requests are kept as
//! JSON, and the application schema is the documented summary plus free-form extras.
//!
//! Permission Assist also calls in: [`webhooks`] reads its catch hooks (access-request events)
//! and answers their callbacks through the client.

mod client;
pub(crate) mod errors;
mod upload;
pub mod webhooks;

pub use client::ClientBuilder;
pub use upload::UploadImport;

crate::generated::generated_api!("permission_assist");

// Generated whole (`build/pages.rs`, from the table in `build/main.rs`): each list envelope as
// a `Page`, and `.stream()`, `.pages()`, `.pages_from(n)` and `.prefetch(n)` on each list
// operation's builder.
include!(concat!(env!("OUT_DIR"), "/permission_assist_lists.rs"));
