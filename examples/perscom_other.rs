//! PERSCOM's other resources: categories and what they group (here the ranks in each); then
//! (on the sandbox, or a real server with `PERMKIT_TOUR_WRITES=1`) a category of the example's
//! own, a rank attached to it and detached, and the category deleted.
//!
//! ```text
//! cargo run --example perscom_other
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use permkit::perscom::types::{AttachRequest, CategoryCreate, DetachRequest};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let categories = client.list_categories().send().await?;
    println!("{:?} categories", categories.total_count);
    for c in categories.items.iter().take(5) {
        let ranks = client.list_category_ranks(c.id).send().await?;
        println!("  {} ({}): {} ranks", c.name, c.resource, ranks.items.len());
    }

    if !run.creates("a category of the example's own") {
        return Ok(());
    }
    let new = CategoryCreate::builder()
        .name(format!("permkit example {}", common::stamp()))
        .resource("App\\Models\\Rank");
    let category = client.create_category().body(new).send().await?;
    println!("\ncreated category #{} {}", category.id, category.name);
    let rank = client
        .list_ranks()
        .limit(1u64)
        .send()
        .await?
        .items
        .remove(0);
    let attached = client
        .attach_category_ranks(category.id)
        .body(AttachRequest::ids([rank.id]))
        .send()
        .await?;
    println!("attached rank {}: {:?}", rank.name, attached.attached);
    let detached = client
        .detach_category_ranks(category.id)
        .body(DetachRequest::ids([rank.id]))
        .send()
        .await?;
    println!("detached: {:?}", detached.detached);
    client.delete_category(category.id).send().await?;
    println!("deleted category #{}", category.id);
    Ok(())
}
