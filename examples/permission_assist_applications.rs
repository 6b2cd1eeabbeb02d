//! Permission Assist applications: list them and get each one.
//!
//! ```text
//! cargo run --example permission_assist_applications
//! ```

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::permission_assist::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _run) = common::permission_assist(&sandbox)?;
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
