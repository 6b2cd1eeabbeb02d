//! Permission Assist application imports: list and get them, stage one and cancel it, and
//! upload files.
//!
//! ```text
//! cargo run --example permission_assist_imports -- [FILE]
//! ```
//!
//! Against a real server (`PERMISSION_ASSIST_URL`, `PERMISSION_ASSIST_TOKEN`) it only lists,
//! unless `PERMKIT_TOUR_WRITES=1`; the upload needs `PERMISSION_ASSIST_FILE_GROUP`.

mod common;

use common::Outcome;
use permkit::permission_assist::types;
use permkit::upload::{FilePart, Progress};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::permission_assist(&sandbox)?;
    let real = run.real();
    let imports = client.list_application_imports().send().await?;
    println!(
        "{} imports; the latest:",
        imports.total_count.unwrap_or_default()
    );
    for i in imports.items.iter().take(5) {
        let app = i
            .application
            .as_ref()
            .map(|a| a.name.as_str())
            .unwrap_or("?");
        println!("  #{} {} {} ({})", i.number, app, i.status, i.type_);
    }
    if let Some(latest) = imports.items.first() {
        let one = client.get_application_import(latest.id).send().await?;
        println!(
            "import #{}: {} file(s), started {:?}",
            one.number,
            one.files.len(),
            one.build_start.map(|t| t.to_string())
        );
    }
    if !run.creates("staging, cancelling and uploading an import") {
        return Ok(());
    }
    let apps = client.list_applications().send().await?.items;
    let scheduled = apps
        .iter()
        .find(|a| {
            a.is_archived != Some(true)
                && (real
                    || a.connector
                        .as_ref()
                        .is_some_and(|c| c["type"] == "Scheduled"))
        })
        .ok_or("no application to stage")?;
    let staged = client
        .stage_application_import()
        .body(types::StageImportRequest {
            application_id: scheduled.id,
        })
        .send()
        .await?;
    println!("staged #{}: {}", staged.number, staged.status);
    let cancelled = client
        .cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: staged.id,
        })
        .send()
        .await?;
    println!("cancelled #{}: {}", cancelled.number, cancelled.status);

    let target = match std::env::var("PERMISSION_ASSIST_FILE_GROUP") {
        Ok(group) => Some((scheduled.id, group.parse::<uuid::Uuid>()?)),
        Err(_) if !real => apps.iter().find_map(|a| {
            let id = a
                .connector
                .as_ref()?
                .get("fileGroups")?
                .get(0)?
                .get("id")?
                .as_str()?
                .parse()
                .ok()?;
            Some((a.id, id))
        }),
        Err(_) => None,
    };
    let Some((app, group)) = target else {
        println!("(no upload: set PERMISSION_ASSIST_FILE_GROUP)");
        return Ok(());
    };
    let part = match std::env::args().nth(1) {
        Some(path) => FilePart::from_path(path).await?,
        None => FilePart::from_bytes(&b"id,first,last\n1,Ada,Lovelace\n"[..], "employees.csv"),
    };
    let progress = Progress::new();
    let import = client
        .upload_application_import(app)
        .file(group, part)
        .progress(progress.clone())
        .send()
        .await?;
    println!(
        "uploaded {} bytes: import #{} is {}",
        progress.bytes_sent(),
        import.number,
        import.status
    );
    Ok(())
}
