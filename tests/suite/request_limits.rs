//! `max_concurrent_requests`: one limit for prefetching and users' own concurrency, no slot held
//! while a request waits to retry, no deadlock with a token request, 429s still retried; and
//! `request_counts()` per operation with retries apart.
#![cfg(all(feature = "permission-assist", feature = "intacct"))]

use crate::common;

use common::loopback::{self, Answer, Req};
use futures::TryStreamExt;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

async fn slow_identities(delay: Duration) -> (String, Arc<loopback::Stats>) {
    loopback::serve(Arc::new(move |req: Req| {
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            let page: u64 = req
                .query
                .get("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            Answer::json(loopback::identity_page(page, 20, 5))
        })
    }))
    .await
}

fn pa_client(url: &str, limit: usize) -> permkit::permission_assist::Client {
    permkit::permission_assist::Client::builder(format!("{url}/api"))
        .token("t")
        .max_concurrent_requests(limit)
        .build()
        .unwrap()
}

#[tokio::test]
async fn users_own_concurrent_calls_stay_under_the_limit() {
    let (url, stats) = slow_identities(Duration::from_millis(20)).await;
    let client = pa_client(&url, 2);
    let calls = (1..=10u64).map(|n| client.list_identities().page(n).send());
    let pages = futures::future::try_join_all(calls).await.unwrap();
    assert_eq!(pages.len(), 10);
    assert_eq!(stats.requests(), 10);
    assert_eq!(stats.max_in_flight(), 2);
}

#[tokio::test]
async fn prefetching_and_other_calls_share_the_limit() {
    let (url, stats) = slow_identities(Duration::from_millis(15)).await;
    let client = pa_client(&url, 3);
    let a = client
        .list_identities()
        .prefetch(8)
        .stream()
        .try_collect::<Vec<_>>();
    let b = client
        .list_identities()
        .prefetch(8)
        .stream()
        .try_collect::<Vec<_>>();
    let (a, b) = futures::future::try_join(a, b).await.unwrap();
    assert_eq!((a.len(), b.len()), (100, 100));
    assert_eq!(stats.max_in_flight(), 3);
    assert_eq!(
        client.request_counts().operation("list_identities").sent,
        40
    );
}

#[tokio::test]
async fn the_default_is_no_limit() {
    assert!(
        permkit::ClientOptions::default()
            .max_concurrent_requests
            .is_none()
    );
    let (url, stats) = slow_identities(Duration::from_millis(50)).await;
    let client = permkit::permission_assist::Client::builder(format!("{url}/api"))
        .token("t")
        .build()
        .unwrap();
    let calls = (1..=6u64).map(|n| client.list_identities().page(n).send());
    futures::future::try_join_all(calls).await.unwrap();
    assert_eq!(stats.max_in_flight(), 6);
}

/// An Intacct server whose token endpoint takes 50 ms and whose API calls take 20 ms.
async fn intacct_with_oauth() -> (String, Arc<loopback::Stats>, Arc<AtomicUsize>) {
    let tokens = Arc::new(AtomicUsize::new(0));
    let counted = tokens.clone();
    let (url, stats) = loopback::serve(Arc::new(move |req: Req| {
        let tokens = counted.clone();
        Box::pin(async move {
            if req.path.ends_with("/oauth2/token") {
                tokens.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(50)).await;
                return Answer::json(
                    r#"{"access_token":"tok","token_type":"Bearer","expires_in":3600}"#,
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
            Answer::json(
                r#"{"ia::result":{"key":"1","id":"R1"},"ia::meta":{"totalCount":1,"totalSuccess":1,"totalError":0}}"#,
            )
        })
    }))
    .await;
    (url, stats, tokens)
}

#[tokio::test]
async fn a_token_request_cannot_deadlock_on_a_limit_of_one() {
    let (url, stats, tokens) = intacct_with_oauth().await;
    let client = permkit::intacct::Client::builder(format!("{url}/ia/api/v1"))
        .client_credentials("id", "secret", "ws@ACME")
        .max_concurrent_requests(1)
        .build()
        .unwrap();
    let calls = (0..5).map(|_| client.get_role("1").send());
    let done = tokio::time::timeout(Duration::from_secs(5), futures::future::try_join_all(calls))
        .await
        .expect("no deadlock");
    assert_eq!(done.unwrap().len(), 5);
    assert_eq!(tokens.load(Ordering::SeqCst), 1, "one token for all");
    // The token request holds no slot: the API calls alone are limited to 1.
    assert_eq!(stats.requests(), 6);
    let counts = client.request_counts();
    assert_eq!(counts.operation("get_role").sent, 5);
    assert_eq!(counts.operation("create_token").sent, 1);
    assert_eq!(counts.sent(), 6);
}

#[tokio::test]
async fn a_429_under_the_limit_is_retried_without_holding_the_slot() {
    // The first call to `/api/identities?page=1` is told to come back in 1 s; every other
    // request answers at once.
    let first = Arc::new(AtomicUsize::new(0));
    let seen = first.clone();
    let (url, _stats) = loopback::serve(Arc::new(move |req: Req| {
        let seen = seen.clone();
        Box::pin(async move {
            let page: u64 = req
                .query
                .get("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            if page == 1 && seen.fetch_add(1, Ordering::SeqCst) == 0 {
                return Answer::status(429, r#"{"message":"slow down"}"#)
                    .header("retry-after", "1");
            }
            Answer::json(loopback::identity_page(page, 20, 5))
        })
    }))
    .await;
    let client = pa_client(&url, 1);
    let started = Instant::now();
    let slow = async {
        let page = client.list_identities().page(1u64).send().await;
        (page, started.elapsed())
    };
    let fast = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let page = client.list_identities().page(2u64).send().await;
        (page, started.elapsed())
    };
    let ((slow, slow_at), (fast, fast_at)) = futures::future::join(slow, fast).await;
    assert_eq!(slow.unwrap().cursor, 1, "retried after the 429");
    assert!(fast.is_ok());
    assert!(
        fast_at < Duration::from_millis(800) && fast_at < slow_at,
        "page 2 went while page 1 waited to retry ({fast_at:?} vs {slow_at:?})"
    );
    let counts = client.request_counts();
    let c = counts.operation("list_identities");
    assert_eq!((c.sent, c.retries), (3, 1));
    assert_eq!((counts.sent(), counts.retries()), (3, 1));
}

#[tokio::test]
async fn counts_are_kept_per_operation() {
    let (url, _stats, _tokens) = intacct_with_oauth().await;
    let client = permkit::intacct::Client::builder(format!("{url}/ia/api/v1"))
        .token("t")
        .build()
        .unwrap();
    client.get_role("1").send().await.unwrap();
    client.get_role("2").send().await.unwrap();
    client.get_permission("3").send().await.unwrap();
    let entity = client.with_entity("US-East").unwrap();
    entity.get_role("4").send().await.unwrap();
    let counts = client.request_counts();
    assert_eq!(
        counts.operation("get_role").sent,
        3,
        "shared with with_entity"
    );
    assert_eq!(counts.operation("get_permission").sent, 1);
    assert_eq!(counts.operation("query").sent, 0);
    assert_eq!((counts.sent(), counts.retries()), (4, 0));
    assert_eq!(
        counts.iter().map(|(op, _)| op).collect::<Vec<_>>(),
        ["get_permission", "get_role"]
    );
}
