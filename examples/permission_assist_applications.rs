//! Permission Assist applications: list them and get each one.
//!
//! ```text
//! cargo run --example permission_assist_applications
//! ```

use futures::TryStreamExt;
use permkit::permission_assist::{Client, ClientBuilder, types};
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let client = match ClientBuilder::from_env() {
        Some(builder) => builder.build()?,
        None => Client::builder(sandbox.permission_assist_url())
            .token(Sandbox::PERMISSION_ASSIST_TOKEN)
            .build()?,
    };
    let apps: Vec<types::Application> = client.list_applications().stream().try_collect().await?;
    for app in &apps {
        let detail = client.get_application(app.id).send().await?;
        println!(
            "{:<32} priority {:<9} archived {:<5} connector {}",
            detail.name,
            detail.priority.as_ref().map(|p| p.as_str()).unwrap_or("-"),
            detail.is_archived.unwrap_or(false),
            detail
                .connector
                .as_ref()
                .map(|c| serde_json::Value::Object(c.0.clone()).to_string())
                .unwrap_or_default()
        );
    }
    Ok(())
}
