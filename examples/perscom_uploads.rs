//! PERSCOM uploads: a rank's image (created, then replaced with `_method=PUT`) and a user's
//! profile photo, each streamed from disk with progress. The sandbox always; a real server only
//! with `PERMKIT_TOUR_WRITES=1`.
//!
//! ```text
//! cargo run --example perscom_uploads
//! ```

use permkit::perscom::{Client, ClientBuilder};
use permkit::sandbox::Sandbox;
use permkit::upload::{FilePart, Progress};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let client = match ClientBuilder::from_env() {
        Some(builder) if std::env::var("PERMKIT_TOUR_WRITES").as_deref() == Ok("1") => {
            builder.build()?
        }
        _ => Client::builder(sandbox.perscom_url())
            .api_key(Sandbox::PERSCOM_API_KEY)
            .build()?,
    };
    // A small PNG-like file on disk (a real program would use its own files).
    let dir = std::env::temp_dir().join(format!("permkit-perscom-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await?;
    let path = dir.join("sergeant.png");
    tokio::fs::write(&path, [0x89, b'P', b'N', b'G', 13, 10, 26, 10].repeat(2048)).await?;

    let rank = client
        .list_ranks()
        .limit(1u64)
        .send()
        .await?
        .items
        .remove(0);
    let progress = Progress::new();
    let image = client
        .create_rank_image(
            rank.id,
            format!("{} insignia", rank.name),
            FilePart::from_path(&path)
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
        .update_rank_image_file(rank.id, FilePart::from_path(&path).await?)
        .send()
        .await?;
    println!("replaced: {}", replaced.name);

    let me = client.get_me().send().await?.items.remove(0);
    let user = client
        .update_user_profile_photo(me.id, FilePart::from_path(&path).await?)
        .send()
        .await?;
    println!(
        "{}'s profile photo: {}",
        user.name,
        user.profile_photo_url.unwrap_or_default()
    );

    tokio::fs::remove_dir_all(&dir).await?;
    Ok(())
}
