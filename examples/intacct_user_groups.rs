//! Intacct user groups: list them and read one with its members, then (on the sandbox, or a real
//! server with `PERMKIT_TOUR_WRITES=1`) create a group of the example's own, rename it, add a
//! member, read and remove the membership, and delete the group.
//!
//! ```text
//! cargo run --example intacct_user_groups
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise. Adding a
//! member changes that user's groups: on a real server the member is the user whose key
//! `PERMKIT_EXAMPLE_TARGET_ID` names, and nobody otherwise.

mod common;

use common::Outcome;
use permkit::intacct::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::intacct(&sandbox)?;

    let groups = client.list_user_groups().send().await?;
    println!("{} user groups", groups.items.len());
    if let Some(key) = groups.items.first().and_then(|g| g.key.clone()) {
        let group = client.get_user_group(&key).send().await?;
        println!(
            "  {:?}: {:?}, {} role(s)",
            group.id,
            group.description,
            group.roles.len()
        );
    }
    let members = client.list_user_group_members().send().await?;
    println!("{} memberships", members.items.len());
    if let Some(key) = members.items.first().and_then(|m| m.key.clone()) {
        let m = client.get_user_group_member(&key).send().await?;
        println!(
            "  membership {key}: user {:?} in group {:?}",
            m.user.as_ref().and_then(|u| u.id.as_deref()),
            m.user_group.as_ref().and_then(|g| g.id.as_deref())
        );
    }

    if !run.creates("a user group of the example's own") {
        return Ok(());
    }
    let name = format!("permkit-example-{}", common::stamp());
    let created = client
        .create_user_group()
        .body(
            types::UserGroupCreateRequest::builder()
                .id(name.clone())
                .description("Created by the permkit example"),
        )
        .send()
        .await?;
    let group_key = created.key.ok_or("the new group has no key")?;
    println!("\ncreated user group {name} (key {group_key})");
    client
        .update_user_group(&group_key)
        .body(
            types::UserGroupUpdateRequest::builder()
                .description(Some("Renamed by the permkit example".to_string())),
        )
        .send()
        .await?;
    println!(
        "updated: {:?}",
        client.get_user_group(&group_key).send().await?.description
    );

    let sandbox_pick = if run.real() {
        None
    } else {
        client
            .list_users()
            .send()
            .await?
            .items
            .into_iter()
            .find_map(|u| u.key)
    };
    if let Some(user_key) = run.target::<String>(sandbox_pick, "add a user to the group")? {
        let member = client
            .create_user_group_member()
            .body(
                types::UserGroupMemberCreateRequest::builder()
                    .user_group(types::ObjectReference::builder().key(Some(group_key.clone())))
                    .user(types::UserReference::builder().key(Some(user_key.clone()))),
            )
            .send()
            .await?;
        let member_key = member.key.ok_or("the membership has no key")?;
        let m = client.get_user_group_member(&member_key).send().await?;
        println!(
            "user {user_key} joined as membership {member_key} ({:?})",
            m.user.as_ref().and_then(|u| u.id.as_deref())
        );
        client.delete_user_group_member(&member_key).send().await?;
        println!("membership {member_key} removed");
    }

    client.delete_user_group(&group_key).send().await?;
    println!("deleted user group {name}");
    Ok(())
}
