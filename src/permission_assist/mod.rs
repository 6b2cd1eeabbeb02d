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

/// A list envelope (`items`, `page`, `totalPages`, `totalCount`) as a [`Page`](crate::Page).
macro_rules! impl_page {
    ($envelope:ident, $item:ident) => {
        impl crate::pagination::IntoPage for types::$envelope {
            type Item = types::$item;
            fn into_page(self) -> crate::Page<types::$item> {
                let number = u64::try_from(self.page).unwrap_or(1);
                crate::Page::numbered(self.items, number, u64::try_from(self.total_pages).ok())
                    .with_total_count(u64::try_from(self.total_count).ok())
                    .with_reported(u64::try_from(self.page).ok())
            }
        }
    };
}

/// The id a page-numbered pager recognises a repeated item by.
macro_rules! impl_item_id {
    ($item:ident) => {
        impl crate::pagination::ItemId for types::$item {
            fn item_id(&self) -> crate::pagination::ItemKey {
                crate::pagination::ItemKey::from(&self.id)
            }
        }
    };
}

/// `.stream()`, `.pages()` and `.pages_from()` for one list operation.
macro_rules! impl_list {
    ($builder:ident, $item:ident) => {
        crate::pagination::page_number_list!($builder, $item);
    };
}

include!(concat!(env!("OUT_DIR"), "/permission_assist_lists.rs"));
