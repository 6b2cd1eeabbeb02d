//! permkit's speed and memory figures, each as a ratio against a baseline measured in the same
//! run (so a busy machine moves both). Run with:
//!
//! ```text
//! cargo bench --bench permkit
//! ```
//!
//! | figure | permkit | baseline |
//! |---|---|---|
//! | decode a page of 50 identities | generated types (open enums, lenient timestamps) | `serde_json::Value` |
//! | decode an open enum | `open_enum!` type | a closed `#[derive(Deserialize)]` enum |
//! | stream 230 identities (5 pages) from a local server | `.stream()` | a hand-written loop of raw reqwest calls |
//! | upload a 64 MiB file | streamed `FilePart` | the file read into memory first |

use futures::TryStreamExt;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<F: FnMut()>(rounds: usize, iters: usize, mut f: F) -> Duration {
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        for _ in 0..iters {
            f();
        }
        samples.push(t.elapsed() / iters as u32);
    }
    median(samples)
}

fn report(name: &str, ours: Duration, base: Duration) {
    println!(
        "{name:<48} permkit {:>10.2?}  baseline {:>10.2?}  ratio {:.2}",
        ours,
        base,
        ours.as_secs_f64() / base.as_secs_f64()
    );
}

fn identity_page() -> String {
    let items: Vec<serde_json::Value> = (0..50)
        .map(|i| {
            serde_json::json!({
                "id": uuid::Uuid::from_u128(i), "kind": "Identity", "firstName": "Ada", "lastName": format!("Lovelace{i}"),
                "emailAddress": "ada@example.com", "type": if i % 2 == 0 { "Service Account" } else { "Employee" },
                "title": "Analyst", "company": "First Bank", "division": "Retail", "department": "IT", "office": "Main",
                "supervisorName": "Martinez, Robert", "createdDate": "2019-03-01T10:00:00Z", "updatedDate": "2026-02-20T08:15:00",
                "firstSeenDate": "2020-01-01T00:00:00Z", "inactivatedDate": null, "status": "Active"
            })
        })
        .collect();
    serde_json::json!({"items": items, "totalCount": 230, "page": 1, "pageSize": 50, "totalPages": 5}).to_string()
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
enum Closed {
    Pending,
    Running,
    Finished,
    Failed,
    Canceled,
    Canceling,
}

/// Peak resident memory of this process, in KiB (Linux).
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn current_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A local server that reads and discards any request body, then answers with an import.
async fn sink_server() -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 64 * 1024];
                let mut head = Vec::new();
                // Read headers, then exactly content-length bytes.
                let (len, mut have) = loop {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    head.extend_from_slice(&buf[..n]);
                    if let Some(p) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                        let text = String::from_utf8_lossy(&head[..p]).to_lowercase();
                        let len: usize = text
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        break (len, head.len() - p - 4);
                    }
                };
                while have < len {
                    let n = sock.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    have += n;
                }
                let body = r#"{"id":"00000000-0000-0000-0000-000000000000","number":1,"type":"API","status":"Pending"}"#;
                let resp = format!(
                    "HTTP/1.1 201 Created\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                    body.len()
                );
                let _ = sock.write_all(resp.as_bytes()).await;
            });
        }
    });
    format!("http://{addr}/api")
}

fn main() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    println!("permkit benchmarks (median of rounds; ratio = permkit / baseline)\n");

    // 1. Decoding a page.
    let page = identity_page();
    let ours = time(15, 200, || {
        let p: permkit::permission_assist::types::IdentityPage =
            serde_json::from_str(&page).unwrap();
        std::hint::black_box(p);
    });
    let base = time(15, 200, || {
        let p: serde_json::Value = serde_json::from_str(&page).unwrap();
        std::hint::black_box(p);
    });
    report("decode a page of 50 identities", ours, base);

    // 2. Open enums.
    let values: Vec<String> = [
        "Pending",
        "Running",
        "Finished",
        "Failed",
        "Canceled",
        "Canceling",
    ]
    .iter()
    .map(|s| format!("\"{s}\""))
    .collect();
    let ours = time(15, 20_000, || {
        for v in &values {
            let e: permkit::permission_assist::types::ImportStatus =
                serde_json::from_str(v).unwrap();
            std::hint::black_box(e);
        }
    });
    let base = time(15, 20_000, || {
        for v in &values {
            let e: Closed = serde_json::from_str(v).unwrap();
            std::hint::black_box(e);
        }
    });
    report("decode 6 enum values", ours, base);

    // 3. Streaming pages from a local server.
    rt.block_on(async {
        let sandbox = permkit::sandbox::Sandbox::start().await;
        let url = sandbox.permission_assist_url();
        let token = permkit::sandbox::Sandbox::PERMISSION_ASSIST_TOKEN;
        let client = permkit::permission_assist::Client::builder(&url)
            .token(token)
            .build()
            .unwrap();
        let raw = reqwest::Client::new();
        let mut ours = Vec::new();
        let mut base = Vec::new();
        for _ in 0..15 {
            let t = Instant::now();
            let all: Vec<_> = client
                .list_identities()
                .stream()
                .try_collect()
                .await
                .unwrap();
            assert_eq!(all.len(), 230);
            ours.push(t.elapsed());
            let t = Instant::now();
            let mut n = 0;
            for page in 1..=5 {
                let v: serde_json::Value = raw
                    .get(format!("{url}/identities?page={page}"))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                n += v["items"].as_array().unwrap().len();
            }
            assert_eq!(n, 230);
            base.push(t.elapsed());
        }
        report(
            "stream 230 identities over 5 pages",
            median(ours),
            median(base),
        );
    });

    // 4. Uploading a large file: memory.
    rt.block_on(async {
        let dir = std::env::temp_dir().join(format!("permkit-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("big.csv");
        let size: usize = 64 * 1024 * 1024;
        {
            use std::io::Write;
            let mut f = std::io::BufWriter::new(std::fs::File::create(&file).unwrap());
            let line = b"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
            for _ in 0..size / line.len() {
                f.write_all(line).unwrap();
            }
        }
        let url = sink_server().await;
        let client = permkit::permission_assist::Client::builder(&url)
            .token("t")
            .build()
            .unwrap();
        let app = uuid::Uuid::nil();
        let before = current_rss_kib().unwrap_or(0);
        let t = Instant::now();
        client
            .upload_application_import(app)
            .file(
                uuid::Uuid::nil(),
                permkit::upload::FilePart::from_path(&file).await.unwrap(),
            )
            .send()
            .await
            .unwrap();
        let streamed_time = t.elapsed();
        let streamed_peak = peak_rss_kib().unwrap_or(0).saturating_sub(before);
        // Baseline: the same upload with the file read whole into memory first.
        let t = Instant::now();
        let bytes = tokio::fs::read(&file).await.unwrap();
        client
            .upload_application_import(app)
            .file(
                uuid::Uuid::nil(),
                permkit::upload::FilePart::from_bytes(bytes, "big.csv"),
            )
            .send()
            .await
            .unwrap();
        let whole_time = t.elapsed();
        let whole_peak = peak_rss_kib().unwrap_or(0).saturating_sub(before);
        report("upload 64 MiB (time)", streamed_time, whole_time);
        println!(
            "{:<48} permkit {:>7} KiB   baseline {:>7} KiB   ratio {:.3}",
            "upload 64 MiB (peak memory growth)",
            streamed_peak,
            whole_peak,
            streamed_peak as f64 / whole_peak.max(1) as f64
        );
        let _ = std::fs::remove_dir_all(&dir);
    });
}
