//! PERSCOM search: filters with operators, an `or` group nested one level, a case-insensitive
//! full-text search, sort and includes, streamed over every page.
//!
//! ```text
//! cargo run --example perscom_search
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise. Read-only (search is a POST that changes nothing).

mod common;

use common::Outcome;
use futures::TryStreamExt;
use permkit::perscom::{Search, SearchFilter, SearchFilterGroup, SearchOp};
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, _run) = common::perscom(&sandbox)?;

    // Sergeants and above in unit 2 or 3, newest first.
    let search = Search::new()
        .filter(SearchFilter::new("rank_id", SearchOp::Ge, 6))
        .filter(SearchFilterGroup::and([
            SearchFilter::eq("unit_id", 2),
            SearchFilter::eq("unit_id", 3).or(),
        ]))
        .sort_desc("created_at")
        .include("rank");
    let leaders: Vec<_> = client
        .search_users()
        .limit(25u64)
        .body(&search)
        .stream()
        .try_collect()
        .await?;
    println!("{} leaders in units 2 and 3:", leaders.len());
    for u in leaders.iter().take(10) {
        println!(
            "  {:<22} {}",
            u.rank.as_ref().map(|r| r.name.as_str()).unwrap_or("-"),
            u.name
        );
    }

    // Full-text, case-insensitive.
    let text = Search::new()
        .text("GARCIA")
        .case_insensitive()
        .sort_asc("name");
    let garcias = client.search_users().body(text).send().await?;
    let total = garcias
        .total_count
        .map_or_else(|| "?".to_string(), |n| n.to_string());
    println!("\n{total} users match \"garcia\" (any case)");

    // Lists: `in`, `not in`.
    let ranks = Search::new()
        .filter(SearchFilter::is_in("abbreviation", ["SGT", "SSG", "SFC"]))
        .sort_asc("order");
    let nco: Vec<_> = client
        .search_ranks()
        .body(ranks)
        .stream()
        .map_ok(|r| r.name)
        .try_collect()
        .await?;
    println!("NCO ranks: {}", nco.join(", "));

    // A bad search is refused before anything is sent.
    let bad = Search::new().filter(SearchFilter::new("id", SearchOp::In, 5));
    println!("\nrefused locally: {}", bad.to_request().unwrap_err());
    Ok(())
}
