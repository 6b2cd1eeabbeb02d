//! PERSCOM batch operations: create several ranks in one transaction, update them keyed by id,
//! delete them by id (a DELETE with a body). The sandbox always; a real server only with
//! `PERMKIT_TOUR_WRITES=1`.
//!
//! ```text
//! cargo run --example perscom_batch
//! ```

use permkit::perscom::types::{
    BatchDeleteRequest, RankBatchCreate, RankBatchUpdate, RankCreate, RankUpdate,
};
use permkit::perscom::{Client, ClientBuilder};
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let client = match ClientBuilder::from_env() {
        Some(builder) if std::env::var("PERMKIT_TOUR_WRITES").as_deref() == Ok("1") => {
            builder.build()?
        }
        Some(_) => {
            println!(
                "PERSCOM_URL is set but PERMKIT_TOUR_WRITES is not 1: running against the sandbox instead"
            );
            Client::builder(sandbox.perscom_url())
                .api_key(Sandbox::PERSCOM_API_KEY)
                .build()?
        }
        None => Client::builder(sandbox.perscom_url())
            .api_key(Sandbox::PERSCOM_API_KEY)
            .build()?,
    };

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
