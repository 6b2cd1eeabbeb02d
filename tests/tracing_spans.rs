#![cfg(feature = "permission-assist")]
// A test binary of its own, not a module of `tests/suite`: tracing's callsite interest and
// maximum level are process-wide, and the suite's other tests, running beside it with no
// subscriber, would have its spans filtered out.
//! One span per call with the OpenTelemetry HTTP client field names, one child span per
//! attempt, and no secret in any field.

use permkit::RetryPolicy;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pa_trace_secret_42";

/// One span seen: its name, its parent's id, its fields (and `#id`).
type Seen = (String, Option<u64>, BTreeMap<String, String>);

#[derive(Default, Clone)]
struct Spans(Arc<Mutex<Vec<Seen>>>);

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(
            field.name().to_string(),
            format!("{value:?}").trim_matches('"').to_string(),
        );
    }
}

impl<S> Layer<S> for Spans
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let mut fields = BTreeMap::new();
        attrs.record(&mut Fields(&mut fields));
        let parent = ctx
            .span(id)
            .and_then(|s| s.parent())
            .map(|p| p.id().into_u64());
        fields.insert("#id".into(), id.into_u64().to_string());
        self.0
            .lock()
            .unwrap()
            .push((attrs.metadata().name().to_string(), parent, fields));
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some((_, _, fields)) = spans
            .iter_mut()
            .find(|(_, _, f)| f.get("#id") == Some(&id.into_u64().to_string()))
        {
            values.record(&mut Fields(fields));
        }
    }
}

#[tokio::test]
async fn a_call_has_one_span_with_otel_fields_and_one_child_per_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            serde_json::json!({"error": "not_found", "message": "no such identity"}),
        ))
        .mount(&server)
        .await;
    let spans = Spans::default();
    let subscriber = tracing_subscriber::registry().with(spans.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let client = permkit::permission_assist::Client::builder(format!("{}/api", server.uri()))
        .token(TOKEN)
        .retry(RetryPolicy::default().with_initial_backoff(Duration::from_millis(5)))
        .build()
        .unwrap();
    let e = client
        .get_identity(uuid::Uuid::nil())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(404));

    let spans = spans.0.lock().unwrap().clone();
    let calls: Vec<_> = spans.iter().filter(|s| s.0 == "permkit.call").collect();
    assert_eq!(calls.len(), 1, "{spans:#?}");
    let call = &calls[0].2;
    for (k, v) in [
        ("http.request.method", "GET"),
        ("server.address", "127.0.0.1"),
        ("url.template", "/identities/{id}"),
        ("http.response.status_code", "404"),
        ("http.request.resend_count", "1"),
        ("error.type", "404"),
        ("permkit.api", "permission-assist"),
        ("permkit.operation", "get_identity"),
    ] {
        assert_eq!(call.get(k).map(String::as_str), Some(v), "{k} in {call:#?}");
    }
    let call_id: u64 = call["#id"].parse().unwrap();
    let attempts: Vec<_> = spans
        .iter()
        .filter(|s| s.0 == "permkit.attempt" && s.1 == Some(call_id))
        .collect();
    assert_eq!(attempts.len(), 2, "a 503 then a 404: {spans:#?}");
    assert_eq!(attempts[0].2["http.response.status_code"], "503");
    assert_eq!(attempts[1].2["http.request.resend_count"], "1");
    assert!(!format!("{spans:?}").contains(TOKEN));
}
