//! PERSCOM users: the whole roster streamed with ranks and units included, one page at a time
//! with its metadata, one user with every record type and their status history, and the
//! authenticated user.
//!
//! ```text
//! cargo run --example perscom_users
//! ```
//!
//! Uses `PERSCOM_URL` (the host), `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the
//! sandbox otherwise. Read-only.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _) = common::perscom(&sandbox)?;

    let mut pages = client
        .list_users()
        .include("rank,unit")
        .limit(50u64)
        .pages();
    let mut first = None;
    while let Some(page) = pages.try_next().await? {
        println!(
            "page {} of {:?} ({:?} users in all)",
            page.cursor, page.total_pages, page.total_count
        );
        for user in page.items.iter().take(3) {
            first.get_or_insert(user.id);
            println!(
                "  #{:<4} {:<24} {:<22} {}",
                user.id,
                user.name,
                user.rank.as_ref().map(|r| r.name.as_str()).unwrap_or("-"),
                user.unit.as_ref().map(|u| u.name.as_str()).unwrap_or("-"),
            );
        }
    }

    if let Some(id) = first {
        let user = client
            .get_user(id)
            .include("rank,position,rank_records,award_records,service_records")
            .send()
            .await?;
        println!(
            "\n{} ({}): {} rank records, {} award records, {} service records",
            user.name,
            user.email,
            user.rank_records.len(),
            user.award_records.len(),
            user.service_records.len()
        );
        // A user's status history: the statuses held, each with its record in `pivot`.
        let statuses = client.list_user_status_records(id).send().await?;
        println!("{} status records", statuses.items.len());
    }

    let me = client.get_me().send().await?;
    if let Some(me) = me.items.first() {
        println!("\nauthenticated as {} <{}>", me.name, me.email);
    }
    Ok(())
}
