//! PERSCOM awards and qualifications: the awards and qualifications, their records across the
//! unit, competencies, credentials and issuers, and (on the sandbox, or for the user whose id
//! `PERMKIT_EXAMPLE_TARGET_ID` names on a real server) an award granted and revoked.
//!
//! ```text
//! cargo run --example perscom_awards
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::perscom::types::AwardRecordCreateNested;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let awards: Vec<_> = client.list_awards().stream().try_collect().await?;
    println!("{} awards", awards.len());
    if let Some(a) = awards.first() {
        let award = client.get_award(a.id).send().await?;
        println!("  first: {} (order {:?})", award.name, award.order);
    }
    let qualifications: Vec<_> = client.list_qualifications().stream().try_collect().await?;
    println!("{} qualifications", qualifications.len());
    if let Some(q) = qualifications.first() {
        let q = client.get_qualification(q.id).send().await?;
        println!("  first: {}", q.name);
    }
    let award_records = client
        .list_award_records()
        .include("award,user")
        .limit(5u64)
        .send()
        .await?;
    println!(
        "{:?} award records in the unit; the first {}:",
        award_records.total_count,
        award_records.items.len()
    );
    for r in &award_records.items {
        println!(
            "  {} -> {}",
            r.award.as_ref().map(|a| a.name.as_str()).unwrap_or("?"),
            r.user.as_ref().map(|u| u.name.as_str()).unwrap_or("?")
        );
    }
    let qualification_records = client.list_qualification_records().send().await?;
    println!(
        "{:?} qualification records",
        qualification_records.total_count
    );

    // Training: competencies, and credentials with their issuers.
    let competencies = client.list_competencies().send().await?;
    println!("{} competencies", competencies.items.len());
    let credentials = client.list_credentials().send().await?;
    println!("{} credentials", credentials.items.len());
    let issuers = client.list_issuers().send().await?;
    println!("{} issuers", issuers.items.len());

    // An award granted to one person, then revoked.
    let sandbox_pick = if run.real() {
        None
    } else {
        client
            .list_users()
            .limit(1u64)
            .send()
            .await?
            .items
            .first()
            .map(|u| u.id)
    };
    let Some(user) = run.target::<i64>(sandbox_pick, "grant and revoke an award")? else {
        return Ok(());
    };
    let award = awards.first().ok_or("no awards")?;
    let record = client
        .create_user_award_record(user)
        .body(
            AwardRecordCreateNested::builder()
                .award_id(award.id)
                .text("Granted by a permkit example".to_string()),
        )
        .send()
        .await?;
    println!(
        "\nuser #{user}: award record #{} ({})",
        record.id, award.name
    );
    client.delete_award_record(record.id).send().await?;
    println!("award record #{} revoked", record.id);
    Ok(())
}
