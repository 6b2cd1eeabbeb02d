//! PERSCOM tasks: the task list, then (on the sandbox, or a real server with
//! `PERMKIT_TOUR_WRITES=1`) a task of the example's own, assigned to one person (the sandbox's
//! first user, or on a real server only the user whose id `PERMKIT_EXAMPLE_TARGET_ID` names),
//! unassigned, and deleted.
//!
//! ```text
//! cargo run --example perscom_tasks
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use permkit::perscom::types::{AttachRequest, DetachRequest, TaskCreate};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let tasks = client.list_tasks().send().await?;
    println!("{:?} tasks", tasks.total_count);
    for t in tasks.items.iter().take(5) {
        println!("  #{} {}", t.id, t.title);
    }

    if !run.creates("a task of the example's own") {
        return Ok(());
    }
    let new = TaskCreate::builder()
        .title(format!("permkit example {}", common::stamp()))
        .description(Some("Created by the permkit example".to_string()));
    let task = client.create_task().body(new).send().await?;
    println!("\ncreated task #{} {}", task.id, task.title);
    let task = client.get_task(task.id).send().await?;

    let sandbox_pick = if run.real() {
        None
    } else {
        client
            .list_users()
            .limit(1u64)
            .send()
            .await?
            .items
            .first()
            .map(|u| u.id)
    };
    if let Some(user) = run.target::<i64>(sandbox_pick, "assign the task to a user")? {
        let attached = client
            .attach_user_tasks(user)
            .body(AttachRequest::ids([task.id]))
            .send()
            .await?;
        println!("assigned to user #{user}: {:?}", attached.attached);
        let assigned = client.list_user_tasks(user).send().await?;
        println!("user #{user} has {:?} tasks", assigned.total_count);
        let detached = client
            .detach_user_tasks(user)
            .body(DetachRequest::ids([task.id]))
            .send()
            .await?;
        println!("unassigned: {:?}", detached.detached);
    }
    client.delete_task(task.id).send().await?;
    println!("deleted task #{}", task.id);
    Ok(())
}
