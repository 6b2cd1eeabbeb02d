//! PERSCOM batch operations: create several ranks in one transaction, update them keyed by id,
//! delete them by id (a DELETE with a body): only the example's own ranks. The sandbox always; a
//! real server (`PERSCOM_URL`, `PERSCOM_API_KEY`) only with `PERMKIT_TOUR_WRITES=1`.
//!
//! ```text
//! cargo run --example perscom_batch
//! ```

mod common;

use common::Outcome;
use permkit::perscom::types::{
    BatchDeleteRequest, RankBatchCreate, RankBatchUpdate, RankCreate, RankUpdate,
};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;
    if !run.creates("ranks of the example's own, in batches") {
        return Ok(());
    }

    let new = |name: &str, abbr: &str| {
        RankCreate::try_from(
            RankCreate::builder()
                .name(name)
                .abbreviation(abbr.to_string()),
        )
    };
    let created = client
        .batch_create_ranks()
        .body(RankBatchCreate::new([
            new("Warrant Officer 1", "WO1")?,
            new("Chief Warrant Officer 2", "CW2")?,
        ]))
        .send()
        .await?;
    println!(
        "created: {:?}",
        created
            .iter()
            .map(|r| (r.id, r.name.as_str()))
            .collect::<Vec<_>>()
    );

    let updates = created.iter().map(|r| {
        (
            r.id,
            RankUpdate {
                paygrade: Some(format!("W-{}", r.id % 5 + 1)),
                ..Default::default()
            },
        )
    });
    let updated = client
        .batch_update_ranks()
        .body(RankBatchUpdate::keyed(updates))
        .send()
        .await?;
    println!(
        "updated: {:?}",
        updated
            .iter()
            .map(|r| (r.id, r.paygrade.clone()))
            .collect::<Vec<_>>()
    );

    let deleted = client
        .batch_delete_ranks()
        .body(BatchDeleteRequest::ids(created.iter().map(|r| r.id)))
        .send()
        .await?;
    println!("deleted: {} ranks", deleted.len());
    Ok(())
}
