//! The tour's Permission Assist section.

use crate::{Step, Tour, var};
use futures::TryStreamExt;
use permkit::permission_assist::{Client, types};
use permkit::upload::{FilePart, Progress};
use permkit_sandbox::Sandbox;

/// Runs the section: identities over every page, events, imports (stage, cancel, upload),
/// access requests and a decoded validation error.
pub async fn run(tour: &Tour) -> Step {
    let (client, real) = match (var("PERMISSION_ASSIST_URL"), var("PERMISSION_ASSIST_TOKEN")) {
        (Some(url), Some(token)) => {
            println!("Using the server at {url}");
            (Client::builder(url).token(token).build()?, true)
        }
        _ => {
            println!(
                "Using the sandbox (set PERMISSION_ASSIST_URL and PERMISSION_ASSIST_TOKEN for a real server)"
            );
            (
                Client::builder(tour.sandbox.permission_assist_url())
                    .token(Sandbox::PERMISSION_ASSIST_TOKEN)
                    .build()?,
                false,
            )
        }
    };
    let writes = !real || tour.writes;

    // Identities: every page through the page stream, then the item stream.
    let mut pages = client.list_identities().pages();
    while let Some(page) = pages.try_next().await? {
        println!(
            "identities page {}/{}: {} identities (first: {})",
            page.cursor,
            page.total_pages.unwrap_or(0),
            page.items.len(),
            page.items
                .first()
                .map(|i| format!("{}, {}", i.last_name, i.first_name))
                .unwrap_or_default()
        );
    }
    let identities: Vec<types::Identity> = client.list_identities().stream().try_collect().await?;
    let service_accounts = identities
        .iter()
        .filter(|i| i.type_ == Some(types::IdentityType::ServiceAccount))
        .count();
    println!(
        "{} identities in all, {} service accounts",
        identities.len(),
        service_accounts
    );

    // Personnel events, filtered (the filter is kept on every page).
    let transitions: Vec<types::PersonnelEvent> = client
        .list_personnel_events()
        .type_(types::PersonnelEventTypeFilter::RoleTransition)
        .stream()
        .try_collect()
        .await?;
    println!("{} role-transition events", transitions.len());
    if let Some(e) = transitions.first() {
        let detail = client.get_personnel_event(e.id).send().await?;
        println!(
            "event #{} is {} ({}), {} stages",
            detail.number,
            detail.type_,
            detail.status,
            detail.stages.len()
        );
    }

    // Access requests.
    let requests = client
        .list_access_requests()
        .status(types::WorkflowStatus::Pending)
        .send()
        .await?;
    println!(
        "{} pending access requests ({} pages)",
        requests.total_count.unwrap_or_default(),
        requests.total_pages.unwrap_or_default()
    );

    // Applications and imports.
    let apps: Vec<types::Application> = client.list_applications().stream().try_collect().await?;
    println!(
        "{} applications: {}",
        apps.len(),
        apps.iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let imports = client.list_application_imports().send().await?;
    println!(
        "{} imports on record",
        imports.total_count.unwrap_or_default()
    );

    if !writes {
        println!(
            "(read-only: set PERMKIT_TOUR_WRITES=1 to stage, cancel and upload imports and create events)"
        );
        let missing = client.get_identity(uuid::Uuid::nil()).send().await;
        if let Err(e) = missing {
            println!("decoded error: {e}");
        }
        return Ok(());
    }

    // Stage an import of the first application listed (that takes scheduled imports), then cancel it.
    let app = apps
        .iter()
        .find(|a| {
            a.is_archived != Some(true)
                && (real
                    || a.connector
                        .as_ref()
                        .is_some_and(|c| c["type"] == "Scheduled"))
        })
        .ok_or("no application to stage an import for")?;
    let staged = client
        .stage_application_import()
        .body(types::StageImportRequest {
            application_id: app.id,
        })
        .send()
        .await?;
    println!(
        "staged import #{} of {}: {}",
        staged.number, app.name, staged.status
    );
    let again = client.get_application_import(staged.id).send().await?;
    println!("import #{} is {}", again.number, again.status);
    let cancelled = client
        .cancel_application_import()
        .body(types::CancelImportRequest {
            application_import_id: staged.id,
        })
        .send()
        .await?;
    println!(
        "cancelled import #{}: {}",
        cancelled.number, cancelled.status
    );
    if cancelled.status != types::ImportStatus::Canceling {
        return Err(format!("expected Canceling, got {}", cancelled.status).into());
    }

    // Upload: a file streamed from disk, one part per connector file group.
    let target = if real {
        match var("PERMISSION_ASSIST_FILE_GROUP") {
            Some(group) => Some((app.id, group.parse::<uuid::Uuid>()?)),
            None => None,
        }
    } else {
        apps.iter().find_map(|a| {
            let group = a
                .connector
                .as_ref()?
                .get("fileGroups")?
                .get(0)?
                .get("id")?
                .as_str()?
                .parse()
                .ok()?;
            Some((a.id, group))
        })
    };
    match target {
        Some((app_id, group)) => {
            let path =
                std::env::temp_dir().join(format!("permkit-tour-{}.csv", std::process::id()));
            let rows: String = identities
                .iter()
                .take(100)
                .map(|i| format!("{},{},{}\n", i.id, i.first_name, i.last_name))
                .collect();
            tokio::fs::write(&path, format!("id,first,last\n{rows}")).await?;
            let progress = Progress::new();
            let import = client
                .upload_application_import(app_id)
                .file(group, FilePart::from_path(&path).await?)
                .progress(progress.clone())
                .send()
                .await;
            let _ = tokio::fs::remove_file(&path).await;
            let import = import?;
            println!(
                "uploaded {} bytes: import #{} is {} with {} file(s)",
                progress.bytes_sent(),
                import.number,
                import.status,
                import.files.len()
            );
        }
        None => println!(
            "(no upload: set PERMISSION_ASSIST_FILE_GROUP to a file group of the first application)"
        ),
    }

    // Onboard someone, then show a decoded validation error with its field errors.
    let today = chrono::Utc::now().date_naive() + chrono::Days::new(7);
    let onboard = client
        .create_onboard_event()
        .body(
            types::OnboardRequest::builder()
                .identity(
                    types::NewIdentity::builder()
                        .first_name("Ada")
                        .last_name("Lovelace")
                        .department(Some("Operations".try_into()?))
                        .identity_type(Some(types::IdentityTypeInput::Employee)),
                )
                .effective_date(permkit::Timestamp::from_date(today))
                .comment(Some("Created by the permkit tour".to_string())),
        )
        .send()
        .await?;
    println!(
        "onboard event #{} is {} for {}",
        onboard.number, onboard.status, today
    );

    // The refused request names an identity that cannot exist (the nil UUID) and a date in the
    // past, so no real person's record can match it, even on a server that accepted the date.
    let invalid = client
        .create_offboard_event()
        .body(types::OffboardRequest {
            identity_id: uuid::Uuid::nil(),
            effective_date: permkit::Timestamp::from_date(
                chrono::NaiveDate::from_ymd_opt(2020, 1, 1).ok_or("date")?,
            ),
            comment: None,
        })
        .send()
        .await;
    match invalid {
        Err(e) if e.kind() == permkit::ErrorKind::Validation => {
            println!("decoded validation error: {e}");
            for f in e.field_errors() {
                println!(
                    "  field {}: {}",
                    f.field.as_deref().unwrap_or("?"),
                    f.message
                );
            }
            Ok(())
        }
        // A real server may check the identity before the date.
        Err(e) if real && e.kind() == permkit::ErrorKind::NotFound => {
            println!("decoded error: {e}");
            Ok(())
        }
        Err(e) => Err(format!("expected a validation error, got: {e}").into()),
        Ok(_) => Err("an offboard of the nil identity dated 2020 was accepted".into()),
    }
}
