//! Fault injection and the request log of the sandbox: vendor error bodies, `Retry-After`,
//! latency, dropped connections (before the response and mid-body), and what the sandbox
//! recorded of each call.

use permkit::{ErrorKind, RetryPolicy};
use permkit_sandbox::{Fault, Sandbox};
#[cfg(any(feature = "permission-assist", feature = "perscom"))]
use std::time::Duration;

#[cfg(any(feature = "permission-assist", feature = "perscom"))]
fn fast_retries() -> RetryPolicy {
    RetryPolicy::default()
        .with_max_retries(3)
        .with_initial_backoff(Duration::from_millis(10))
}

#[cfg(feature = "permission-assist")]
fn permission_assist(sandbox: &Sandbox, retry: RetryPolicy) -> permkit::permission_assist::Client {
    permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .retry(retry)
        .build()
        .unwrap()
}

#[cfg(feature = "perscom")]
fn perscom(sandbox: &Sandbox, retry: RetryPolicy) -> permkit::perscom::Client {
    permkit::perscom::Client::builder(sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_API_KEY)
        .retry(retry)
        .build()
        .unwrap()
}

/// The closing note's demo: a 503 and then a 429 in the middle of a stream; the stream still
/// yields every identity, and the sandbox's log shows the two retries of page 2.
#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn a_stream_retries_through_a_503_and_a_429() {
    use futures::TryStreamExt;
    let sandbox = Sandbox::start().await;
    let client = permission_assist(&sandbox, fast_retries());
    sandbox.fault(Fault::on("list_identities").nth_call(2).status(503));
    sandbox.fault(
        Fault::on("list_identities")
            .nth_call(3)
            .status(429)
            .retry_after(Duration::from_secs(1)),
    );
    let started = std::time::Instant::now();
    let all: Vec<_> = client
        .list_identities()
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 230);
    // The client waited for the 429's Retry-After.
    assert!(started.elapsed() >= Duration::from_secs(1));

    let calls: Vec<_> = sandbox
        .requests()
        .into_iter()
        .filter(|r| r.operation_id == Some("list_identities"))
        .collect();
    let seen: Vec<(Option<&str>, Option<u16>, bool)> = calls
        .iter()
        .map(|r| (r.query.as_deref(), r.status, r.fault))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("page=1"), Some(200), false),
            (Some("page=2"), Some(503), true),
            (Some("page=2"), Some(429), true),
            (Some("page=2"), Some(200), false),
            (Some("page=3"), Some(200), false),
            (Some("page=4"), Some(200), false),
            (Some("page=5"), Some(200), false),
        ]
    );
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn permission_assist_errors_carry_its_own_body_and_retry_after() {
    let sandbox = Sandbox::start().await;
    let client = permission_assist(&sandbox, RetryPolicy::none());
    sandbox.fault(
        Fault::on("listIdentities")
            .status(429)
            .retry_after(Duration::from_millis(1500))
            .times(1),
    );
    let err = client.list_identities().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.retry_after(), Some(Duration::from_secs(2)));
    assert!(err.correlation_id().is_some_and(|c| c.len() == 32));

    sandbox.fault(
        Fault::on("list_identities")
            .status(500)
            .message("disk full")
            .times(1),
    );
    let err = client.list_identities().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server);
    assert_eq!(err.code(), Some("server_error"));
    assert_eq!(err.message(), "disk full");
    // Used up: the next call is answered by the mock.
    assert!(client.list_identities().send().await.is_ok());
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn perscom_errors_carry_its_own_body() {
    let sandbox = Sandbox::start().await;
    let client = perscom(&sandbox, RetryPolicy::none());
    sandbox.fault(Fault::on("list_users").status(503).times(1));
    let err = client.list_users().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.message().contains("maintenance"), "{}", err.message());
    assert!(err.request_id().is_some());

    sandbox.fault(Fault::on("get_user").path("/users/7").status(404));
    assert!(client.get_user(6).send().await.is_ok());
    let err = client.get_user(7).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    sandbox.clear_faults();
    assert!(client.get_user(7).send().await.is_ok());
}

#[cfg(feature = "intacct")]
#[tokio::test]
async fn intacct_errors_carry_its_own_body() {
    let sandbox = Sandbox::start().await;
    let client = permkit::intacct::Client::builder(sandbox.intacct_url())
        .client_credentials(
            Sandbox::INTACCT_CLIENT_ID,
            Sandbox::INTACCT_CLIENT_SECRET,
            Sandbox::INTACCT_USERNAME,
        )
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    sandbox.fault(Fault::on("list_roles").status(429).times(1));
    let err = client.list_roles().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited);
    assert_eq!(err.code(), Some("GW-0010"));
    assert!(err.support_id().is_some());

    sandbox.fault(Fault::on("create_token").status(503).times(1));
    let fresh = permkit::intacct::Client::builder(sandbox.intacct_url())
        .client_credentials(
            Sandbox::INTACCT_CLIENT_ID,
            Sandbox::INTACCT_CLIENT_SECRET,
            Sandbox::INTACCT_USERNAME,
        )
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = fresh.list_roles().send().await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    // The token request is logged without its secret.
    let token_call = sandbox
        .requests()
        .into_iter()
        .find(|r| r.operation_id == Some("create_token"))
        .unwrap();
    let body = String::from_utf8_lossy(&token_call.body).into_owned();
    assert!(body.contains("client_secret=[redacted]"), "{body}");
    assert!(!body.contains(Sandbox::INTACCT_CLIENT_SECRET));
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn a_dropped_connection_is_retried_and_recorded() {
    let sandbox = Sandbox::start().await;
    sandbox.fault(Fault::on("get_application").drop_connection().times(1));
    let client = permission_assist(&sandbox, RetryPolicy::none());
    let apps = client.list_applications().send().await.unwrap().items;
    let err = client.get_application(apps[0].id).send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport);

    sandbox.fault(Fault::on("get_application").drop_connection().times(1));
    let retrying = permission_assist(&sandbox, fast_retries());
    let app = retrying.get_application(apps[0].id).send().await.unwrap();
    assert_eq!(app.id, apps[0].id);
    let statuses: Vec<Option<u16>> = sandbox
        .requests()
        .iter()
        .filter(|r| r.operation_id == Some("get_application"))
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [None, None, Some(200)]);
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn a_connection_dropped_mid_body_is_a_transport_error() {
    let sandbox = Sandbox::start().await;
    sandbox.fault(Fault::on("list_users").drop_mid_body().times(1));
    let client = perscom(&sandbox, RetryPolicy::none());
    let err = client.list_users().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");
    let call = &sandbox.requests()[0];
    assert_eq!((call.status, call.fault), (Some(200), true));
    // A retrying client gets the page on its second try.
    sandbox.fault(Fault::on("list_users").drop_mid_body().times(1));
    let page = perscom(&sandbox, fast_retries())
        .list_users()
        .send()
        .await
        .unwrap();
    assert!(!page.items.is_empty());
}

#[cfg(feature = "permission-assist")]
#[tokio::test]
async fn latency_makes_a_client_time_out() {
    let sandbox = Sandbox::start().await;
    sandbox.fault(Fault::on("list_applications").latency(Duration::from_millis(400)));
    let impatient = permkit::permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let err = impatient.list_applications().send().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    // Latency alone: a patient client gets the usual answer, later.
    let started = std::time::Instant::now();
    let client = permission_assist(&sandbox, RetryPolicy::none());
    assert!(client.list_applications().send().await.is_ok());
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[cfg(feature = "perscom")]
#[tokio::test]
async fn the_log_redacts_credentials_and_names_operations() {
    let sandbox = Sandbox::start().await;
    let client = perscom(&sandbox, RetryPolicy::none());
    client.get_user(3).include("rank").send().await.unwrap();
    let call = &sandbox.requests()[0];
    assert_eq!(call.api, Some(permkit::Api::Perscom));
    assert_eq!(call.operation_id, Some("get_user"));
    assert_eq!(call.method, "GET");
    assert_eq!(call.path, "/perscom/v2/users/3");
    assert_eq!(call.query.as_deref(), Some("include=rank"));
    assert_eq!(call.header("Authorization"), Some("[redacted]"));
    assert!(
        call.headers
            .iter()
            .all(|(_, v)| !v.contains(Sandbox::PERSCOM_API_KEY))
    );
    sandbox.clear_requests();
    assert!(sandbox.requests().is_empty());
}
