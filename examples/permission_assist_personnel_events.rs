//! Permission Assist personnel events: filter and get them, onboard a new person, and offboard,
//! move (role transition) or send on leave an existing one.
//!
//! ```text
//! cargo run --example permission_assist_personnel_events
//! ```
//!
//! Uses `PERMISSION_ASSIST_URL` and `PERMISSION_ASSIST_TOKEN` when set, the sandbox otherwise.
//! Against a real server it only reads unless `PERMKIT_TOUR_WRITES=1` (the onboarding of a new
//! person), and it changes an existing identity only when `PERMKIT_EXAMPLE_TARGET_ID` holds
//! that identity's id.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::Timestamp;
use permkit::permission_assist::types;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::permission_assist(&sandbox)?;

    let pending: Vec<types::PersonnelEvent> = client
        .list_personnel_events()
        .status(types::WorkflowStatus::Pending)
        .stream()
        .try_collect()
        .await?;
    println!("{} pending events", pending.len());
    for e in pending.iter().take(5) {
        let who = e
            .affected_identity
            .as_ref()
            .map(|i| format!("{} {}", i.first_name, i.last_name))
            .unwrap_or_default();
        println!(
            "  #{} {} for {who}, needed on {:?}",
            e.number,
            e.type_,
            e.needed_on.map(|t| t.to_string())
        );
    }
    if let Some(e) = pending.first() {
        let detail = client.get_personnel_event(e.id).send().await?;
        println!(
            "event #{}: {} stages, {} activity entries",
            detail.number,
            detail.stages.len(),
            detail.activity.len()
        );
    }

    let today = chrono::Utc::now().date_naive();
    let in_days = |n: u64| Timestamp::from_date(today + chrono::Days::new(n));

    // An existing person: on a real server only the one named in PERMKIT_EXAMPLE_TARGET_ID.
    let sandbox_pick = if run.real() {
        None
    } else {
        client
            .list_identities()
            .send()
            .await?
            .items
            .into_iter()
            .find(|i| i.type_ == Some(types::IdentityType::Employee))
            .map(|i| i.id)
    };
    let target = run.target(sandbox_pick, "offboard, move and send on leave")?;

    // A new person: nobody's record changes.
    if run.creates("an onboarding event for a new identity") {
        let onboard = client
            .create_onboard_event()
            .body(
                types::OnboardRequest::builder()
                    .identity(
                        types::NewIdentity::builder()
                            .first_name("Grace")
                            .last_name("Hopper")
                            .identity_type(Some(types::IdentityTypeInput::Employee)),
                    )
                    .effective_date(in_days(7))
                    .comment(Some("Onboarded by a permkit example".to_string())),
            )
            .send()
            .await?;
        println!(
            "onboard event #{} is {} for {}",
            onboard.number,
            onboard.status,
            onboard
                .affected_identity
                .as_ref()
                .map(|i| format!("{} {}", i.first_name, i.last_name))
                .unwrap_or_default()
        );
    }

    let Some(identity) = target else {
        return Ok(());
    };
    let transition = client
        .create_role_transition_event()
        .body(types::RoleTransitionRequest {
            identity_id: identity,
            effective_date: in_days(14),
            end_date: Some(in_days(28)),
            identity: None,
            comment: Some("Role transition by a permkit example".into()),
        })
        .send()
        .await?;
    println!(
        "role transition #{} is {} (overlap until {:?})",
        transition.number,
        transition.status,
        transition.needed_until.map(|t| t.to_string())
    );
    let leave = client
        .create_leave_of_absence_event()
        .body(types::LeaveOfAbsenceRequest {
            identity_id: identity,
            effective_date: in_days(30),
            end_date: Some(in_days(60)),
            comment: Some("Leave of absence by a permkit example".into()),
        })
        .send()
        .await?;
    println!("leave of absence #{} is {}", leave.number, leave.status);
    let offboard = client
        .create_offboard_event()
        .body(types::OffboardRequest {
            identity_id: identity,
            effective_date: in_days(90),
            comment: Some("Offboarded by a permkit example".into()),
        })
        .send()
        .await?;
    println!("offboard event #{} is {}", offboard.number, offboard.status);
    Ok(())
}
