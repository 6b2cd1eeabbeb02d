//! A loopback HTTP/1.1 server whose answers an async function writes, counting the requests
//! it has in progress at once (to check fetch-ahead and request limits). Also used by
//! `benches/paging.rs`.

use bytes::Bytes;
use futures::future::BoxFuture;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One request as the server saw it.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub body: Bytes,
}

/// An answer: status, headers, body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
}

impl Answer {
    /// A 200 with a JSON body.
    pub fn json(body: impl Into<Bytes>) -> Self {
        Answer {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: body.into(),
        }
    }
    /// Another status with a JSON body.
    pub fn status(status: u16, body: impl Into<Bytes>) -> Self {
        Answer {
            status,
            ..Answer::json(body)
        }
    }
    /// Adds a header.
    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// What the server counted.
#[derive(Default)]
pub struct Stats {
    /// Requests received.
    pub requests: AtomicUsize,
    in_flight: AtomicUsize,
    /// The most requests in progress at once.
    pub max_in_flight: AtomicUsize,
}

impl Stats {
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
    pub fn max_in_flight(&self) -> usize {
        self.max_in_flight.load(Ordering::SeqCst)
    }
}

pub type Handler = Arc<dyn Fn(Req) -> BoxFuture<'static, Answer> + Send + Sync>;

/// Counts a request in progress until dropped (also when the client goes away first).
struct InFlight(Arc<Stats>);

impl InFlight {
    fn new(stats: &Arc<Stats>) -> Self {
        stats.requests.fetch_add(1, Ordering::SeqCst);
        let now = stats.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        stats.max_in_flight.fetch_max(now, Ordering::SeqCst);
        InFlight(stats.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts a server on 127.0.0.1 answering every request with `handler`; returns its base URL
/// (`http://127.0.0.1:port`) and its counters.
pub async fn serve(handler: Handler) -> (String, Arc<Stats>) {
    let stats = Arc::new(Stats::default());
    let counted = stats.clone();
    let app = axum::Router::new().fallback(move |req: axum::extract::Request| {
        let handler = handler.clone();
        let stats = counted.clone();
        async move {
            let _in_flight = InFlight::new(&stats);
            let (parts, body) = req.into_parts();
            let body = axum::body::to_bytes(body, 64 << 20)
                .await
                .unwrap_or_default();
            let query = parts
                .uri
                .query()
                .map(|q| {
                    url_pairs(q)
                        .into_iter()
                        .collect::<HashMap<String, String>>()
                })
                .unwrap_or_default();
            let answer = handler(Req {
                method: parts.method.to_string(),
                path: parts.uri.path().to_string(),
                query,
                body,
            })
            .await;
            let mut resp = axum::response::Response::new(axum::body::Body::from(answer.body));
            *resp.status_mut() = axum::http::StatusCode::from_u16(answer.status).unwrap();
            for (k, v) in answer.headers {
                resp.headers_mut()
                    .insert(k, axum::http::HeaderValue::from_str(&v).unwrap());
            }
            resp
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), stats)
}

/// `a=1&b=x` as pairs (percent-decoding `%XX` and `+`).
fn url_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A Permission Assist identity, `n` numbering it.
pub fn identity(n: u64) -> serde_json::Value {
    serde_json::json!({
        "id": uuid::Uuid::from_u128(u128::from(n)), "kind": "Identity", "firstName": "Ada",
        "lastName": format!("Lovelace{n}"), "emailAddress": "ada@example.com",
        "type": if n.is_multiple_of(2) { "Service Account" } else { "Employee" }, "title": "Analyst",
        "company": "First Bank", "division": "Retail", "department": "IT", "office": "Main",
        "supervisorName": "Martinez, Robert", "createdDate": "2019-03-01T10:00:00Z",
        "updatedDate": "2026-02-20T08:15:00", "firstSeenDate": "2020-01-01T00:00:00Z",
        "inactivatedDate": null, "status": "Active"
    })
}

/// Page `page` (1-based) of `pages` pages of `per_page` identities, numbered from 1.
pub fn identity_page(page: u64, pages: u64, per_page: u64) -> String {
    let first = (page - 1) * per_page + 1;
    let items: Vec<_> = (first..first + per_page).map(identity).collect();
    serde_json::json!({"items": items, "totalCount": pages * per_page, "page": page,
        "pageSize": per_page, "totalPages": pages})
    .to_string()
}
