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
//! println!("{} pending events", page.total_count);
//! # Ok(()) }
//! ```
//!
//! What the vendor's documentation leaves open is modelled tolerantly (see
//! `openapi/permission-assist.yaml`, `x-permkit-assumption`): enums are open, date-times parse
//! with or without an offset, the undocumented parts of events and access requests are kept as
//! JSON, and the application schema is the documented summary plus free-form extras.

mod client;
pub(crate) mod errors;
mod upload;

pub use client::ClientBuilder;
pub use upload::UploadImport;

crate::generated::generated_api!("permission_assist");

/// `.stream()` and `.pages()` for one list operation (page numbers, `totalPages`).
macro_rules! impl_list {
    ($builder:ident, $envelope:ident, $item:ident) => {
        impl<'a> builder::$builder<'a> {
            /// Every item of every page, in order, with this request's filters on each page.
            pub fn stream(self) -> crate::pagination::BoxStream<'a, types::$item> {
                crate::pagination::boxed(crate::pagination::items(self.pages()))
            }

            /// One page at a time, with its metadata; ends at `totalPages` or an empty page.
            pub fn pages(self) -> crate::pagination::BoxStream<'a, crate::Page<types::$item>> {
                crate::pagination::boxed(crate::pagination::paginate(1, move |n| {
                    let request = self.clone().page(n as u32);
                    async move {
                        let env: types::$envelope = request.send().await?.into_inner();
                        let total_pages = u64::try_from(env.total_pages).ok();
                        Ok(crate::Page::numbered(env.items, n, total_pages)
                            .with_total_count(u64::try_from(env.total_count).ok())
                            .with_reported(u64::try_from(env.page).ok()))
                    }
                }))
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/permission_assist_lists.rs"));
