//! The sandbox's front: a small hyper server on the address users are given. It names the
//! operation of each request, records it, applies an armed [`Fault`](super::Fault) and
//! otherwise passes the request on to the wiremock server behind it, where the APIs' mocks
//! answer. It exists because a wiremock responder can only answer: it cannot close a
//! connection without a response, or in the middle of a body.

use super::bodies;
use super::faults::{Drop, Fault, Faults};
use super::request_log::{self, RecordedRequest};
use super::routes;
use super::validate;
use bytes::Bytes;
use http_body_util::{BodyExt, Full, StreamBody, combinators::BoxBody};
use hyper::body::{Frame, Incoming};
use permkit_core::Api;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

type Body = BoxBody<Bytes, std::io::Error>;

/// Hop-by-hop headers, and the length the body sets again.
const NOT_FORWARDED: &[&str] = &[
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "upgrade",
];

/// What the front shares with every connection.
pub(crate) struct Shared {
    /// The wiremock server's root URL.
    upstream: String,
    http: reqwest::Client,
    pub(crate) faults: Faults,
    log: Mutex<Vec<RecordedRequest>>,
    /// The admin API, answering under [`ADMIN_PREFIX`](crate::admin::ADMIN_PREFIX).
    pub(crate) admin: std::sync::OnceLock<crate::admin::Admin>,
}

impl Shared {
    pub(crate) fn requests(&self) -> Vec<RecordedRequest> {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub(crate) fn clear_requests(&self) {
        self.log.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn record(&self, entry: RecordedRequest) -> usize {
        let mut log = self.log.lock().unwrap_or_else(|p| p.into_inner());
        log.push(entry);
        log.len() - 1
    }

    fn set_status(&self, index: usize, status: Option<u16>) {
        if let Some(e) = self
            .log
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get_mut(index)
        {
            e.status = status;
        }
    }
}

/// The running front.
pub(crate) struct Front {
    pub(crate) addr: SocketAddr,
    pub(crate) shared: Arc<Shared>,
    task: tokio::task::AbortHandle,
}

impl std::ops::Drop for Front {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The connection is closed on purpose (a [`Fault`] asked for it).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the sandbox dropped the connection (injected fault)")
    }
}

impl std::error::Error for Dropped {}

impl Front {
    /// Starts a front on `addr` (port 0: a free one), passing requests on to `upstream`.
    pub(crate) async fn start(upstream: String, addr: SocketAddr) -> std::io::Result<Front> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let http = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared {
            upstream,
            http,
            faults: Faults::default(),
            log: Mutex::new(Vec::new()),
            admin: std::sync::OnceLock::new(),
        });
        let task = tokio::spawn(accept_all(listener, shared.clone())).abort_handle();
        Ok(Front { addr, shared, task })
    }
}

/// Serves each connection on a task of its own; they end with this task.
async fn accept_all(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        while connections.try_join_next().is_some() {}
        let shared = shared.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| serve(req, shared.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn serve(
    request: hyper::Request<Incoming>,
    shared: Arc<Shared>,
) -> Result<hyper::Response<Body>, Dropped> {
    let (parts, body) = request.into_parts();
    let body = body.collect().await.map_err(|_| Dropped)?.to_bytes();
    let path = parts.uri.path().to_string();
    if let Some(admin) = shared.admin.get().filter(|_| crate::admin::is_admin(&path)) {
        let (status, value) = admin
            .handle(parts.method.as_str(), &path, parts.uri.query(), &body)
            .await;
        return Ok(json_response(status, &value, None));
    }
    let found = routes::api_of(&path);
    let operation_id =
        found.and_then(|(api, rest)| routes::operation(api, parts.method.as_str(), rest));
    let fault = operation_id.and_then(|id| shared.faults.take(id, &path));
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let index = shared.record(RecordedRequest {
        api: found.map(|(api, _)| api),
        operation_id,
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(request_log::query),
        headers: request_log::headers(&parts.headers),
        body: request_log::body(content_type, body.clone()),
        status: None,
        fault: fault.is_some(),
    });
    if let Some((api, rest)) = found
        && operation_id.is_none()
        && let Some(response) = method_not_allowed(api, parts.method.as_str(), rest)
    {
        shared.set_status(index, Some(405));
        return Ok(response);
    }
    if let Some(latency) = fault.as_ref().and_then(|f| f.latency) {
        tokio::time::sleep(latency).await;
    }
    if let Some(fault) = &fault {
        if fault.drop == Some(Drop::BeforeResponse) {
            return Err(Dropped);
        }
        if let (Some(status), Some((api, _))) = (fault.status, found) {
            shared.set_status(index, Some(status));
            return Ok(fault_response(
                api,
                operation_id.unwrap_or_default(),
                status,
                fault,
            ));
        }
    }
    if let (Some((api, _)), Some(id)) = (found, operation_id) {
        let problems = validate::check_query(api, id, parts.uri.query());
        // The body is checked once the query passes.
        let body_problems = if problems.is_empty() {
            bodies::check_body(api, id, content_type, &body)
        } else {
            Vec::new()
        };
        if !problems.is_empty() || !body_problems.is_empty() {
            if api == Api::Perscom && super::perscom::is_widget(id) {
                // Widgets answer with HTML pages, their errors too.
                let all = problems
                    .into_iter()
                    .chain(body_problems.into_iter().map(|r| (r.field, r.message)))
                    .collect();
                let (status, page) = super::perscom::widget_refusal(all);
                shared.set_status(index, Some(status));
                return Ok(html_response(status, page));
            }
            let (status, body) = if problems.is_empty() {
                bodies::refusal(api, body_problems)
            } else {
                validate::refusal(api, problems)
            };
            shared.set_status(index, Some(status));
            return Ok(json_response(status, &body, None));
        }
    }
    let mut url = format!("{}{}", shared.upstream, path);
    if let Some(q) = parts.uri.query() {
        url = format!("{url}?{q}");
    }
    let mut forwarded = shared.http.request(parts.method.clone(), &url);
    for (name, value) in &parts.headers {
        if !NOT_FORWARDED.contains(&name.as_str()) {
            forwarded = forwarded.header(name, value);
        }
    }
    if !body.is_empty() {
        forwarded = forwarded.body(body);
    }
    let answer = forwarded.send().await;
    let (status, headers, bytes) = match answer {
        Ok(r) => {
            let status = r.status();
            let headers = r.headers().clone();
            match r.bytes().await {
                Ok(b) => (status, headers, b),
                Err(_) => return Err(Dropped),
            }
        }
        Err(_) => return Err(Dropped),
    };
    shared.set_status(index, Some(status.as_u16()));
    let mut response = hyper::Response::builder().status(status);
    for (name, value) in &headers {
        if !NOT_FORWARDED.contains(&name.as_str()) {
            response = response.header(name, value);
        }
    }
    let body = if fault.is_some_and(|f| f.drop == Some(Drop::MidBody)) {
        response = response.header(http::header::CONTENT_LENGTH, bytes.len());
        let half = bytes.slice(..bytes.len() / 2);
        let frames: Vec<Result<Frame<Bytes>, std::io::Error>> = vec![
            Ok(Frame::data(half)),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                Dropped.to_string(),
            )),
        ];
        StreamBody::new(futures::stream::iter(frames)).boxed()
    } else {
        full(bytes)
    };
    response.body(body).map_err(|_| Dropped)
}

fn full(bytes: Bytes) -> Body {
    Full::new(bytes)
        .map_err(|never: Infallible| match never {})
        .boxed()
}

/// The API's own error answer for `status`.
fn fault_response(
    api: Api,
    operation_id: &str,
    status: u16,
    fault: &Fault,
) -> hyper::Response<Body> {
    let message = fault.message.as_deref();
    let _ = operation_id;
    let body = match api {
        Api::Perscom => super::perscom::fault_body(status, message),
        Api::PermissionAssist => super::permission_assist::fault_body(status, message),
        Api::Intacct => super::intacct::fault_body(status, message, operation_id),
        #[allow(unreachable_patterns)]
        _ => serde_json::json!({"error": super::reason(status)}),
    };
    json_response(status, &body, fault.retry_after)
}

/// The API's 405 for `method` on `path` (under the API's prefix) when the API has routes for
/// the path but none for the method, with an `Allow` header listing theirs; `None` when the
/// path is none of the API's (the mock answers it) or for `HEAD` and `OPTIONS` on a known path
/// (left to the mock, as before).
fn method_not_allowed(api: Api, method: &str, path: &str) -> Option<hyper::Response<Body>> {
    let allowed = routes::allowed_methods(api, path);
    if allowed.is_empty() || matches!(method, "HEAD" | "OPTIONS") {
        return None;
    }
    let (allow, body) = match api {
        Api::Perscom => super::perscom::method_not_allowed(method, path, &allowed),
        Api::PermissionAssist => {
            super::permission_assist::method_not_allowed(method, path, &allowed)
        }
        Api::Intacct => super::intacct::method_not_allowed(method, path, &allowed),
        #[allow(unreachable_patterns)]
        _ => (
            allowed.join(", "),
            serde_json::json!({"error": super::reason(405)}),
        ),
    };
    let mut response = json_response(405, &body, None);
    if let Ok(value) = http::HeaderValue::from_str(&allow) {
        response.headers_mut().insert(http::header::ALLOW, value);
    }
    Some(response)
}

/// An HTML page answering `status`.
fn html_response(status: u16, page: String) -> hyper::Response<Body> {
    hyper::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "text/html; charset=UTF-8")
        .body(full(Bytes::from(page)))
        .unwrap_or_else(|_| hyper::Response::new(full(Bytes::new())))
}

/// A JSON answer, with a `Retry-After` (whole seconds, rounded up) if given.
fn json_response(
    status: u16,
    body: &serde_json::Value,
    retry_after: Option<std::time::Duration>,
) -> hyper::Response<Body> {
    let mut response = hyper::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json");
    if let Some(wait) = retry_after {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        response = response.header(http::header::RETRY_AFTER, secs);
    }
    let bytes = Bytes::from(serde_json::to_vec(body).unwrap_or_default());
    response
        .body(full(bytes))
        .unwrap_or_else(|_| hyper::Response::new(full(Bytes::new())))
}
