//! A loopback HTTP/1.1 server written by hand, for what wiremock cannot do: answer each
//! request with raw bytes (a body cut short, then the connection dropped).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A server that answers the n-th request (0-based) with `answers[min(n, last)]`, written
/// as is, then closes the connection. Returns its base URL and the request counter.
pub async fn serve(answers: Vec<Vec<u8>>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let n = seen.fetch_add(1, Ordering::SeqCst);
            let answer = answers[n.min(answers.len() - 1)].clone();
            tokio::spawn(async move {
                // Read the request head (these tests send no bodies on GET).
                let mut buf = vec![0u8; 16 * 1024];
                let mut read = 0;
                while read < buf.len() {
                    match socket.read(&mut buf[read..]).await {
                        Ok(0) | Err(_) => break,
                        Ok(k) => read += k,
                    }
                    if buf[..read].windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
                let _ = socket.write_all(&answer).await;
                let _ = socket.flush().await;
                // Dropping the socket closes the connection, whatever the headers promised.
            });
        }
    });
    (format!("http://{addr}"), count)
}

/// A 200 with a JSON `Content-Length` of `promised` bytes but only `body` written.
pub fn cut_short(body: &str, promised: usize) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {promised}\r\nconnection: close\r\n\r\n{body}"
    )
    .into_bytes()
}

/// A whole 200 JSON answer.
pub fn ok_json(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
