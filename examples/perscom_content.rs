//! PERSCOM content: announcements, documents, the newsfeed, comments and messages; then (on the
//! sandbox, or a real server with `PERMKIT_TOUR_WRITES=1`) an announcement of the example's own
//! posted, edited and removed (disabled, so nobody sees it meanwhile).
//!
//! ```text
//! cargo run --example perscom_content
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use permkit::perscom::types::{AnnouncementCreate, AnnouncementUpdate};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let page = client.list_announcements().send().await?;
    println!("{:?} announcements", page.total_count);
    for a in page.items.iter().take(3) {
        println!("  {} (enabled {:?})", a.title, a.enabled);
    }
    let page = client.list_documents().send().await?;
    println!("{:?} documents", page.total_count);
    if let Some(d) = page.items.first() {
        let d = client.get_document(d.id).send().await?;
        println!("  first: {} ({} characters)", d.name, d.content.len());
    }
    let page = client.list_newsfeed().limit(5u64).send().await?;
    println!("newsfeed: {} recent items", page.items.len());
    for item in &page.items {
        let text = item.headline.as_ref().or(item.description.as_ref());
        println!("  {}", text.map(String::as_str).unwrap_or("-"));
    }
    let page = client.list_comments().send().await?;
    println!("{:?} comments", page.total_count);
    let page = client.list_messages().send().await?;
    println!("{:?} messages", page.total_count);

    if !run.creates("an announcement of the example's own") {
        return Ok(());
    }
    let new = AnnouncementCreate::builder()
        .title("permkit example")
        .content("<p>Posted by the permkit example; it removes this again.</p>")
        .color("#16a34a")
        .enabled(Some(false));
    let posted = client.create_announcement().body(new).send().await?;
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
