//! PERSCOM uploads: a rank's image (created, then replaced with `_method=PUT`) and a user's
//! profile photo, each streamed from disk with progress.
//!
//! ```text
//! cargo run --example perscom_uploads
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise. On a real server the rank is one the example creates and deletes (with
//! `PERMKIT_TOUR_WRITES=1`), and the profile photo is replaced only for the user whose id
//! `PERMKIT_EXAMPLE_TARGET_ID` names.

mod common;

use common::Outcome;
use permkit::perscom::types::RankCreate;
use permkit::upload::{FilePart, Progress};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    // A small PNG-like file on disk (a real program would use its own files).
    let dir = std::env::temp_dir().join(format!("permkit-perscom-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await?;
    let path = dir.join("sergeant.png");
    tokio::fs::write(&path, [0x89, b'P', b'N', b'G', 13, 10, 26, 10].repeat(2048)).await?;
    let result = upload(&client, run, &path).await;
    tokio::fs::remove_dir_all(&dir).await?;
    result
}

async fn upload(
    client: &permkit::perscom::Client,
    run: common::Run,
    path: &std::path::Path,
) -> Outcome {
    if run.creates("a rank of the example's own with an image") {
        let rank = client
            .create_rank()
            .body(
                RankCreate::builder()
                    .name(format!("permkit example {}", common::stamp()))
                    .abbreviation("PKE".to_string()),
            )
            .send()
            .await?;
        let progress = Progress::new();
        let image = client
            .create_rank_image(
                rank.id,
                format!("{} insignia", rank.name),
                FilePart::from_path(path)
                    .await?
                    .with_progress(progress.clone()),
            )
            .description("<p>Uploaded by permkit</p>")
            .send()
            .await?;
        println!(
            "image of {}: {} ({} bytes sent)",
            rank.name,
            image.image_url.unwrap_or_default(),
            progress.bytes_sent()
        );
        let replaced = client
            .update_rank_image_file(rank.id, FilePart::from_path(path).await?)
            .send()
            .await?;
        println!("replaced: {}", replaced.name);
        client.delete_rank(rank.id).send().await?;
        println!("deleted rank #{}", rank.id);
    }

    // A profile photo changes a person's record: on a real server only the named user's.
    let sandbox_pick = if run.real() {
        None
    } else {
        client.get_me().send().await?.items.first().map(|u| u.id)
    };
    if let Some(id) = run.target::<i64>(sandbox_pick, "replace a profile photo")? {
        let user = client
            .update_user_profile_photo(id, FilePart::from_path(path).await?)
            .send()
            .await?;
        println!(
            "{}'s profile photo: {}",
            user.name,
            user.profile_photo_url.unwrap_or_default()
        );
    }
    Ok(())
}
