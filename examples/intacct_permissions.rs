//! Intacct permissions: every permission through the query service (typed records, several
//! pages), counted by module and group, then one permission in full.
//!
//! ```text
//! cargo run --example intacct_permissions
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise.

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::intacct::query::{PermissionRecord, Query};
use permkit_sandbox::Sandbox;
use std::collections::BTreeMap;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _run) = common::intacct(&sandbox)?;

    // The plain list returns references only (up to about 100): fine for a first look.
    let refs = client.list_permissions().send().await?;
    println!(
        "list_permissions: {} references, totalCount {:?}",
        refs.items.len(),
        refs.total_count
    );

    // Every permission, 250 per page, as typed records.
    let mut pages = client
        .query(Query::permissions().size(250))
        .record_pages::<PermissionRecord>();
    let mut by_module: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_group: BTreeMap<String, usize> = BTreeMap::new();
    let mut first_key = None;
    while let Some(page) = pages.try_next().await? {
        println!(
            "page at start={}: {} permissions (of {:?})",
            page.cursor,
            page.items.len(),
            page.total_count
        );
        for p in &page.items {
            first_key.get_or_insert_with(|| p.key.clone());
            *by_module
                .entry(
                    p.module
                        .as_ref()
                        .map(|m| m.as_str().to_string())
                        .unwrap_or_default(),
                )
                .or_default() += 1;
            let group = p
                .permission_group
                .as_ref()
                .map(|g| g.as_str().to_string())
                .unwrap_or_else(|| "(none)".into());
            *by_group.entry(group).or_default() += 1;
        }
    }
    println!("\nby group: {by_group:?}");
    println!("top modules:");
    let mut modules: Vec<_> = by_module.into_iter().collect();
    modules.sort_by_key(|m| std::cmp::Reverse(m.1));
    for (module, n) in modules.iter().take(8) {
        println!("  {module:<40} {n}");
    }

    if let Some(Some(key)) = first_key {
        let p = client.get_permission(key).send().await?;
        println!("\n{p:#?}");
    }
    Ok(())
}
