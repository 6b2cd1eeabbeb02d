//! `.prefetch(n)`: pages kept in flight ahead of the reader, in order, lazily, bounded by `n`,
//! errors in order, and cancelled on drop; for page numbers (Permission Assist) and offsets
//! (the Intacct query service).
#![cfg(all(feature = "permission-assist", feature = "intacct"))]

use crate::common;

use common::loopback::{self, Answer, Req};
use futures::{StreamExt, TryStreamExt};
use permkit::ErrorKind;
use std::sync::Arc;
use std::time::Duration;

/// A Permission Assist server of `pages` pages of 10 identities; page `n` waits `delay(n)`;
/// page `fail` (if any) answers 500.
async fn identities(
    pages: u64,
    delay: fn(u64) -> Duration,
    fail: Option<u64>,
) -> (permkit::permission_assist::Client, Arc<loopback::Stats>) {
    let (url, stats) = loopback::serve(Arc::new(move |req: Req| {
        Box::pin(async move {
            let page: u64 = req.query.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
            tokio::time::sleep(delay(page)).await;
            if Some(page) == fail {
                return Answer::status(500, r#"{"message":"boom"}"#);
            }
            if page > pages {
                return Answer::json(
                    serde_json::json!({"items": [], "totalCount": pages * 10, "page": page, "pageSize": 10, "totalPages": pages})
                        .to_string(),
                );
            }
            Answer::json(loopback::identity_page(page, pages, 10))
        })
    }))
    .await;
    let client = permkit::permission_assist::Client::builder(format!("{url}/api"))
        .token("t")
        .retry(permkit::RetryPolicy::none())
        .build()
        .unwrap();
    (client, stats)
}

fn last_names(ids: &[permkit::permission_assist::types::Identity]) -> Vec<String> {
    ids.iter().map(|i| i.last_name.clone()).collect()
}

fn expected(n: u64) -> Vec<String> {
    (1..=n).map(|i| format!("Lovelace{i}")).collect()
}

#[tokio::test]
async fn items_come_in_order_though_later_pages_answer_first() {
    // Later pages answer sooner, so completions arrive out of order.
    let (client, stats) = identities(12, |n| Duration::from_millis(60 - 4 * n), None).await;
    let all: Vec<_> = client
        .list_identities()
        .prefetch(5)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(last_names(&all), expected(120));
    assert_eq!(stats.requests(), 12, "no page past the last is asked for");
    assert!(stats.max_in_flight() > 1, "pages were fetched ahead");
}

#[tokio::test]
async fn at_most_n_pages_are_in_flight() {
    let (client, stats) = identities(40, |_| Duration::from_millis(15), None).await;
    let pages: Vec<_> = client
        .list_identities()
        .prefetch(4)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 40);
    assert_eq!(
        pages.iter().map(|p| p.cursor).collect::<Vec<_>>(),
        (1..=40).collect::<Vec<_>>()
    );
    assert_eq!(stats.max_in_flight(), 4);
}

#[tokio::test]
async fn without_prefetch_one_page_at_a_time() {
    let (client, stats) = identities(6, |_| Duration::from_millis(5), None).await;
    let all: Vec<_> = client
        .list_identities()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(last_names(&all), expected(60));
    assert_eq!(stats.max_in_flight(), 1);
}

#[tokio::test]
async fn nothing_is_sent_before_the_stream_is_polled() {
    let (client, stats) = identities(5, |_| Duration::ZERO, None).await;
    let mut stream = client.list_identities().prefetch(4).stream();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(stats.requests(), 0);
    assert_eq!(client.request_counts().sent(), 0);
    let first = stream.try_next().await.unwrap().unwrap();
    assert_eq!(first.last_name, "Lovelace1");
}

#[tokio::test]
async fn an_error_comes_after_the_pages_before_it_and_ends_the_stream() {
    let (client, _stats) = identities(20, |_| Duration::from_millis(5), Some(5)).await;
    let mut stream = client.list_identities().prefetch(8).stream();
    let mut seen = Vec::new();
    let e = loop {
        match stream.next().await {
            Some(Ok(item)) => seen.push(item),
            Some(Err(e)) => break e,
            None => panic!("the stream ended without the error"),
        }
    };
    assert_eq!(last_names(&seen), expected(40), "pages 1-4 first, in order");
    assert_eq!(e.status(), Some(500));
    assert!(
        stream.next().await.is_none(),
        "the stream ends after an error"
    );
}

#[tokio::test]
async fn dropping_the_stream_cancels_what_is_in_flight() {
    // Page 1 answers at once, the others take 2 s.
    let (client, stats) = identities(
        30,
        |n| Duration::from_millis(if n == 1 { 0 } else { 2000 }),
        None,
    )
    .await;
    let mut stream = client.list_identities().prefetch(6).stream();
    for _ in 0..10 {
        stream.try_next().await.unwrap().unwrap();
    }
    // Polled for 300 ms while page 2 is awaited: the pages ahead reach the server.
    let waited = tokio::time::timeout(Duration::from_millis(300), stream.try_next()).await;
    assert!(waited.is_err(), "page 2 takes 2 s");
    assert_eq!(stats.requests(), 7, "page 1, then pages 2-7 in flight");
    drop(stream);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(stats.requests(), 7, "nothing more is asked for");
    assert_eq!(client.request_counts().operation("list_identities").sent, 7);
}

#[tokio::test]
async fn a_dropped_stream_gives_back_its_slots_under_the_client_limit() {
    let (url, _stats) = loopback::serve(Arc::new(|req: Req| {
        Box::pin(async move {
            let page: u64 = req
                .query
                .get("page")
                .and_then(|p| p.parse().ok())
                .unwrap_or(1);
            if page > 1 {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            Answer::json(loopback::identity_page(page, 30, 10))
        })
    }))
    .await;
    let client = permkit::permission_assist::Client::builder(format!("{url}/api"))
        .token("t")
        .max_concurrent_requests(4)
        .build()
        .unwrap();
    let mut stream = client.list_identities().prefetch(4).stream();
    for _ in 0..10 {
        stream.try_next().await.unwrap().unwrap();
    }
    let _ = tokio::time::timeout(Duration::from_millis(200), stream.try_next()).await;
    drop(stream);
    // Had the fetches ahead outlived the stream, they would hold all 4 slots for 5 s.
    let again = tokio::time::timeout(
        Duration::from_secs(2),
        client.list_identities().page(1u64).send(),
    )
    .await;
    assert!(again.expect("the slots were given back").is_ok());
}

/// A fake list of `pages` pages (page numbers, or offsets of 10 when `offsets`) that reports
/// no total, counting the fetches in progress at once.
async fn without_total(offsets: bool) -> (Vec<u64>, usize) {
    use permkit::pagination::{Page, Repeats, items, paginate_ahead};
    use std::sync::atomic::{AtomicUsize, Ordering};
    let now = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (n, m) = (now.clone(), most.clone());
    let repeats = if offsets {
        Repeats::CursorOnly
    } else {
        Repeats::ById(|k: &u64| (*k).into())
    };
    let pages = paginate_ahead(1, repeats, 8, move |cursor| {
        let (now, most) = (n.clone(), m.clone());
        async move {
            most.fetch_max(now.fetch_add(1, Ordering::SeqCst) + 1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(5)).await;
            now.fetch_sub(1, Ordering::SeqCst);
            let index = if offsets {
                (cursor - 1) / 10 + 1
            } else {
                cursor
            };
            let items: Vec<u64> = if index <= 3 { vec![index] } else { Vec::new() };
            Ok::<_, permkit::Error>(if offsets {
                let next = (index < 3).then_some(cursor + 10);
                Page::offset(items, cursor, next)
            } else {
                Page::numbered(items, cursor, None)
            })
        }
    });
    let all: Vec<u64> = items(pages).try_collect().await.unwrap();
    (all, most.load(Ordering::SeqCst))
}

#[tokio::test]
async fn without_a_total_pages_are_read_one_at_a_time() {
    assert_eq!(without_total(false).await, (vec![1, 2, 3], 1));
    assert_eq!(without_total(true).await, (vec![1, 2, 3], 1));
}

/// An Intacct query service of `total` rows whose `next` is `start + size`; the `size` of each
/// request is recorded.
async fn query_server(
    total: u64,
    skip_at: Option<u64>,
) -> (
    permkit::intacct::Client,
    Arc<loopback::Stats>,
    Arc<std::sync::Mutex<Vec<(u64, u64)>>>,
) {
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = asked.clone();
    let (url, stats) = loopback::serve(Arc::new(move |req: Req| {
        let log = log.clone();
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
            let start = body["start"].as_u64().unwrap();
            let size = body["size"].as_u64().unwrap();
            log.lock().unwrap().push((start, size));
            let end = (start + size - 1).min(total);
            let rows: Vec<_> = (start..=end).map(|k| serde_json::json!({"key": k.to_string()})).collect();
            // With `skip_at`, the page at that start says the next page starts one row later
            // than the arithmetic predicts (as if a row was deleted meanwhile).
            let next = if end < total {
                Some(end + 1 + u64::from(skip_at == Some(start)))
            } else {
                None
            };
            Answer::json(
                serde_json::json!({"ia::result": rows, "ia::meta": {"totalCount": total, "start": start, "pageSize": size, "next": next}})
                    .to_string(),
            )
        })
    }))
    .await;
    let client = permkit::intacct::Client::builder(format!("{url}/ia/api/v1"))
        .token("t")
        .build()
        .unwrap();
    (client, stats, asked)
}

fn keys(rows: &[permkit::intacct::query::Row]) -> Vec<u64> {
    rows.iter()
        .map(|r| r["key"].as_str().unwrap().parse().unwrap())
        .collect()
}

#[tokio::test]
async fn query_pages_are_fetched_ahead_by_offset() {
    let (client, stats, asked) = query_server(100, None).await;
    let q = permkit::intacct::query::Query::new("company-config/role").size(10);
    let rows: Vec<_> = client
        .query(q)
        .prefetch(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(keys(&rows), (1..=100).collect::<Vec<_>>());
    assert_eq!(stats.requests(), 10);
    assert_eq!(stats.max_in_flight(), 4);
    let mut starts: Vec<u64> = asked.lock().unwrap().iter().map(|(s, _)| *s).collect();
    starts.sort();
    assert_eq!(starts, (0..10).map(|k| 1 + 10 * k).collect::<Vec<_>>());
}

#[tokio::test]
async fn query_offsets_that_stray_from_the_prediction_are_followed() {
    // The page at 21 says the next starts at 32, not 31: the pages asked for ahead are
    // dropped and paging goes on from 32, so row 31 is skipped as the server says.
    let (client, _stats, _asked) = query_server(100, Some(21)).await;
    let q = permkit::intacct::query::Query::new("company-config/role").size(10);
    let rows: Vec<_> = client
        .query(q)
        .prefetch(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut want: Vec<u64> = (1..=30).collect();
    want.extend(32..=100);
    assert_eq!(keys(&rows), want);
}

#[tokio::test]
async fn the_query_stream_asks_for_the_largest_page_unless_told() {
    let (client, _stats, asked) = query_server(9000, None).await;
    let rows: Vec<_> = client
        .query(permkit::intacct::query::Query::new("company-config/role"))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 9000);
    assert_eq!(
        *asked.lock().unwrap(),
        [(1, 4000), (4001, 4000), (8001, 4000)],
        "3 billed calls, not 90"
    );
    assert_eq!(client.request_counts().operation("query").sent, 3);
    let (client, _stats, asked) = query_server(30, None).await;
    let _: Vec<_> = client
        .query(permkit::intacct::query::Query::new("company-config/role").size(10))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(asked.lock().unwrap().len(), 3, "a size set is kept");
}

#[tokio::test]
async fn query_records_decode_each_row_once_into_the_type() {
    #[derive(serde::Deserialize)]
    struct Key {
        key: String,
    }
    let (client, _stats, _asked) = query_server(25, None).await;
    let rows: Vec<Key> = client
        .query(permkit::intacct::query::Query::new("company-config/role").size(10))
        .prefetch(3)
        .records()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        rows.iter()
            .map(|r| r.key.parse::<u64>().unwrap())
            .collect::<Vec<_>>(),
        (1..=25).collect::<Vec<_>>()
    );
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Wrong {
        key: u64,
    }
    let e = client
        .query(permkit::intacct::query::Query::new("company-config/role"))
        .records::<Wrong>()
        .try_collect::<Vec<_>>()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Decode);
}
