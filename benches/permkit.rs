//! permkit's speed and memory figures, each as a ratio against a baseline measured in the same
//! run, with the contenders alternated round by round (so a busy machine moves both). Run with:
//!
//! ```text
//! cargo bench --bench permkit
//! PERMKIT_BENCH_ITEMS=20000 PERMKIT_BENCH_ROUNDS=5 PERMKIT_BENCH_UPLOAD_MIB=256 cargo bench --bench permkit
//! PERMKIT_BENCH_ONLY=memory PERMKIT_BENCH_MEMORY_ITEMS=200000 cargo bench --bench permkit
//! ```
//!
//! `PERMKIT_BENCH_ONLY` picks parts, comma-separated: `decode`, `stream`, `upload`, `memory`
//! (all of them when unset).
//!
//! | figure | permkit | baseline |
//! |---|---|---|
//! | decode one page (Permission Assist identities, PERSCOM users, Intacct permission rows) | the generated types (open enums, lenient timestamps) | plain `#[derive(Deserialize)]` structs with `String` dates and enums |
//! | list `PERMKIT_BENCH_ITEMS` items (default 100,000) of each API from a loopback server of pre-rendered pages | `.stream()` (`client.query(q).records()` for Intacct) | a hand loop of reqwest calls decoding into the plain structs, same page sizes |
//! | upload a file of `PERMKIT_BENCH_UPLOAD_MIB` MiB (default 1024) to a loopback sink | `upload_application_import` with a streamed `FilePart`, in a child process | `curl -F` to the same sink |
//! | peak RSS while listing `PERMKIT_BENCH_MEMORY_ITEMS` Permission Assist identities (default 1,000,000, 50 a page) from the loopback server of pre-rendered pages, which stays in the parent | `list_identities().stream()`, each item counted and dropped, in a child process | the same hand loop as above, in a child process |
//!
//! Ratios are permkit / baseline throughput for speed (higher is better, 1.00 = as fast as
//! the baseline) and permkit / baseline wall time for the upload (lower is better). The
//! upload's peak RSS is the child process's own `VmHWM`. The memory figure is each child's own
//! `VmHWM` (the highest of up to 3 runs each, alternated), its ratio permkit / hand loop (lower
//! is better), and it says whether permkit is within its target of 16 MiB; either child reading
//! other than the expected number of items fails the run.

use futures::TryStreamExt;
use serde::Deserialize;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt};

fn env_num(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The baseline's time over permkit's: above 1.00 permkit is faster.
fn speed_ratio(ours: Duration, base: Duration) -> f64 {
    base.as_secs_f64() / ours.as_secs_f64()
}

// ---------------------------------------------------------------------------------------------
// The baseline: the structs a user would write without permkit.
// ---------------------------------------------------------------------------------------------

mod plain {
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Identity {
        pub id: String,
        pub kind: String,
        pub first_name: String,
        pub last_name: String,
        pub email_address: Option<String>,
        #[serde(rename = "type")]
        pub kind_of: Option<String>,
        pub title: Option<String>,
        pub company: Option<String>,
        pub division: Option<String>,
        pub department: Option<String>,
        pub office: Option<String>,
        pub supervisor_name: Option<String>,
        pub created_date: Option<String>,
        pub updated_date: Option<String>,
        pub first_seen_date: Option<String>,
        pub inactivated_date: Option<String>,
        pub status: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct IdentityPage {
        pub items: Vec<Identity>,
        pub total_count: u64,
        pub page: u64,
        pub page_size: u64,
        pub total_pages: u64,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct User {
        pub id: i64,
        pub name: String,
        pub email: String,
        pub email_verified_at: Option<String>,
        pub phone_number: Option<String>,
        pub position_id: Option<i64>,
        pub rank_id: Option<i64>,
        pub specialty_id: Option<i64>,
        pub status_id: Option<i64>,
        pub unit_id: Option<i64>,
        pub unit_slot_id: Option<i64>,
        pub approved: Option<bool>,
        pub notes: Option<String>,
        pub notes_updated_at: Option<String>,
        pub profile_photo: Option<String>,
        pub cover_photo: Option<String>,
        pub last_seen_at: Option<String>,
        pub discord_user_id: Option<String>,
        pub display_name: Option<String>,
        pub online: Option<bool>,
        pub profile_photo_url: Option<String>,
        pub cover_photo_url: Option<String>,
        pub last_assignment_change_date: Option<String>,
        pub last_rank_change_date: Option<String>,
        pub label: Option<String>,
        pub created_at: Option<String>,
        pub updated_at: Option<String>,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct UserMeta {
        pub current_page: u64,
        pub last_page: u64,
        pub per_page: u64,
        pub total: u64,
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    pub struct UserList {
        pub data: Vec<User>,
        pub meta: UserMeta,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct Permission {
        pub key: Option<String>,
        pub id: Option<String>,
        pub module: Option<String>,
        pub name: Option<String>,
        pub permission_group: Option<String>,
        #[serde(default)]
        pub allowed_access_rights: Vec<String>,
        pub href: Option<String>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    pub struct QueryMeta {
        pub total_count: Option<u64>,
        pub next: Option<u64>,
    }

    #[derive(Deserialize)]
    pub struct QueryPage<T> {
        #[serde(rename = "ia::result")]
        pub result: Vec<T>,
        #[serde(rename = "ia::meta")]
        pub meta: QueryMeta,
    }
}

/// The same Intacct page, read into permkit's record type.
#[derive(Deserialize)]
struct RecordPage {
    #[serde(rename = "ia::result")]
    #[allow(dead_code)]
    result: Vec<permkit::intacct::query::PermissionRecord>,
}

// ---------------------------------------------------------------------------------------------
// Pre-rendered pages.
// ---------------------------------------------------------------------------------------------

const IDENTITY_TYPES: [&str; 4] = ["Employee", "Service Account", "Vendor", "Temporary"];

fn identity(i: u64) -> serde_json::Value {
    serde_json::json!({
        "id": uuid::Uuid::from_u128(u128::from(i) + 1), "kind": "Identity",
        "firstName": "Ada", "lastName": format!("Lovelace{i}"),
        "emailAddress": format!("ada.lovelace{i}@example.com"),
        "type": IDENTITY_TYPES[(i % 4) as usize],
        "title": "Analyst", "company": "First Bank", "division": "Retail", "department": "IT",
        "office": "Main", "supervisorName": "Martinez, Robert",
        "createdDate": "2019-03-01T10:00:00", "updatedDate": "2026-02-20T08:15:00",
        "firstSeenDate": "2020-01-01T00:00:00", "inactivatedDate": null,
        "status": if i.is_multiple_of(10) { "Disabled" } else { "Active" }
    })
}

fn user(i: u64) -> serde_json::Value {
    let id = i + 1;
    let name = format!("Sgt. John Doe {id}");
    serde_json::json!({
        "id": id, "name": name, "email": format!("john.doe{id}@example.mil"),
        "email_verified_at": "2024-05-01T12:00:00.000000Z", "phone_number": null,
        "position_id": 1 + i % 7, "rank_id": 1 + i % 12, "specialty_id": 1 + i % 5,
        "status_id": 1, "unit_id": 1 + i % 9, "unit_slot_id": null, "approved": true,
        "notes": null, "notes_updated_at": null, "profile_photo": null, "cover_photo": null,
        "last_seen_at": "2026-02-20T08:15:00.000000Z", "discord_user_id": null,
        "display_name": name, "online": i.is_multiple_of(5),
        "profile_photo_url": null, "cover_photo_url": null,
        "last_assignment_change_date": "2025-11-01T00:00:00.000000Z",
        "last_rank_change_date": "2025-06-01T00:00:00.000000Z",
        "label": name, "created_at": "2024-05-01T12:00:00.000000Z",
        "updated_at": "2026-02-20T08:15:00.000000Z"
    })
}

const MODULES: [&str; 4] = [
    "accountsPayable",
    "accountsReceivable",
    "generalLedger",
    "company",
];
const NAMES: [&str; 4] = ["1099Reports", "accounts", "apLedger", "accessLog"];
const GROUPS: [Option<&str>; 4] = [
    Some("activitiesAndLists"),
    Some("objectIds"),
    Some("reports"),
    None,
];

fn permission_row(i: u64) -> serde_json::Value {
    let key = (i + 1).to_string();
    let rights = &["list", "view", "add", "edit", "delete"][..(1 + i % 5) as usize];
    serde_json::json!({
        "key": key, "id": key, "module": MODULES[(i % 4) as usize],
        "name": NAMES[(i / 4 % 4) as usize], "permissionGroup": GROUPS[(i % 4) as usize],
        "allowedAccessRights": rights,
        "href": format!("/objects/company-config/permission/{key}")
    })
}

/// Page `p` (1-based) of `n` items, `size` a page.
fn identity_page(p: u64, size: u64, n: u64) -> String {
    let items: Vec<_> = ((p - 1) * size..(p * size).min(n)).map(identity).collect();
    serde_json::json!({
        "items": items, "totalCount": n, "page": p, "pageSize": size,
        "totalPages": n.div_ceil(size)
    })
    .to_string()
}

fn user_page(p: u64, size: u64, n: u64) -> String {
    let last = n.div_ceil(size);
    let items: Vec<_> = ((p - 1) * size..(p * size).min(n)).map(user).collect();
    let link = |q: u64| format!("http://127.0.0.1/v2/users?page={q}");
    let window: Vec<_> = (p.saturating_sub(2).max(1)..=(p + 2).min(last))
        .map(|q| serde_json::json!({"url": link(q), "label": q.to_string(), "active": q == p}))
        .collect();
    serde_json::json!({
        "data": items,
        "links": {"first": link(1), "last": link(last),
                  "prev": (p > 1).then(|| link(p - 1)), "next": (p < last).then(|| link(p + 1))},
        "meta": {"current_page": p, "from": (p - 1) * size + 1, "last_page": last,
                 "links": window, "path": "http://127.0.0.1/v2/users", "per_page": size,
                 "to": (p * size).min(n), "total": n}
    })
    .to_string()
}

/// The page at offset `start` (1-based).
fn permission_page(start: u64, size: u64, n: u64) -> String {
    let rows: Vec<_> = (start - 1..(start - 1 + size).min(n))
        .map(permission_row)
        .collect();
    let next = start + size;
    serde_json::json!({
        "ia::result": rows,
        "ia::meta": {"totalCount": n, "start": start, "pageSize": size,
                     "next": (next <= n).then_some(next),
                     "previous": (start > size).then(|| start - size)}
    })
    .to_string()
}

// ---------------------------------------------------------------------------------------------
// The loopback server: HTTP/1.1 with keep-alive, answering from pre-rendered responses.
// ---------------------------------------------------------------------------------------------

/// Which pre-rendered page a request asks for, from its target and body.
type Route = fn(&str, &[u8]) -> Option<usize>;

struct Server {
    url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn http_200(body: &str) -> bytes::Bytes {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into()
}

/// Serves `pages` on its own thread (a current-thread runtime), so the client's runtime does
/// not share its threads with the server.
fn serve(pages: Vec<String>, route: Route) -> Server {
    // One page at a time, so a long list is held once, not twice.
    let responses: Arc<Vec<bytes::Bytes>> =
        Arc::new(pages.into_iter().map(|p| http_200(&p)).collect());
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            url_tx
                .send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            let accept = async {
                while let Ok((sock, _)) = listener.accept().await {
                    sock.set_nodelay(true).unwrap();
                    tokio::spawn(connection(sock, responses.clone(), route));
                }
            };
            tokio::select! {
                _ = accept => {}
                _ = stop_rx => {}
            }
        });
    });
    Server {
        url: url_rx.recv().unwrap(),
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

async fn connection(sock: tokio::net::TcpStream, responses: Arc<Vec<bytes::Bytes>>, route: Route) {
    let (read, mut write) = sock.into_split();
    let mut read = tokio::io::BufReader::with_capacity(16 * 1024, read);
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        line.clear();
        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let target = line.split(' ').nth(1).unwrap_or("").to_string();
        let mut length = 0usize;
        loop {
            line.clear();
            if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        body.resize(length, 0);
        if read.read_exact(&mut body).await.is_err() {
            return;
        }
        let response = match route(&target, &body).and_then(|i| responses.get(i)) {
            Some(r) => r.clone(),
            None => bytes::Bytes::from_static(
                b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            ),
        };
        if write.write_all(&response).await.is_err() {
            return;
        }
    }
}

/// The number after `key` in `text`.
fn number_after(text: &[u8], key: &[u8]) -> Option<u64> {
    let at = text.windows(key.len()).position(|w| w == key)? + key.len();
    let digits = text[at..].iter().take_while(|c| c.is_ascii_digit()).count();
    std::str::from_utf8(&text[at..at + digits])
        .ok()?
        .parse()
        .ok()
}

/// `?page=N` (1 when absent) to index N - 1.
fn route_page(target: &str, _body: &[u8]) -> Option<usize> {
    let page = number_after(target.as_bytes(), b"page=").unwrap_or(1);
    usize::try_from(page).ok()?.checked_sub(1)
}

/// Intacct: `"start":S` in the body (pages of `QUERY_SIZE`).
fn route_start(_target: &str, body: &[u8]) -> Option<usize> {
    let start = number_after(body, b"\"start\":").unwrap_or(1);
    usize::try_from((start.checked_sub(1)?) / QUERY_SIZE).ok()
}

const IDENTITY_SIZE: u64 = 50;
const USER_SIZE: u64 = 100;
const QUERY_SIZE: u64 = 100;

// ---------------------------------------------------------------------------------------------
// 1. Decoding one page.
// ---------------------------------------------------------------------------------------------

/// Decodes `json` as `Ours` and as `Base`, one decode each in turn (so a busy machine slows
/// both alike), for about `budget` in all, and prints the medians and the median of the
/// paired ratios.
fn decode_pair<Ours, Base>(name: &str, json: &str, budget: Duration)
where
    Ours: serde::de::DeserializeOwned,
    Base: serde::de::DeserializeOwned,
{
    let (mut ours, mut base, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    while start.elapsed() < budget || ours.len() < 50 {
        let t = Instant::now();
        std::hint::black_box(serde_json::from_str::<Ours>(json).unwrap());
        let o = t.elapsed();
        let t = Instant::now();
        std::hint::black_box(serde_json::from_str::<Base>(json).unwrap());
        let b = t.elapsed();
        ours.push(o);
        base.push(b);
        ratios.push(speed_ratio(o, b));
    }
    println!(
        "decode {name:<38} permkit {:>9.1?}  plain structs {:>9.1?}  speed ratio {:.2}",
        median(ours),
        median(base),
        median_f64(ratios)
    );
}

fn median_f64(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

// ---------------------------------------------------------------------------------------------
// 2. Listing every item: `.stream()` against a hand loop.
// ---------------------------------------------------------------------------------------------

/// Runs `ours` and `base` (each returns the number of items it read) alternately and prints
/// items per second for both.
fn stream_pair<O, B>(
    rt: &tokio::runtime::Runtime,
    name: &str,
    n: u64,
    rounds: usize,
    ours: O,
    base: B,
) where
    O: AsyncFn() -> u64,
    B: AsyncFn() -> u64,
{
    let (mut o, mut b, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    // One warm-up round each (connections, page cache).
    rt.block_on(async {
        assert_eq!(ours().await, n, "{name}: .stream() item count");
        assert_eq!(base().await, n, "{name}: hand loop item count");
    });
    for _ in 0..rounds {
        rt.block_on(async {
            let t = Instant::now();
            assert_eq!(ours().await, n);
            o.push(t.elapsed());
            let t = Instant::now();
            assert_eq!(base().await, n);
            b.push(t.elapsed());
            ratios.push(speed_ratio(o[o.len() - 1], b[b.len() - 1]));
        });
    }
    let (o, b) = (median(o), median(b));
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "stream {name:<38} permkit {:>8.0} items/s  hand loop {:>8.0} items/s  speed ratio {:.2}",
        rate(o),
        rate(b),
        median_f64(ratios)
    );
}

async fn count<T>(s: permkit::pagination::ResultStream<'_, T>) -> u64 {
    s.try_fold(0u64, |n, item| {
        std::hint::black_box(item);
        async move { Ok(n + 1) }
    })
    .await
    .unwrap()
}

/// One page of a hand loop, read as a user would with reqwest and serde_json.
async fn read_json<T: serde::de::DeserializeOwned>(request: reqwest::RequestBuilder) -> T {
    request
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// The hand loop over Permission Assist identities (`url` ends in `/api`): page by page into
/// the plain structs, each item dropped; returns how many it read.
async fn hand_identities(raw: &reqwest::Client, url: &str, token: &str) -> u64 {
    let (mut items, mut page) = (0, 1);
    loop {
        let p: plain::IdentityPage = read_json(
            raw.get(format!("{url}/identities?page={page}"))
                .bearer_auth(token),
        )
        .await;
        for item in p.items {
            std::hint::black_box(item);
            items += 1;
        }
        if p.page >= p.total_pages {
            return items;
        }
        page += 1;
    }
}

fn bench_streams(rt: &tokio::runtime::Runtime, n: u64, rounds: usize) {
    let raw = reqwest::Client::new();
    let token = "bench-token";

    // Permission Assist: identities, 50 a page (the server's fixed size).
    {
        let pages = (1..=n.div_ceil(IDENTITY_SIZE))
            .map(|p| identity_page(p, IDENTITY_SIZE, n))
            .collect();
        let server = serve(pages, route_page);
        let url = format!("{}/api", server.url);
        let client = permkit::permission_assist::Client::builder(&url)
            .token(token)
            .build()
            .unwrap();
        stream_pair(
            rt,
            "Permission Assist identities, 50 a page",
            n,
            rounds,
            async || count(client.list_identities().stream()).await,
            async || hand_identities(&raw, &url, token).await,
        );
    }

    // PERSCOM: users, limit 100.
    {
        let pages = (1..=n.div_ceil(USER_SIZE))
            .map(|p| user_page(p, USER_SIZE, n))
            .collect();
        let server = serve(pages, route_page);
        let client = permkit::perscom::Client::builder(&server.url)
            .api_key(token)
            .build()
            .unwrap();
        let base_url = client.base_url().to_string();
        stream_pair(
            rt,
            "PERSCOM users, limit 100",
            n,
            rounds,
            async || count(client.list_users().limit(USER_SIZE).stream()).await,
            async || {
                let (mut items, mut page) = (0, 1);
                loop {
                    let p: plain::UserList = read_json(
                        raw.get(format!("{base_url}/users?page={page}&limit={USER_SIZE}"))
                            .bearer_auth(token),
                    )
                    .await;
                    for item in p.data {
                        std::hint::black_box(item);
                        items += 1;
                    }
                    if p.meta.current_page >= p.meta.last_page {
                        return items;
                    }
                    page += 1;
                }
            },
        );
    }

    // Intacct: the permissions query, size 100.
    {
        use permkit::intacct::query::{PermissionRecord, Query};
        let pages = (0..n.div_ceil(QUERY_SIZE))
            .map(|i| permission_page(i * QUERY_SIZE + 1, QUERY_SIZE, n))
            .collect();
        let server = serve(pages, route_start);
        let url = format!("{}/ia/api/v1", server.url);
        let client = permkit::intacct::Client::builder(&url)
            .token(token)
            .build()
            .unwrap();
        let query = Query::permissions().size(QUERY_SIZE);
        let body = query.to_json().unwrap();
        stream_pair(
            rt,
            "Intacct permissions query, size 100",
            n,
            rounds,
            async || count(client.query(query.clone()).records::<PermissionRecord>()).await,
            async || {
                let (mut items, mut start) = (0, 1);
                let mut body = body.clone();
                loop {
                    body["start"] = start.into();
                    let p: plain::QueryPage<plain::Permission> = read_json(
                        raw.post(format!("{url}/services/core/query"))
                            .bearer_auth(token)
                            .json(&body),
                    )
                    .await;
                    for item in p.result {
                        std::hint::black_box(item);
                        items += 1;
                    }
                    match p.meta.next {
                        Some(next) => start = next,
                        None => return items,
                    }
                }
            },
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Uploading a large file: permkit (in a child process, for its own peak RSS) and `curl -F`.
// ---------------------------------------------------------------------------------------------

/// Set in the child process: the file to upload and the sink's URL.
const CHILD_FILE: &str = "PERMKIT_BENCH_UPLOAD_CHILD_FILE";
const CHILD_URL: &str = "PERMKIT_BENCH_UPLOAD_CHILD_URL";

/// A field of `/proc/self/status`, in KiB (Linux).
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// The number a child printed on its `key...` line (`peak_rss_kib=`, `items=`).
fn child_value(stdout: &[u8], key: &str) -> Option<u64> {
    String::from_utf8_lossy(stdout)
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.trim().parse().ok())
}

/// The child: uploads the file as a user's program would (`#[tokio::main]`'s runtime), then
/// prints its peak RSS.
fn upload_child(file: &str, url: &str) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let client = permkit::permission_assist::Client::builder(url)
            .token("t")
            .build()
            .unwrap();
        client
            .upload_application_import(uuid::Uuid::nil())
            .file(
                uuid::Uuid::nil(),
                permkit::upload::FilePart::from_path(file).await.unwrap(),
            )
            .send()
            .await
            .unwrap();
    });
    println!("peak_rss_kib={}", status_kib("VmHWM:").unwrap_or(0));
}

/// A sink that reads and discards request bodies (answering `Expect: 100-continue`), then
/// answers with an import; `received` counts the body bytes.
fn sink(received: Arc<std::sync::atomic::AtomicU64>) -> Server {
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            url_tx
                .send(format!("http://{}/api", listener.local_addr().unwrap()))
                .unwrap();
            let accept = async {
                while let Ok((sock, _)) = listener.accept().await {
                    tokio::spawn(sink_connection(sock, received.clone()));
                }
            };
            tokio::select! {
                _ = accept => {}
                _ = stop_rx => {}
            }
        });
    });
    Server {
        url: url_rx.recv().unwrap(),
        stop: Some(stop_tx),
        thread: Some(thread),
    }
}

async fn sink_connection(sock: tokio::net::TcpStream, received: Arc<std::sync::atomic::AtomicU64>) {
    let (read, mut write) = sock.into_split();
    let mut read = tokio::io::BufReader::with_capacity(256 * 1024, read);
    let mut line = String::new();
    let (mut length, mut expect) = (0u64, false);
    loop {
        line.clear();
        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
        if lower.starts_with("expect:") && lower.contains("100-continue") {
            expect = true;
        }
    }
    if expect {
        let _ = write.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await;
    }
    let mut left = length;
    while left > 0 {
        let chunk = match read.fill_buf().await {
            Ok([]) | Err(_) => return,
            Ok(c) => c.len().min(left as usize),
        };
        read.consume(chunk);
        left -= chunk as u64;
    }
    received.fetch_add(length, std::sync::atomic::Ordering::Relaxed);
    let body = r#"{"id":"00000000-0000-0000-0000-000000000000","number":1,"type":"API","status":"Pending"}"#;
    let resp = format!(
        "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = write.write_all(resp.as_bytes()).await;
}

fn bench_upload(mib: u64, rounds: usize) {
    let dir = std::env::temp_dir().join(format!("permkit-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("big.csv");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
        let line = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
        for _ in 0..mib * 1024 * 1024 / line.len() as u64 {
            f.write_all(line).unwrap();
        }
    }
    let size = std::fs::metadata(&file).unwrap().len();
    let received = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let server = sink(received.clone());
    let url = server.url.clone();
    let curl_ok = std::process::Command::new("curl")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let exe = std::env::current_exe().unwrap();
    let (mut ours, mut base, mut peak) = (Vec::new(), Vec::new(), 0u64);
    for _ in 0..rounds.max(3) {
        let before = received.load(std::sync::atomic::Ordering::Relaxed);
        let t = Instant::now();
        let out = std::process::Command::new(&exe)
            .env(CHILD_FILE, &file)
            .env(CHILD_URL, &url)
            .output()
            .unwrap();
        ours.push(t.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(received.load(std::sync::atomic::Ordering::Relaxed) - before > size);
        let rss = child_value(&out.stdout, "peak_rss_kib=").unwrap_or(0);
        peak = peak.max(rss);
        if curl_ok {
            let before = received.load(std::sync::atomic::Ordering::Relaxed);
            let t = Instant::now();
            let status = std::process::Command::new("curl")
                .args(["-sS", "-o", "/dev/null", "-F"])
                .arg(format!("applicationId={}", uuid::Uuid::nil()))
                .arg("-F")
                .arg(format!("{}=@{}", uuid::Uuid::nil(), file.display()))
                .arg(format!("{url}/application-imports/upload"))
                .status()
                .unwrap();
            base.push(t.elapsed());
            assert!(status.success());
            assert!(received.load(std::sync::atomic::Ordering::Relaxed) - before > size);
        }
    }
    let ours = median(ours);
    if base.is_empty() {
        println!(
            "upload {mib} MiB{:<31} permkit {:>9.2?}  (curl not found: no baseline)",
            "", ours
        );
    } else {
        let base = median(base);
        println!(
            "upload {:<38} permkit {:>9.2?}  curl -F {:>9.2?}  time ratio {:.2}",
            format!("{mib} MiB file, streamed"),
            ours,
            base,
            ours.as_secs_f64() / base.as_secs_f64()
        );
    }
    println!(
        "upload {:<38} permkit peak RSS {:.1} MiB (whole process)",
        format!("{mib} MiB file, memory"),
        peak as f64 / 1024.0
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// 4. Memory while listing: each contender's peak RSS, each in its own child process.
// ---------------------------------------------------------------------------------------------

/// Set in the memory child: the contender (`permkit` or `hand`) and the server's URL.
const MEMORY_CHILD: &str = "PERMKIT_BENCH_MEMORY_CHILD";
const MEMORY_CHILD_URL: &str = "PERMKIT_BENCH_MEMORY_CHILD_URL";

/// What permkit's peak RSS while listing should stay within, in MiB.
const MEMORY_TARGET_MIB: f64 = 16.0;

/// The child: lists every identity at `url` (as a user's program would, on `#[tokio::main]`'s
/// runtime), dropping each, then prints how many it read and its peak RSS.
fn memory_child(which: &str, url: &str) {
    let token = "bench-token";
    let rt = tokio::runtime::Runtime::new().unwrap();
    let items = rt.block_on(async {
        match which {
            "permkit" => {
                let client = permkit::permission_assist::Client::builder(url)
                    .token(token)
                    .build()
                    .unwrap();
                count(client.list_identities().stream()).await
            }
            "hand" => hand_identities(&reqwest::Client::new(), url, token).await,
            other => panic!("{MEMORY_CHILD}={other}: expected `permkit` or `hand`"),
        }
    });
    println!("items={items}");
    println!("peak_rss_kib={}", status_kib("VmHWM:").unwrap_or(0));
}

/// Runs one memory child against `url` and returns its peak RSS in KiB (0 when the platform
/// has no `/proc/self/status`); panics unless it read exactly `n` items.
fn run_memory_child(exe: &std::path::Path, which: &str, url: &str, n: u64) -> u64 {
    let out = std::process::Command::new(exe)
        .env(MEMORY_CHILD, which)
        .env(MEMORY_CHILD_URL, url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "memory child `{which}` failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let items = child_value(&out.stdout, "items=").unwrap_or_else(|| {
        panic!(
            "memory child `{which}` printed no item count:\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    assert_eq!(
        items, n,
        "memory child `{which}` read {items} items, expected {n}"
    );
    child_value(&out.stdout, "peak_rss_kib=").unwrap_or(0)
}

/// Serves `n` identities from this process and lists them in child processes, alternately
/// permkit's `.stream()` and the hand loop, `rounds` times each; prints each one's highest
/// peak RSS.
fn bench_memory(n: u64, rounds: usize) {
    let pages = (1..=n.div_ceil(IDENTITY_SIZE))
        .map(|p| identity_page(p, IDENTITY_SIZE, n))
        .collect();
    let server = serve(pages, route_page);
    let url = format!("{}/api", server.url);
    let exe = std::env::current_exe().unwrap();
    let (mut ours, mut base) = (0u64, 0u64);
    for _ in 0..rounds.max(1) {
        ours = ours.max(run_memory_child(&exe, "permkit", &url, n));
        base = base.max(run_memory_child(&exe, "hand", &url, n));
    }
    drop(server);
    let what = format!("memory  stream {n} Permission Assist items:");
    if ours == 0 || base == 0 {
        println!("{what} peak RSS not measured (no /proc/self/status)");
        return;
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    println!(
        "{what} permkit peak RSS {:.1} MiB, hand loop {:.1} MiB (ratio {:.2}); target <= {MEMORY_TARGET_MIB} MiB: {}",
        mib(ours),
        mib(base),
        ours as f64 / base as f64,
        if mib(ours) <= MEMORY_TARGET_MIB {
            "met"
        } else {
            "NOT met"
        }
    );
}

fn main() {
    // The hand loops build plain reqwest clients, some before any permkit client: with
    // permkit's default TLS (rustls without a provider of reqwest's own) a program installs
    // one first, as the README says, or reqwest panics.
    #[cfg(feature = "rustls")]
    let _ = rustls::crypto::ring::default_provider().install_default();
    if let (Ok(file), Ok(url)) = (std::env::var(CHILD_FILE), std::env::var(CHILD_URL)) {
        upload_child(&file, &url);
        return;
    }
    if let (Ok(which), Ok(url)) = (std::env::var(MEMORY_CHILD), std::env::var(MEMORY_CHILD_URL)) {
        memory_child(&which, &url);
        return;
    }
    let items = env_num("PERMKIT_BENCH_ITEMS", 100_000);
    let rounds = env_num("PERMKIT_BENCH_ROUNDS", 9) as usize;
    let mib = env_num("PERMKIT_BENCH_UPLOAD_MIB", 1024);
    let only = std::env::var("PERMKIT_BENCH_ONLY").unwrap_or_default();
    let run = |part: &str| only.is_empty() || only.split(',').any(|p| p.trim() == part);
    println!(
        "permkit benchmarks: contenders alternated; figures are medians ({rounds} rounds for streams and uploads); speed ratio = median of the paired permkit / baseline throughput ratios\n"
    );

    println!(
        "item sizes: Permission Assist Identity {} bytes (plain {}), PERSCOM User {} bytes (plain {}), Intacct PermissionRecord {} bytes (plain {})\n",
        size_of::<permkit::permission_assist::types::Identity>(),
        size_of::<plain::Identity>(),
        size_of::<permkit::perscom::types::User>(),
        size_of::<plain::User>(),
        size_of::<permkit::intacct::query::PermissionRecord>(),
        size_of::<plain::Permission>(),
    );
    if run("decode") {
        let budget = Duration::from_millis(env_num("PERMKIT_BENCH_DECODE_MS", 2000));
        decode_pair::<permkit::permission_assist::types::IdentityPage, plain::IdentityPage>(
            "50 Permission Assist identities",
            &identity_page(1, IDENTITY_SIZE, IDENTITY_SIZE),
            budget,
        );
        decode_pair::<permkit::perscom::types::UserList, plain::UserList>(
            "100 PERSCOM users",
            &user_page(1, USER_SIZE, USER_SIZE),
            budget,
        );
        decode_pair::<RecordPage, plain::QueryPage<plain::Permission>>(
            "100 Intacct permission rows",
            &permission_page(1, QUERY_SIZE, QUERY_SIZE),
            budget,
        );
    }
    if run("stream") {
        let rt = tokio::runtime::Runtime::new().unwrap();
        bench_streams(&rt, items, rounds);
    }
    if run("upload") && mib > 0 {
        bench_upload(mib, rounds.min(5));
    }
    if run("memory") {
        bench_memory(
            env_num("PERMKIT_BENCH_MEMORY_ITEMS", 1_000_000),
            rounds.min(3),
        );
    }
}
