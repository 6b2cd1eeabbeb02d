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
//! Against a real server the tour only reads, unless `PERMKIT_TOUR_WRITES=1`. It exits non-zero
//! when any step fails.

#[cfg(feature = "intacct")]
mod intacct;
#[cfg(feature = "permission-assist")]
mod permission_assist;
#[cfg(feature = "perscom")]
mod perscom;

use permkit::sandbox::Sandbox;

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

#[tokio::main]
async fn main() {
    let tour = Tour {
        sandbox: Sandbox::start().await,
        writes: var("PERMKIT_TOUR_WRITES").as_deref() == Some("1"),
    };
    let mut failed = Vec::new();
    #[allow(unused_mut)]
    let mut sections: Vec<(
        &str,
        std::pin::Pin<Box<dyn std::future::Future<Output = Step> + '_>>,
    )> = Vec::new();
    #[cfg(feature = "permission-assist")]
    sections.push(("Permission Assist", Box::pin(permission_assist::run(&tour))));
    #[cfg(feature = "perscom")]
    sections.push(("PERSCOM", Box::pin(perscom::run(&tour))));
    #[cfg(feature = "intacct")]
    sections.push(("Sage Intacct", Box::pin(intacct::run(&tour))));
    for (name, section) in sections {
        println!("\n=== {name} ===");
        if let Err(e) = section.await {
            println!("!! {name} failed: {e}");
            failed.push(name);
        }
    }
    if failed.is_empty() {
        println!("\nTour complete: every step passed.");
    } else {
        println!("\nTour failed in: {}", failed.join(", "));
        std::process::exit(1);
    }
}
