//! Permission Assist identities: list every page, then get one.
//!
//! ```text
//! cargo run --example permission_assist_identities
//! ```
//!
//! Uses `PERMISSION_ASSIST_URL` and `PERMISSION_ASSIST_TOKEN` when set, the sandbox otherwise.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _run) = common::permission_assist(&sandbox)?;
    let mut pages = client.list_identities().pages();
    let mut first = None;
    while let Some(page) = pages.try_next().await? {
        println!(
            "page {} of {:?}: {} identities",
            page.cursor,
            page.total_pages,
            page.items.len()
        );
        for identity in &page.items {
            first.get_or_insert(identity.id);
            println!(
                "  {}, {} <{}> {} {}",
                identity.last_name,
                identity.first_name,
                identity.email_address.as_deref().unwrap_or("-"),
                identity.type_.as_ref().map(|t| t.as_str()).unwrap_or("-"),
                identity.status.as_ref().map(|s| s.as_str()).unwrap_or("-"),
            );
        }
    }
    if let Some(id) = first {
        let one = client.get_identity(id).send().await?;
        println!("\n{one:#?}");
    }
    Ok(())
}
