//! PERSCOM records: a user's rank, award, assignment, service and qualification records, the
//! award records of the whole unit with the award included, and (on the sandbox, or for the user
//! whose id `PERMKIT_EXAMPLE_TARGET_ID` names on a real server) a promotion recorded as a new
//! rank record.
//!
//! ```text
//! cargo run --example perscom_records
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox otherwise.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::perscom::enums::RankRecordType;
use permkit::perscom::types::RankRecordCreateNested;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;
    let Some(user) = client
        .list_users()
        .limit(1u64)
        .send()
        .await?
        .items
        .into_iter()
        .next()
    else {
        println!("no users");
        return Ok(());
    };
    println!("records of {} (#{}):", user.name, user.id);
    let ranks: Vec<_> = client
        .list_user_rank_records(user.id)
        .include("rank")
        .stream()
        .try_collect()
        .await?;
    for r in &ranks {
        println!(
            "  rank record #{}: {} (type {})",
            r.id,
            r.rank.as_ref().map(|k| k.name.as_str()).unwrap_or("?"),
            r.type_
        );
    }
    let awards: Vec<_> = client
        .list_user_award_records(user.id)
        .include("award")
        .stream()
        .try_collect()
        .await?;
    println!("  {} award records", awards.len());
    let assignments: Vec<_> = client
        .list_user_assignment_records(user.id)
        .stream()
        .try_collect()
        .await?;
    println!("  {} assignment records", assignments.len());
    let service: Vec<_> = client
        .list_user_service_records(user.id)
        .stream()
        .try_collect()
        .await?;
    println!("  {} service records", service.len());
    let quals: Vec<_> = client
        .list_user_qualification_records(user.id)
        .stream()
        .try_collect()
        .await?;
    println!("  {} qualification records", quals.len());

    let all_awards: Vec<_> = client
        .list_award_records()
        .include("award")
        .limit(100u64)
        .stream()
        .try_collect()
        .await?;
    println!("\n{} award records in the unit", all_awards.len());

    // A promotion changes a person's record: on a real server only the named user's.
    let sandbox_pick = (!run.real()).then_some(user.id);
    if let Some(target) = run.target::<i64>(sandbox_pick, "record a promotion")? {
        let user = client.get_user(target).send().await?;
        // The next rank up, by the ranks' order (or the same rank at the top).
        let ranks: Vec<_> = client
            .list_ranks()
            .limit(100u64)
            .stream()
            .try_collect()
            .await?;
        let current = ranks
            .iter()
            .find(|r| Some(r.id) == user.rank_id)
            .and_then(|r| r.order)
            .unwrap_or(-1);
        let next_rank = ranks
            .iter()
            .filter(|r| r.order.unwrap_or(0) > current)
            .min_by_key(|r| r.order.unwrap_or(0))
            .or_else(|| ranks.iter().find(|r| Some(r.id) == user.rank_id))
            .map(|r| r.id)
            .ok_or("no ranks")?;
        let promotion = RankRecordCreateNested::builder()
            .rank_id(next_rank)
            .type_(RankRecordType::Promotion)
            .text("Promoted by permkit example".to_string());
        let created = client
            .create_user_rank_record(user.id)
            .body(promotion)
            .send()
            .await?;
        println!(
            "recorded promotion: rank record #{} (rank {})",
            created.id, created.rank_id
        );
    }
    Ok(())
}
