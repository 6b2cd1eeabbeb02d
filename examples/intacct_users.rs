//! Intacct users: list them, read one in full, then (on the sandbox, or a real server with
//! `PERMKIT_TOUR_WRITES=1`) create a user of the example's own, update and delete it. An
//! existing user is never changed.
//!
//! ```text
//! cargo run --example intacct_users
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise.

mod common;

use common::Outcome;
use permkit::intacct::enums::UserStatus;
use permkit::intacct::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::intacct(&sandbox)?;

    let users = client.list_users().send().await?;
    println!("{} users (of {:?})", users.items.len(), users.total_count);
    if let Some(key) = users.items.first().and_then(|u| u.key.clone()) {
        let user = client.get_user(&key).send().await?;
        println!(
            "  {:?} <{}> {:?}, {:?}, {} role(s)",
            user.id,
            user.account_email.as_deref().unwrap_or("-"),
            user.user_type.as_ref().map(|t| t.as_str()),
            user.status.as_ref().map(|s| s.as_str()),
            user.roles.len()
        );
    }

    if !run.creates("a user of the example's own") {
        return Ok(());
    }
    let login = format!("permkit-{}", common::stamp());
    let created = client
        .create_user()
        .body(
            types::UserCreateRequest::builder()
                .id(login.clone())
                .account_email(format!("{login}@example.com"))
                .contact(
                    types::ContactReference::builder()
                        .first_name(Some("Example".to_string()))
                        .last_name(Some("Permkit".to_string())),
                ),
        )
        .send()
        .await?;
    let key = created.key.ok_or("the new user has no key")?;
    println!("\ncreated user {login} (key {key})");
    client
        .update_user(&key)
        .body(types::UserUpdateRequest::builder().status(Some(UserStatus::Inactive)))
        .send()
        .await?;
    let updated = client.get_user(&key).send().await?;
    println!(
        "updated: status {:?}",
        updated.status.as_ref().map(|s| s.as_str())
    );
    client.delete_user(&key).send().await?;
    println!("deleted user {login}");
    Ok(())
}
