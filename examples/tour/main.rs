//! The tour: every API of permkit, end to end.
//!
//! ```text
//! cargo run --example tour
//! ```
//!
//! Each section talks to a real server when that API's variables are set, and to the embedded
//! sandbox otherwise (no credentials needed):
//!
//! | API | variables |
//! |---|---|
//! | Permission Assist | `PERMISSION_ASSIST_URL` (ending in `/api`), `PERMISSION_ASSIST_TOKEN`, optional `PERMISSION_ASSIST_FILE_GROUP` |
//! | PERSCOM | `PERSCOM_URL` (the host), `PERSCOM_API_KEY`, optional `PERSCOM_ID` |
//! | Intacct | `INTACCT_URL` (ending in `/ia/api/v1`), and `INTACCT_TOKEN` or `INTACCT_CLIENT_ID` + `INTACCT_CLIENT_SECRET` + `INTACCT_USERNAME` |
//!
//! Against a real server the tour only reads, unless `PERMKIT_TOUR_WRITES=1`; even then it only
//! creates objects of its own (a user, a role, an onboarding, an import it cancels) and never
//! changes an existing person's record: its refused offboarding names the nil identity, which
//! cannot exist. It exits non-zero when any step fails.

#[cfg(feature = "intacct")]
mod intacct;
#[cfg(feature = "permission-assist")]
mod permission_assist;
#[cfg(feature = "perscom")]
mod perscom;

use permkit_sandbox::Sandbox;

/// What every section gets.
pub struct Tour {
    /// The sandbox, used by sections whose variables are not set.
    pub sandbox: Sandbox,
    /// Whether writes against a real server are allowed (`PERMKIT_TOUR_WRITES=1`).
    pub writes: bool,
}

/// A section's result: any error fails the tour.
pub type Step = Result<(), Box<dyn std::error::Error>>;

/// A variable, if set and not empty.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Runs one section, noting its failure.
#[allow(dead_code)]
async fn section(
    name: &'static str,
    run: impl std::future::Future<Output = Step>,
    failed: &mut Vec<&'static str>,
) {
    println!("\n=== {name} ===");
    if let Err(e) = run.await {
        println!("!! {name} failed: {e}");
        failed.push(name);
    }
}

#[tokio::main]
async fn main() {
    let tour = Tour {
        sandbox: Sandbox::start().await,
        writes: var("PERMKIT_TOUR_WRITES").as_deref() == Some("1"),
    };
    #[allow(unused_mut)]
    let mut failed: Vec<&'static str> = Vec::new();
    #[cfg(feature = "permission-assist")]
    section(
        "Permission Assist",
        permission_assist::run(&tour),
        &mut failed,
    )
    .await;
    #[cfg(feature = "perscom")]
    section("PERSCOM", perscom::run(&tour), &mut failed).await;
    #[cfg(feature = "intacct")]
    section("Sage Intacct", intacct::run(&tour), &mut failed).await;
    if failed.is_empty() {
        println!("\nTour complete: every step passed.");
    } else {
        println!("\nTour failed in: {}", failed.join(", "));
        std::process::exit(1);
    }
}
