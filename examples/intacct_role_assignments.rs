//! Intacct role assignments: a role's permission assignments, the users and user groups mapped
//! to roles, each listed and read one by one, and (on the sandbox, or the assignment named by
//! `PERMKIT_EXAMPLE_TARGET_ID` on a real server) an assignment's access rights changed.
//!
//! ```text
//! cargo run --example intacct_role_assignments
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise. Changing an
//! assignment changes what every user of the role may do, so on a real server it runs only on
//! the assignment whose key you name.

mod common;

use common::Outcome;
use permkit::intacct::enums::PermissionAccessRight;
use permkit::intacct::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::intacct(&sandbox)?;

    let assignments = client.list_role_permission_assignments().send().await?;
    println!(
        "{} role permission assignments (of {:?})",
        assignments.items.len(),
        assignments.total_count
    );
    let first_assignment = assignments.items.first().and_then(|a| a.key.clone());
    if let Some(key) = &first_assignment {
        let a = client.get_role_permission_assignment(key).send().await?;
        let rights: Vec<&str> = a.access_rights.iter().map(|r| r.as_str()).collect();
        println!(
            "  assignment {key}: role {:?}, permission {:?}: {}",
            a.role.as_ref().and_then(|r| r.key.as_deref()),
            a.permission
                .as_ref()
                .and_then(|p| p.name.as_ref())
                .map(|n| n.as_str()),
            rights.join(",")
        );
    }

    let user_maps = client.list_role_user_maps().send().await?;
    println!("{} role-user maps", user_maps.items.len());
    if let Some(key) = user_maps.items.first().and_then(|m| m.key.clone()) {
        let m = client.get_role_user_map(&key).send().await?;
        println!(
            "  map {key}: user {:?} has role {:?}",
            m.user.as_ref().and_then(|u| u.id.as_deref()),
            m.role.as_ref().and_then(|r| r.id.as_deref())
        );
    }

    let group_maps = client.list_role_user_group_maps().send().await?;
    println!("{} role-user-group maps", group_maps.items.len());
    if let Some(key) = group_maps.items.first().and_then(|m| m.key.clone()) {
        let m = client.get_role_user_group_map(&key).send().await?;
        println!(
            "  map {key}: group {:?} has role {:?}",
            m.user_group.as_ref().and_then(|g| g.id.as_deref()),
            m.role.as_ref().and_then(|r| r.id.as_deref())
        );
    }

    // On the sandbox: the first assignment that grants more than one right.
    let mut sandbox_pick = None;
    if !run.real() {
        for key in assignments.items.iter().filter_map(|a| a.key.as_deref()) {
            let a = client.get_role_permission_assignment(key).send().await?;
            if a.access_rights.len() > 1 {
                sandbox_pick = Some(key.to_string());
                break;
            }
        }
    }
    let Some(key) = run.target::<String>(sandbox_pick, "change an assignment's rights")? else {
        return Ok(());
    };
    let before = client.get_role_permission_assignment(&key).send().await?;
    // Narrow the rights to the first one, then put them back.
    let narrowed: Vec<PermissionAccessRight> =
        before.access_rights.iter().take(1).cloned().collect();
    let update =
        types::RolePermissionAssignmentUpdateRequest::builder().access_rights(narrowed.clone());
    let updated = client
        .update_role_permission_assignment(&key)
        .body(update)
        .send()
        .await?;
    println!(
        "assignment {:?}: rights {:?} -> {:?}",
        updated.key, before.access_rights, narrowed
    );
    // Put the rights back as they were.
    let restore = types::RolePermissionAssignmentUpdateRequest::builder()
        .access_rights(before.access_rights.clone());
    client
        .update_role_permission_assignment(&key)
        .body(restore)
        .send()
        .await?;
    let again = client.get_role_permission_assignment(&key).send().await?;
    println!("restored: {:?}", again.access_rights);
    Ok(())
}
