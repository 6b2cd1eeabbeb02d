//! PERSCOM content: announcements, documents, the newsfeed, comments and messages; then (on the
//! sandbox, or a real server with `PERMKIT_TOUR_WRITES=1`) an announcement of the example's own
//! posted, edited and removed (disabled, so nobody sees it meanwhile).
//!
//! ```text
//! cargo run --example perscom_content
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise. The sandbox does not serve content yet: there the example prints its 404s.

mod common;

use common::Outcome;
use permkit::perscom::types::{AnnouncementCreate, AnnouncementUpdate};
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    if let Some(page) = run.served(client.list_announcements().send().await, "announcements")? {
        println!("{:?} announcements", page.total_count);
        for a in page.items.iter().take(3) {
            println!("  {} (enabled {:?})", a.title, a.enabled);
        }
    }
    if let Some(page) = run.served(client.list_documents().send().await, "documents")? {
        println!("{:?} documents", page.total_count);
        if let Some(d) = page.items.first() {
            let d = client.get_document(d.id).send().await?;
            println!("  first: {} ({} characters)", d.name, d.content.len());
        }
    }
    if let Some(page) = run.served(
        client.list_newsfeed().limit(5u64).send().await,
        "the newsfeed",
    )? {
        println!("newsfeed: {} recent items", page.items.len());
    }
    if let Some(page) = run.served(client.list_comments().send().await, "comments")? {
        println!("{:?} comments", page.total_count);
    }
    if let Some(page) = run.served(client.list_messages().send().await, "messages")? {
        println!("{:?} messages", page.total_count);
    }

    if !run.creates("an announcement of the example's own") {
        return Ok(());
    }
    let new = AnnouncementCreate::builder()
        .title("permkit example")
        .content("<p>Posted by the permkit example; it removes this again.</p>")
        .color("#16a34a")
        .enabled(Some(false));
    let Some(posted) = run.served(
        client.create_announcement().body(new).send().await,
        "announcements",
    )?
    else {
        return Ok(());
    };
    println!("\nposted announcement #{} {}", posted.id, posted.title);
    let edited = client
        .patch_announcement(posted.id)
        .body(AnnouncementUpdate {
            title: Some("permkit example (edited)".into()),
            ..Default::default()
        })
        .send()
        .await?;
    println!("edited: {}", edited.title);
    client.delete_announcement(posted.id).send().await?;
    println!("removed announcement #{}", posted.id);
    Ok(())
}
