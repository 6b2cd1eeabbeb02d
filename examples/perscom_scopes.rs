//! PERSCOM scopes: the scope each operation needs, and a 403 that names the missing one (the
//! sandbox's limited key, or your key against a real server).
//!
//! ```text
//! cargo run --example perscom_scopes
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set (the call that may
//! fail is `clear_cache`, which needs `clear:cache`), the sandbox otherwise.

use permkit::ErrorKind;
use permkit::perscom::{Client, ClientBuilder, Scope, required_scope};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    for op in [
        "list_users",
        "create_user_rank_record",
        "sync_user_tasks",
        "clear_cache",
        "list_settings",
        "get_me",
    ] {
        match required_scope(op) {
            Some(scope) => println!("{op:<26} needs {scope}"),
            None => println!("{op:<26} needs no scope"),
        }
    }
    println!(
        "{} scopes in all, e.g. {}",
        Scope::KNOWN.len(),
        Scope::CreateRankRecord
    );

    let sandbox = Sandbox::start().await;
    let client = match ClientBuilder::from_env() {
        Some(builder) => builder.build()?,
        None => Client::builder(sandbox.perscom_url())
            .api_key(Sandbox::PERSCOM_LIMITED_API_KEY)
            .build()?,
    };
    match client.clear_cache().send().await {
        Ok(r) => println!("\ncache cleared: {}", r.status),
        Err(e) => {
            if e.kind() == ErrorKind::Forbidden {
                println!("\n403 as expected: {e}");
                println!("missing scope: {}", e.required_scope().unwrap_or("?"));
            } else {
                return Err(e.into());
            }
        }
    }
    Ok(())
}
