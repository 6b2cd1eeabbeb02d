//! Fetch-ahead: reading a list of 200 pages from a loopback server that takes 20 ms to answer
//! each request, one page at a time and with 8 pages in flight, against the loops a user would
//! write by hand with reqwest and plain `#[derive(Deserialize)]` structs. Run with:
//!
//! ```text
//! cargo bench --bench paging
//! ```
//!
//! Each contender reads every page of Permission Assist identities (50 a page) in every round,
//! rounds alternate the contenders, and the figure is the median over the rounds
//! (`PAGING_ROUNDS`, 5 by default). Ratios are against the sequential hand loop.

#[path = "../tests/common/loopback.rs"]
#[allow(dead_code)]
mod loopback;

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use loopback::{Answer, Req};
use std::sync::Arc;
use std::time::{Duration, Instant};

const PAGES: u64 = 200;
const PER_PAGE: u64 = 50;
const DELAY: Duration = Duration::from_millis(20);
const AHEAD: usize = 8;

/// What a user would decode into without permkit: strings for dates and enums.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct Identity {
    id: String,
    kind: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    email_address: Option<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    title: Option<String>,
    company: Option<String>,
    division: Option<String>,
    department: Option<String>,
    office: Option<String>,
    supervisor_name: Option<String>,
    created_date: Option<String>,
    updated_date: Option<String>,
    first_seen_date: Option<String>,
    inactivated_date: Option<String>,
    status: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct IdentityPage {
    items: Vec<Identity>,
    total_pages: u64,
}

async fn hand_page(http: &reqwest::Client, base: &str, page: u64) -> IdentityPage {
    let body = http
        .get(format!("{base}/api/identities"))
        .query(&[("page", page)])
        .bearer_auth("t")
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// The sequential loop: page after page until the last.
async fn hand_sequential(http: &reqwest::Client, base: &str) -> usize {
    let mut n = 0;
    let mut page = 1;
    loop {
        let p = hand_page(http, base, page).await;
        n += p.items.len();
        if page >= p.total_pages || p.items.is_empty() {
            return n;
        }
        page += 1;
    }
}

/// Page 1 for the total, then the rest with `AHEAD` requests in flight, in order.
async fn hand_ahead(http: &reqwest::Client, base: &str) -> usize {
    let first = hand_page(http, base, 1).await;
    let mut n = first.items.len();
    let mut rest = futures::stream::iter(2..=first.total_pages)
        .map(|page| hand_page(http, base, page))
        .buffered(AHEAD);
    while let Some(p) = rest.next().await {
        n += p.items.len();
    }
    n
}

async fn permkit_stream(client: &permkit::permission_assist::Client, ahead: usize) -> usize {
    let mut n = 0;
    let mut items = client.list_identities().prefetch(ahead).stream();
    while let Some(item) = items.try_next().await.unwrap() {
        std::hint::black_box(&item);
        n += 1;
    }
    n
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    // The hand loops build plain reqwest clients, some before any permkit client: with
    // permkit's default TLS (rustls without a provider of reqwest's own) a program installs
    // one first, as the README says, or reqwest panics.
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let rounds: usize = std::env::var("PAGING_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pages: Arc<Vec<Bytes>> = Arc::new(
            (1..=PAGES)
                .map(|p| Bytes::from(loopback::identity_page(p, PAGES, PER_PAGE)))
                .collect(),
        );
        let (base, stats) = loopback::serve(Arc::new(move |req: Req| {
            let pages = pages.clone();
            Box::pin(async move {
                tokio::time::sleep(DELAY).await;
                let page: usize = req.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
                Answer::json(pages[page.clamp(1, PAGES as usize) - 1].clone())
            })
        }))
        .await;
        let http = reqwest::Client::new();
        let client = permkit::permission_assist::Client::builder(format!("{base}/api"))
            .token("t")
            .build()
            .unwrap();
        let total = (PAGES * PER_PAGE) as usize;
        let names = [
            "hand loop, sequential (baseline)",
            "permkit .stream()",
            "permkit .prefetch(8).stream()",
            "hand loop, 8 pages in flight",
        ];
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
        for _ in 0..rounds {
            for (k, s) in samples.iter_mut().enumerate() {
                let t = Instant::now();
                let n = match k {
                    0 => hand_sequential(&http, &base).await,
                    1 => permkit_stream(&client, 1).await,
                    2 => permkit_stream(&client, AHEAD).await,
                    _ => hand_ahead(&http, &base).await,
                };
                s.push(t.elapsed());
                assert_eq!(n, total, "{} read every item", names[k]);
            }
        }
        println!(
            "{PAGES} pages of {PER_PAGE} identities, {} ms per request, median of {rounds} rounds ({} requests served)",
            DELAY.as_millis(),
            stats.requests()
        );
        let medians: Vec<Duration> = samples.into_iter().map(median).collect();
        let base_time = medians[0];
        for (name, &m) in names.iter().zip(&medians) {
            println!(
                "{name:<36} {:>9.0} items/s  {:>8.2?}  ratio {:.2}",
                total as f64 / m.as_secs_f64(),
                m,
                base_time.as_secs_f64() / m.as_secs_f64()
            );
        }
        println!(
            "fetch-ahead: .prefetch(8).stream() runs {:.2} times as fast as .stream() (the bound is 8)",
            medians[1].as_secs_f64() / medians[2].as_secs_f64()
        );
        let counts = client.request_counts();
        println!(
            "permkit requests: {} sent, {} retries",
            counts.sent(),
            counts.retries()
        );
    });
}
