//! The tour's PERSCOM section: the sandbox unless `PERSCOM_URL` and `PERSCOM_API_KEY` are set;
//! writes against a real server only with `PERMKIT_TOUR_WRITES=1`.
//!
//! It streams every user with their rank included across several pages, runs a search, writes
//! (a user and a promotion, then removes the user), and shows a 403 that names the missing
//! scope.

use crate::{Step, Tour};
use futures::TryStreamExt;
use permkit::ErrorKind;
use permkit::perscom::enums::RankRecordType;
use permkit::perscom::types::{RankRecordCreateNested, UserCreate};
use permkit::perscom::{Client, Search, SearchFilter, SearchOp};
use permkit_sandbox::Sandbox;

/// Runs the section.
pub async fn run(tour: &Tour) -> Step {
    let real = match (crate::var("PERSCOM_URL"), crate::var("PERSCOM_API_KEY")) {
        (Some(url), Some(key)) => {
            let mut b = Client::builder(url).api_key(key);
            if let Some(id) = crate::var("PERSCOM_ID") {
                b = b.perscom_id(id);
            }
            Some(b.build()?)
        }
        _ => None,
    };
    let sandbox = real.is_none();
    let client = match real {
        Some(c) => {
            println!("PERSCOM at {} (real server)", c.host());
            c
        }
        None => {
            println!("PERSCOM sandbox at {}", tour.sandbox.perscom_url());
            Client::builder(tour.sandbox.perscom_url())
                .api_key(Sandbox::PERSCOM_API_KEY)
                .build()?
        }
    };

    // 1. Every user with their rank, 50 per page, over every page.
    let mut pages = client.list_users().include("rank").limit(50u64).pages();
    let (mut users, mut page_count, mut with_rank) = (0usize, 0u64, 0usize);
    let mut first = None;
    while let Some(page) = pages.try_next().await? {
        page_count += 1;
        users += page.items.len();
        with_rank += page.items.iter().filter(|u| u.rank.is_some()).count();
        if first.is_none() {
            first = page.items.first().cloned();
        }
        println!(
            "  page {}/{}: {} users",
            page.cursor,
            page.total_pages.unwrap_or(0),
            page.items.len()
        );
    }
    println!(
        "streamed {users} users over {page_count} pages, {with_rank} with their rank included"
    );
    if let Some(u) = &first {
        println!(
            "  first: {} ({})",
            u.name,
            u.rank
                .as_ref()
                .map(|r| r.name.as_str())
                .unwrap_or("no rank")
        );
    }
    if sandbox && (users != 300 || page_count < 2 || with_rank != users) {
        return Err(format!(
            "expected 300 users with ranks over several pages, got {users} over {page_count}"
        )
        .into());
    }

    // 2. A search: names ending in "son", sorted.
    let search = Search::new()
        .filter(SearchFilter::new("name", SearchOp::Like, "%son"))
        .sort_asc("name");
    let found: Vec<_> = client
        .search_users()
        .limit(25u64)
        .body(search)
        .stream()
        .try_collect()
        .await?;
    println!("search: {} users whose name ends in \"son\"", found.len());

    // 3. Writes: only on the sandbox, or a real server with PERMKIT_TOUR_WRITES=1.
    if sandbox || tour.writes {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs();
        let new = UserCreate::builder()
            .name("Tour Recruit")
            .email(format!("tour.recruit.{stamp}@example.com"));
        let user = client.create_user().body(new).send().await?;
        println!("created user #{} {}", user.id, user.name);
        let promotion = RankRecordCreateNested::builder()
            .rank_id(first.and_then(|u| u.rank_id).unwrap_or(1))
            .type_(RankRecordType::Promotion)
            .text("permkit tour".to_string());
        let record = client
            .create_user_rank_record(user.id)
            .body(promotion)
            .send()
            .await?;
        println!(
            "recorded rank record #{} for #{}",
            record.id, record.user_id
        );
        client.delete_user(user.id).send().await?;
        println!("deleted user #{}", user.id);
    } else {
        println!("(writes skipped: set PERMKIT_TOUR_WRITES=1 to write to the real server)");
    }

    // 4. A 403 that names the missing scope: the sandbox's limited key (view scopes only).
    let limited = Client::builder(tour.sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_LIMITED_API_KEY)
        .build()?;
    let promotion = RankRecordCreateNested::builder()
        .rank_id(2)
        .type_(RankRecordType::Promotion);
    match limited
        .create_user_rank_record(1)
        .body(promotion)
        .send()
        .await
    {
        Ok(_) => return Err("the limited key was allowed to write".into()),
        Err(e) => {
            println!("limited key: {e}");
            if e.kind() != ErrorKind::Forbidden || e.required_scope() != Some("create:rankrecord") {
                return Err(format!("expected a 403 naming create:rankrecord, got {e}").into());
            }
            println!(
                "  -> the key lacks scope `{}`",
                e.required_scope().unwrap_or("?")
            );
        }
    }
    Ok(())
}
