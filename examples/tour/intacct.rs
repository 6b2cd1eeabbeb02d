//! The tour's Sage Intacct section.

use crate::{Step, Tour};
use futures::TryStreamExt;
use permkit::intacct::query::{Order, PermissionRecord, Query, QueryFilter};
use permkit::intacct::{Client, ClientBuilder, types};
use permkit_sandbox::Sandbox;

/// Runs the section: OAuth, roles and their assignments, every permission streamed through
/// the query service over several pages, a filtered query, role writes (sandbox, or a real
/// server with `PERMKIT_TOUR_WRITES=1`) and a decoded `ia::error` with its details.
pub async fn run(tour: &Tour) -> Step {
    let (client, real) = match ClientBuilder::from_env() {
        Some(builder) => {
            println!("Using the server at INTACCT_URL");
            (builder.build()?, true)
        }
        None => {
            println!(
                "Using the sandbox (set INTACCT_URL and INTACCT_TOKEN, or INTACCT_CLIENT_ID, INTACCT_CLIENT_SECRET and INTACCT_USERNAME, for a real server)"
            );
            let client = Client::builder(tour.sandbox.intacct_url())
                .client_credentials(
                    Sandbox::INTACCT_CLIENT_ID,
                    Sandbox::INTACCT_CLIENT_SECRET,
                    Sandbox::INTACCT_USERNAME,
                )
                .build()?;
            (client, false)
        }
    };
    let writes = !real || tour.writes;

    // Roles (the list returns references), then one role in full.
    let roles = client.list_roles().send().await?;
    println!(
        "{} roles (list_roles returns up to 100 references)",
        roles.items.len()
    );
    if let Some(key) = roles.items.first().and_then(|r| r.key.clone()) {
        let role = client.get_role(&key).send().await?;
        println!(
            "role {}: {} permission assignments, {} users, {} groups",
            role.id.as_deref().unwrap_or("-"),
            role.role_permission_assignments.len(),
            role.role_users.len(),
            role.role_groups.len()
        );
    }

    // Every permission through the query service, several pages of 200.
    let mut pages = client
        .query(Query::permissions().size(200))
        .record_pages::<PermissionRecord>();
    let (mut count, mut page_count, mut with_void) = (0usize, 0usize, 0usize);
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        count += page.items.len();
        with_void += page
            .items
            .iter()
            .filter(|p| {
                p.allowed_access_rights
                    .contains(&types::PermissionAccessRight::Void)
            })
            .count();
        println!(
            "permissions page at start={}: {} (next {:?}, total {:?})",
            page.cursor,
            page.items.len(),
            page.next,
            page.total_count
        );
    }
    println!("{count} permissions streamed over {page_count} pages; {with_void} allow `void`");
    if !real && (page_count < 2 || count != 600) {
        return Err(format!(
            "expected 600 permissions over several pages, got {count} over {page_count}"
        )
        .into());
    }

    // A filtered, sorted query.
    let q = Query::new("company-config/permission")
        .fields(["key", "module", "name"])
        .filter(QueryFilter::eq("module", "accountsPayable"))
        .filter(QueryFilter::has("allowedAccessRights", "delete"))
        .order_by("name", Order::Asc)
        .size(50);
    let rows: Vec<_> = client.query(q).stream().try_collect().await?;
    println!(
        "accountsPayable permissions that allow delete: {}",
        rows.len()
    );

    // Writes: a role created, updated and deleted.
    if writes {
        let create = types::RoleCreateRequest::builder()
            .id("permkit tour role")
            .description(String::from("Created by the permkit tour"))
            .role_type(types::RoleType::Enterprise);
        let key = client
            .create_role()
            .body(create)
            .send()
            .await?
            .key
            .unwrap_or_default();
        let update = types::RoleUpdateRequest::builder()
            .description(String::from("Updated by the permkit tour"));
        client.update_role(&key).body(update).send().await?;
        client.delete_role(&key).send().await?;
        println!("role {key}: created, updated, deleted");
    } else {
        println!("(writes skipped against a real server; set PERMKIT_TOUR_WRITES=1 to run them)");
    }

    // An ia::error, decoded with its details.
    let e = client
        .query(Query::new("company-config/permission").fields(["key", "notAField"]))
        .send()
        .await;
    match e {
        Err(e) => {
            println!("decoded ia::error: {e}");
            for d in e.field_errors() {
                println!(
                    "  detail: target {:?}: {} [{}]",
                    d.field.as_deref().unwrap_or("-"),
                    d.message,
                    d.code.as_deref().unwrap_or("-")
                );
            }
            if !real && (e.field_errors().is_empty() || e.support_id().is_none()) {
                return Err("the sandbox's ia::error lost its details".into());
            }
        }
        Ok(_) if real => println!("(the server accepted the field `notAField`)"),
        Ok(_) => return Err("the sandbox accepted an unknown field".into()),
    }
    Ok(())
}
