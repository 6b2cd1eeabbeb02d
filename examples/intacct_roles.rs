//! Intacct roles: list roles, read one with its permission assignments, users and groups,
//! find its assignments through the query service, and (in the sandbox, or with
//! `PERMKIT_TOUR_WRITES=1`) create, update and delete a role of its own.
//!
//! ```text
//! cargo run --example intacct_roles
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::intacct::query::{Query, QueryFilter};
use permkit::intacct::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::intacct(&sandbox)?;

    let roles = client.list_roles().send().await?;
    println!("{} roles", roles.items.len());
    for r in &roles.items {
        println!(
            "  {:>5} {}",
            r.key.as_deref().unwrap_or("-"),
            r.id.as_deref().unwrap_or("-")
        );
    }
    let Some(key) = roles.items.first().and_then(|r| r.key.clone()) else {
        return Ok(());
    };

    let role = client.get_role(&key).send().await?;
    println!(
        "\nrole {:?} ({:?}, {:?}): {} assignments, {} users, {} groups",
        role.id,
        role.role_type.as_ref().map(|t| t.as_str()),
        role.apply_to.as_ref().map(|t| t.as_str()),
        role.role_permission_assignments.len(),
        role.role_users.len(),
        role.role_groups.len()
    );
    for a in role.role_permission_assignments.iter().take(5) {
        let p = a.permission.as_ref();
        let rights: Vec<&str> = a.access_rights.iter().map(|r| r.as_str()).collect();
        println!(
            "  {:?}/{:?}: {}",
            p.and_then(|p| p.module.as_ref()).map(|m| m.as_str()),
            p.and_then(|p| p.name.as_ref()).map(|n| n.as_str()),
            rights.join(",")
        );
    }

    // The same assignments through the query service, with related fields.
    let q = Query::new("company-config/role-permission-assignment")
        .fields([
            "key",
            "permission.module",
            "permission.name",
            "accessRights",
        ])
        .filter(QueryFilter::eq("role.key", key.as_str()))
        .size(1000);
    let rows: Vec<_> = client.query(q).stream().try_collect().await?;
    println!("query: {} assignments of role {key}", rows.len());

    if run.creates("a role of the example's own") {
        let create = types::RoleCreateRequest::builder()
            .id(format!("permkit example role {}", common::stamp()))
            .description(String::from("Created by the permkit example"))
            .role_type(types::RoleType::Enterprise)
            .apply_to(types::RoleApplyTo::LoginOnly);
        let created = client.create_role().body(create).send().await?;
        let new_key = created.key.unwrap_or_default();
        println!("\ncreated role {new_key}");
        let update = types::RoleUpdateRequest::builder()
            .description(String::from("Updated by the permkit example"));
        client.update_role(&new_key).body(update).send().await?;
        println!("updated role {new_key}");
        client.delete_role(&new_key).send().await?;
        println!("deleted role {new_key}");
    }
    Ok(())
}
