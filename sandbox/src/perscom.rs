//! The PERSCOM sandbox: a unit roster of 300 users with ranks, positions, specialties, units,
//! statuses, awards, qualifications and their records, and the organisation around them
//! (groups, slots, training credentials, forms, calendars, content, tasks, categories; the
//! seed is in `perscom_seed.rs`), behind Orion's conventions.
//!
//! What works, under `/perscom/{v1|v2}`: index (`page`, `limit`, `include`), search (filters
//! with every operator, `and`/`or`, one level of nesting, full-text search with its case
//! sensitivity, sort, includes, the `hidden`/`visible` scopes of units), store (with 422
//! validation errors), show, update (PUT/PATCH), destroy and the three batch operations on the
//! main resources; a user's records under `/users/{id}/...` and a form's submissions under
//! `/forms/{id}/submissions`; the many-to-many relations of `PIVOTS` (list, `attach`,
//! `detach`); `GET /roster`; `GET /me`; `POST /cache`; `GET /health`. The newsfeed is
//! read-only. [`Sandbox::PERSCOM_API_KEY`](super::Sandbox::PERSCOM_API_KEY) holds every
//! scope; [`Sandbox::PERSCOM_LIMITED_API_KEY`](super::Sandbox::PERSCOM_LIMITED_API_KEY) holds
//! only the `view:` scopes (and not `view:settings`), so any write answers 403.

// Handlers answer with a ready response on every path, errors included.
#![allow(clippy::result_large_err, clippy::type_complexity)]

use super::clock::Clock;
use super::perscom_seed::{self, with_meta};
use super::perscom_webhooks::{self, Change, PerscomWebhook, RequestIds};
use super::webhooks::Outbox;
use super::{Sandbox, Service, bearer, json, query};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use wiremock::{Request, ResponseTemplate};

/// Path prefix of this API on the sandbox server.
pub(crate) const PREFIX: &str = "/perscom";

mod spec {
    include!(concat!(env!("OUT_DIR"), "/perscom_spec.rs"));
}

/// How many users the roster has.
pub(crate) const USERS: usize = 300;

/// One collection of the spec (`build/tables.rs` writes [`KINDS`] from `openapi/perscom.yaml`):
/// its path segment, the scope resource of its abilities (`view:user`), the fields its
/// `{Model}Create` schema requires, the spec's `include` whitelist (patterns: `author(.*)`,
/// `award.image`) and whether it takes no writes (the newsfeed).
pub(crate) struct Kind {
    segment: &'static str,
    scope: &'static str,
    required: &'static [&'static str],
    includes: &'static [&'static str],
    /// What a request may write (the properties of `{Model}Create` and `{Model}Update`).
    fields: &'static [&'static str],
    read_only: bool,
}

/// `fields` as the model stores them: only the attributes a request may write (PERSCOM
/// ignores the others; a model whose body takes any property, a submission's custom fields,
/// keeps them all), integral numbers kept as integers (`5.0` is stored as `5`).
fn fillable(kind: &Kind, fields: Map<String, Value>) -> Map<String, Value> {
    fields
        .into_iter()
        .filter(|(k, _)| kind.fields.is_empty() || kind.fields.contains(&k.as_str()))
        .map(|(k, v)| (k, integral(v)))
        .collect()
}

/// `v` with every integral float (`5.0`) an integer.
fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) if !n.is_i64() && !n.is_u64() => {
            match n.as_f64().and_then(super::bodies::exact_integer) {
                Some(i) => json!(i),
                None => Value::Number(n),
            }
        }
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        v => v,
    }
}

include!(concat!(env!("OUT_DIR"), "/perscom_kinds.rs"));

/// What the mock needs of a collection that the spec does not say, keyed by the spec's path
/// segment: the text fields the full-text search looks in (the server's `searchableBy`, which
/// the spec does not carry). How many of each collection are seeded is the seed's
/// (`perscom_seed.rs`); a collection of the spec the seed leaves out is served empty, and one
/// not listed here is searched by `name`.
const SEARCHABLE: &[(&str, &[&str])] = &[
    ("users", &["name", "email"]),
    ("ranks", &["name", "abbreviation"]),
    ("award-records", &["text"]),
    ("rank-records", &["text"]),
    ("assignment-records", &["text"]),
    ("service-records", &["text"]),
    ("qualification-records", &["text"]),
    ("combat-records", &["text"]),
    ("training-records", &["text"]),
    ("competencies", &["name", "description"]),
    ("credentials", &["name", "description"]),
    ("forms", &["name", "slug"]),
    ("fields", &["name", "key"]),
    ("submissions", &[]),
    ("events", &["name", "description", "location"]),
    ("announcements", &["title", "content"]),
    ("documents", &["name", "content"]),
    ("comments", &["comment"]),
    ("messages", &["message"]),
    ("newsfeed", &["headline", "text"]),
    ("tasks", &["title", "description"]),
];

impl Kind {
    /// The text fields the full-text search looks in.
    fn searchable(&self) -> &'static [&'static str] {
        SEARCHABLE
            .iter()
            .find(|(segment, _)| *segment == self.segment)
            .map_or(&["name"], |(_, fields)| *fields)
    }
}

/// Whether `include` (`rank`, `rank.image`) is in `whitelist`, the spec's patterns: `x(.*)`
/// allows `x` and anything under it, `x.*` anything under `x`, any other entry itself.
fn include_allowed(whitelist: &[&str], include: &str) -> bool {
    whitelist.iter().any(|pattern| {
        let under = |head: &str| {
            include
                .strip_prefix(head)
                .is_some_and(|r| r.starts_with('.'))
        };
        if let Some(head) = pattern.strip_suffix("(.*)") {
            include == head || under(head)
        } else if let Some(head) = pattern.strip_suffix(".*") {
            under(head)
        } else {
            include == *pattern
        }
    })
}

/// One-to-many relations served under the parent, `/{parent}/{id}/{child}`: the children hold
/// the parent's id in `<parent scope>_id`.
const HAS_MANY: &[(&str, &str)] = &[
    ("users", "award-records"),
    ("users", "rank-records"),
    ("users", "assignment-records"),
    ("users", "service-records"),
    ("users", "qualification-records"),
    ("forms", "submissions"),
];

/// A many-to-many relation: `/{parent}/{id}/{relation}` lists the `target` items joined to the
/// parent through the rows of `table`, and `attach`/`detach` add and remove rows.
struct Pivot {
    parent: &'static str,
    relation: &'static str,
    target: &'static str,
    table: &'static str,
}

impl Pivot {
    /// The row's columns holding the parent's and the target's ids (`user_id`, `task_id`).
    fn keys(&self) -> (String, String) {
        let key = |segment| kind_of(segment).map(|k| format!("{}_id", k.scope));
        (
            key(self.parent).unwrap_or_default(),
            key(self.target).unwrap_or_default(),
        )
    }
}

const PIVOTS: &[Pivot] = &[
    Pivot {
        parent: "groups",
        relation: "units",
        target: "units",
        table: "group_unit",
    },
    Pivot {
        parent: "forms",
        relation: "fields",
        target: "fields",
        table: "form_field",
    },
    Pivot {
        parent: "users",
        relation: "tasks",
        target: "tasks",
        table: "task_user",
    },
    Pivot {
        parent: "users",
        relation: "status-records",
        target: "statuses",
        table: "status_records",
    },
    Pivot {
        parent: "categories",
        relation: "ranks",
        target: "ranks",
        table: "category_rank",
    },
    Pivot {
        parent: "categories",
        relation: "awards",
        target: "awards",
        table: "award_category",
    },
];

fn kind_of(segment: &str) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.segment == segment)
}

fn pivot_of(parent: &str, relation: &str) -> Option<&'static Pivot> {
    PIVOTS
        .iter()
        .find(|p| p.parent == parent && p.relation == relation)
}

/// The collection a to-one include or `<name>_id` points into.
fn collection_of(name: &str) -> Option<&'static str> {
    Some(match name {
        "user" | "author" => "users",
        "rank" => "ranks",
        "position" => "positions",
        "specialty" => "specialties",
        "unit" => "units",
        "status" => "statuses",
        "award" => "awards",
        "qualification" => "qualifications",
        "issuer" => "issuers",
        "form" => "forms",
        "calendar" => "calendars",
        "category" => "categories",
        _ => return None,
    })
}

struct Store {
    data: BTreeMap<&'static str, Vec<Value>>,
    next_id: BTreeMap<&'static str, i64>,
    /// The changes the request being answered made, for webhooks.
    changes: Vec<Change>,
    /// The sandbox's clock: what the timestamps of writes say.
    clock: Arc<Clock>,
    /// The seed's day 0 (its dates are counted from it).
    epoch: chrono::DateTime<chrono::Utc>,
}

impl Store {
    /// The seeded company, its dates placed before the clock's "now".
    fn seeded(clock: Arc<Clock>) -> Store {
        let now = clock.now();
        let data = perscom_seed::data(now);
        let next_id = data.iter().map(|(k, v)| (*k, v.len() as i64 + 1)).collect();
        Store {
            data,
            next_id,
            changes: Vec::new(),
            clock,
            epoch: perscom_seed::epoch(now),
        }
    }

    /// The clock's "now" as PERSCOM writes a timestamp (`2026-05-16T23:49:04.000000Z`).
    fn now_stamp(&self) -> String {
        self.clock
            .now()
            .format("%Y-%m-%dT%H:%M:%S.000000Z")
            .to_string()
    }

    /// Notes a change to an item of `kind`, for the webhooks of its resource (`user.updated`).
    fn changed(&mut self, kind: &Kind, action: &str, item: &Value, changes: Value) {
        if perscom_webhooks::RESOURCES.contains(&kind.scope) {
            self.changes.push(Change {
                event: format!("{}.{action}", kind.scope),
                data: item.clone(),
                changes,
            });
        }
    }
}

/// The PERSCOM mock.
pub(crate) struct Perscom {
    store: Mutex<Store>,
    webhooks: Mutex<Vec<PerscomWebhook>>,
    outbox: Option<Arc<Outbox>>,
}

impl Perscom {
    /// A mock with the seeded roster, dated by `clock`.
    pub(crate) fn seeded(clock: Arc<Clock>) -> Self {
        Perscom {
            store: Mutex::new(Store::seeded(clock)),
            webhooks: Mutex::new(Vec::new()),
            outbox: None,
        }
    }

    /// Back to the seed, placed before the clock's "now"; the webhooks are removed.
    pub(crate) fn reset(&self) {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        *store = Store::seeded(store.clock.clone());
        drop(store);
        self.webhooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// Delivers webhooks through `outbox`.
    pub(crate) fn with_outbox(mut self, outbox: Arc<Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// Adds a webhook: every later change it wants is delivered to it. One that could never be
    /// delivered (its URL, an event PERSCOM does not send) is refused, saying why.
    pub(crate) fn register(&self, webhook: PerscomWebhook) -> Result<(), String> {
        webhook.check()?;
        self.webhooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(webhook);
        Ok(())
    }
}

fn error_body(kind: &str, message: &str) -> Value {
    json!({"error": {"message": message, "type": kind, "request_id": uuid::Uuid::new_v4().to_string(),
                     "trace_id": uuid::Uuid::new_v4().to_string()}})
}

fn error(status: u16, kind: &str, message: &str) -> ResponseTemplate {
    json(status, error_body(kind, message))
}

const UNAUTHENTICATED: &str = "You are not authenticated. Please provide a valid API key that contains your PERSCOM ID to continue.";
const FORBIDDEN: &str = "The API key provided does not have the correct permissions and/or scopes to perform the requested action.";
const NOT_FOUND: &str = "The requested resource or endpoint could not be found.";

/// The body PERSCOM answers `status` with (its exception type and, for the codes PERSCOM fixes
/// the text of, that text; where the source is cut, its beginning), for an injected fault.
pub(crate) fn fault_body(status: u16, message: Option<&str>) -> Value {
    let (kind, fixed) = match status {
        401 => ("AuthenticationException", UNAUTHENTICATED),
        402 => ("HttpException", "A valid subscription is required."),
        403 => ("HttpException", FORBIDDEN),
        404 => ("NotFoundHttpException", NOT_FOUND),
        422 => ("ValidationException", "The given data was invalid."),
        429 => (
            "ThrottleRequestsException",
            "You have exceeded the API rate limit. Please wait a minute before trying again.",
        ),
        500 => ("Exception", "There was a server error."),
        503 => (
            "HttpException",
            "The API is currently down for maintenance.",
        ),
        _ => ("HttpException", super::reason(status)),
    };
    let mut body = error_body(kind, message.unwrap_or(fixed));
    if status == 422 {
        body["error"]["errors"] = json!({});
    }
    body
}

/// PERSCOM's 405 for `method` on `path` (under `/perscom`) whose routes take `allowed`: the
/// `Allow` header (Laravel adds `HEAD` to every `GET` route) and Laravel's
/// `MethodNotAllowedHttpException` in PERSCOM's error envelope.
pub(crate) fn method_not_allowed(method: &str, path: &str, allowed: &[&str]) -> (String, Value) {
    let mut methods: Vec<&str> = Vec::new();
    for m in allowed {
        methods.push(m);
        if *m == "GET" {
            methods.push("HEAD");
        }
    }
    let allow = methods.join(", ");
    let message = format!(
        "The {method} method is not supported for route {}. Supported methods: {allow}.",
        path.trim_start_matches('/')
    );
    (allow, error_body("MethodNotAllowedHttpException", &message))
}

fn validation(errors: Map<String, Value>) -> ResponseTemplate {
    json(422, validation_body_of(errors))
}

fn validation_body_of(errors: Map<String, Value>) -> Value {
    let first = errors
        .values()
        .next()
        .and_then(|v| v[0].as_str())
        .unwrap_or("The given data was invalid.")
        .to_string();
    json!({"error": {"message": first, "type": "ValidationException",
                     "request_id": uuid::Uuid::new_v4().to_string(), "errors": errors}})
}

/// PERSCOM's 422 body for (field, message) problems.
pub(crate) fn validation_body(problems: Vec<(String, String)>) -> Value {
    let mut errors = Map::new();
    for (field, message) in problems {
        errors.insert(field, json!([message]));
    }
    validation_body_of(errors)
}

fn not_found() -> ResponseTemplate {
    error(404, "NotFoundHttpException", NOT_FOUND)
}

fn forbidden() -> ResponseTemplate {
    error(403, "HttpException", FORBIDDEN)
}

fn body(request: &Request) -> Option<Value> {
    if request.body.is_empty() {
        return Some(json!({}));
    }
    serde_json::from_slice(&request.body).ok()
}

/// Whether the key in use holds `scope`.
fn allowed(key: &str, scope: &str) -> bool {
    match key {
        Sandbox::PERSCOM_API_KEY => true,
        Sandbox::PERSCOM_LIMITED_API_KEY => scope.starts_with("view:") && scope != "view:settings",
        _ => false,
    }
}

impl Service for Perscom {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn handle(&self, request: &Request, path: &str) -> ResponseTemplate {
        let mut store = self.store.lock().unwrap_or_else(|p| p.into_inner());
        let response = self.respond(&mut store, request, path);
        let changes = std::mem::take(&mut store.changes);
        let now = store.clock.now();
        drop(store);
        if changes.is_empty() {
            return response;
        }
        // One request's changes share its ids, as PERSCOM's request context does; its
        // response carries them too, so a test can tie an event to the call that caused it.
        let ids = RequestIds {
            request_id: uuid::Uuid::new_v4().to_string(),
            trace_id: uuid::Uuid::new_v4().to_string(),
        };
        if let Some(outbox) = &self.outbox {
            let hooks = self.webhooks.lock().unwrap_or_else(|p| p.into_inner());
            perscom_webhooks::deliver(outbox, &hooks, &changes, &ids, now);
        }
        response
            .insert_header("X-Perscom-Request-Id", ids.request_id.as_str())
            .insert_header("X-Perscom-Trace-Id", ids.trace_id.as_str())
    }
}

impl Perscom {
    /// Answers one request, noting in `store.changes` what it changed.
    fn respond(&self, store: &mut Store, request: &Request, path: &str) -> ResponseTemplate {
        let segments: Vec<&str> = path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        if segments == ["health"] {
            return json(
                200,
                json!({"data": {"database": "ok", "cache": "ok", "queue": "ok"}}),
            );
        }
        if segments == ["spec.json"] {
            // No auth, as the spec says: the OpenAPI document itself.
            return ResponseTemplate::new(200).set_body_raw(spec::SPEC_JSON, "application/json");
        }
        if let [version, "widgets", rest @ ..] = segments.as_slice()
            && request.method.as_str().eq_ignore_ascii_case("GET")
        {
            return widget(store, request, version, rest);
        }
        if let [version, "widgets", "livewire", "update"] = segments.as_slice()
            && request.method.as_str().eq_ignore_ascii_case("POST")
        {
            return livewire_update(request, version);
        }
        let Some(key) = api_key(request) else {
            return error(401, "AuthenticationException", UNAUTHENTICATED);
        };
        if let Some(id) = request.headers.get("x-perscom-id")
            && !id
                .to_str()
                .is_ok_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
        {
            return error(
                401,
                "AuthenticationException",
                "The PERSCOM ID could not be resolved.",
            );
        }
        let Some((version, rest)) = segments.split_first() else {
            return not_found();
        };
        if !matches!(*version, "v1" | "v2") {
            return error(
                400,
                "HttpException",
                "The API version is not valid. Valid versions: v1, v2.",
            );
        }
        let method = request.method.as_str().to_ascii_uppercase();
        match (method.as_str(), rest) {
            ("GET", ["me"]) => {
                let me = store.data["users"][0].clone();
                let includes = kind_of("users").map_or(&[][..], |k| k.includes);
                page_response(store, request, "users", vec![me], includes)
            }
            ("POST", ["cache"]) => {
                if !allowed(&key, "clear:cache") {
                    return forbidden();
                }
                json(200, json!({"status": "okay"}))
            }
            ("GET", ["settings"]) => {
                if !allowed(&key, "view:settings") {
                    return forbidden();
                }
                let items = vec![with_meta(
                    json!({"group": "organization", "name": "name", "payload": "Sandbox Company", "locked": false}),
                    1,
                    "name",
                    0,
                    store.epoch,
                )];
                page_response(store, request, "settings", items, &[])
            }
            ("GET", ["roster", more @ ..]) => roster(store, &key, request, more),
            (m, [segment, tail @ ..]) => {
                let Some(kind) = KINDS.iter().find(|k| k.segment == *segment) else {
                    return not_found();
                };
                // A collection of the spec the seed leaves out is served empty.
                store.data.entry(kind.segment).or_default();
                if kind.read_only && m != "GET" {
                    return not_found();
                }
                match tail {
                    // A relation of one item: /{parent}/{id}/{relation}[/...]
                    [id, child, more @ ..] if id.parse::<i64>().is_ok() && *child != "image" => {
                        let parent_id: i64 = id.parse().unwrap_or_default();
                        if !store.data[kind.segment]
                            .iter()
                            .any(|u| u["id"] == json!(parent_id))
                        {
                            return not_found();
                        }
                        if let Some(pivot) = PIVOTS
                            .iter()
                            .find(|p| p.parent == kind.segment && p.relation == *child)
                        {
                            return related(store, &key, request, m, pivot, parent_id, more);
                        }
                        let Some(child_kind) = HAS_MANY
                            .iter()
                            .find(|(p, c)| *p == kind.segment && c == child)
                            .and_then(|(_, c)| kind_of(c))
                        else {
                            return not_found();
                        };
                        let key_name = format!("{}_id", kind.scope);
                        let parent = Some((key_name.as_str(), parent_id));
                        collection(store, &key, request, m, child_kind, more, parent)
                    }
                    _ => collection(store, &key, request, m, kind, tail, None),
                }
            }
            _ => not_found(),
        }
    }
}

/// Each widget the spec names (`WidgetName`) with the collection it shows (the spec does not
/// say; `roster` shows the groups with their units).
const WIDGETS: &[(&str, &str)] = &[
    ("awards", "awards"),
    ("calendar", "calendars"),
    ("forms", "forms"),
    ("positions", "positions"),
    ("qualifications", "qualifications"),
    ("ranks", "ranks"),
    ("roster", "groups"),
    ("specialties", "specialties"),
];

/// `GET /{version}/widgets/{widget}[/{resource}]`: a small HTML page (iframe content) listing the
/// widget's items, or showing one of them (`resource`: its id, or a form's slug), in the dark
/// theme with `?dark=true`. Errors are HTML pages too, as PERSCOM renders them for widgets.
fn widget(store: &Store, request: &Request, version: &str, rest: &[&str]) -> ResponseTemplate {
    if let Some(refused) = widget_gate(request, version) {
        return refused;
    }
    let dark = query(request)
        .get("dark")
        .is_some_and(|d| d == "true" || d == "1");
    let not_found = || html_page(404, "Not Found", &format!("<p>{NOT_FOUND}</p>"), dark);
    let (name, resource) = match rest {
        [name] => (*name, None),
        [name, resource] => (*name, Some(*resource)),
        _ => return not_found(),
    };
    let Some((_, collection)) = WIDGETS.iter().find(|(w, _)| *w == name) else {
        return not_found();
    };
    let items = store.data.get(collection).map(Vec::as_slice).unwrap_or(&[]);
    let label = |item: &Value| {
        escape_html(
            item["name"]
                .as_str()
                .or(item["title"].as_str())
                .unwrap_or_default(),
        )
    };
    let units = pivot_of("groups", "units");
    let list_item = |item: &Value| {
        let mut li = format!("<li data-id=\"{}\">{}", item["id"], label(item));
        if *collection == "groups"
            && let Some(units) = units
        {
            let id = item["id"].as_i64().unwrap_or_default();
            li.push_str("<ul>");
            for unit in joined(store, units, id) {
                li.push_str(&format!(
                    "<li data-id=\"{}\">{}</li>",
                    unit["id"],
                    label(&unit)
                ));
            }
            li.push_str("</ul>");
        }
        li.push_str("</li>");
        li
    };
    let title = format!("{}{}", name[..1].to_uppercase(), &name[1..]);
    let content = match resource {
        None => {
            let list: String = items.iter().map(list_item).collect();
            format!("<ul>{list}</ul>")
        }
        Some(resource) => {
            let Some(item) = items.iter().find(|i| {
                resource.parse::<i64>().is_ok_and(|id| i["id"] == json!(id))
                    || i["slug"].as_str() == Some(resource)
            }) else {
                return not_found();
            };
            let description = item["description"].as_str().unwrap_or_default();
            format!(
                "<article data-id=\"{}\"><h2>{}</h2><p>{}</p></article>",
                item["id"],
                label(item),
                escape_html(description)
            )
        }
    };
    let body = format!("<section data-widget=\"{name}\">{content}</section>");
    html_page(200, &format!("PERSCOM {title}"), &body, dark)
}

/// `POST /{version}/widgets/livewire/update`, the widgets' internal Livewire endpoint. The
/// sandbox's widgets are plain pages with no Livewire components: an update naming none
/// answers Livewire's empty response, one naming any (or a body that is no update) an HTML
/// error page, as PERSCOM renders errors for widgets.
fn livewire_update(request: &Request, version: &str) -> ResponseTemplate {
    if let Some(refused) = widget_gate(request, version) {
        return refused;
    }
    match body(request) {
        Some(Value::Object(update))
            if update
                .get("components")
                .is_none_or(|c| c.as_array().is_some_and(Vec::is_empty)) =>
        {
            json(200, json!({"components": [], "assets": []}))
        }
        Some(Value::Object(_)) => html_page(
            404,
            "Not Found",
            "<p>The Livewire component could not be found.</p>",
            false,
        ),
        _ => html_page(
            400,
            "Bad Request",
            "<p>The request is not a Livewire update.</p>",
            false,
        ),
    }
}

/// PERSCOM's answer to a widget request (a page, or the widgets' Livewire endpoint) outside
/// the spec: an HTML error page, as PERSCOM renders errors for widgets, listing the problems.
pub(crate) fn widget_refusal(problems: Vec<(String, String)>) -> (u16, String) {
    let list: String = problems
        .iter()
        .map(|(_, message)| format!("<li>{}</li>", escape_html(message)))
        .collect();
    (
        422,
        html_text("Unprocessable Content", &format!("<ul>{list}</ul>"), false),
    )
}

/// The operations PERSCOM answers with HTML (its widgets).
pub(crate) fn is_widget(operation_id: &str) -> bool {
    matches!(
        operation_id,
        "get_widget" | "get_widget_resource" | "update_widget_livewire"
    )
}

/// The sandbox's API key the request carries (bearer token, or `?apikey=` as the widgets take
/// it), if it is one the sandbox accepts.
fn api_key(request: &Request) -> Option<String> {
    bearer(request)
        .or_else(|| query(request).get("apikey").cloned())
        .filter(|k| k == Sandbox::PERSCOM_API_KEY || k == Sandbox::PERSCOM_LIMITED_API_KEY)
}

/// A widget request's refusal before anything else, as an HTML page: no accepted key (401), or
/// an API version PERSCOM does not have (400).
fn widget_gate(request: &Request, version: &str) -> Option<ResponseTemplate> {
    if api_key(request).is_none() {
        let body = format!("<p>{UNAUTHENTICATED}</p>");
        return Some(html_page(401, "Unauthorized", &body, false));
    }
    if !matches!(version, "v1" | "v2") {
        let message = "The API version is not valid. Valid versions: v1, v2.";
        return Some(html_page(
            400,
            "Bad Request",
            &format!("<p>{message}</p>"),
            false,
        ));
    }
    None
}

/// An HTML page answering `status`.
fn html_page(status: u16, title: &str, body: &str, dark: bool) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_raw(html_text(title, body, dark), "text/html; charset=UTF-8")
}

fn html_text(title: &str, body: &str, dark: bool) -> String {
    let class = if dark { " class=\"dark\"" } else { "" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"{class}>\n<head><meta charset=\"utf-8\">\
         <title>{title}</title></head>\n<body><h1>{title}</h1>{body}</body>\n</html>\n"
    )
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Drops the pivot rows that join the deleted item `id` of `kind` to anything.
fn unlink(store: &mut Store, kind: &Kind, id: i64) {
    for pivot in PIVOTS {
        let (parent_key, target_key) = pivot.keys();
        let column = if pivot.parent == kind.segment {
            parent_key
        } else if pivot.target == kind.segment {
            target_key
        } else {
            continue;
        };
        if let Some(rows) = store.data.get_mut(pivot.table) {
            rows.retain(|r| r[&column] != json!(id));
        }
    }
}

/// The roster (`GET /roster`, `GET /roster/{group}`): groups with their units and each unit's
/// members always included. The `type` layout parameter does not change the data.
fn roster(store: &Store, key: &str, request: &Request, tail: &[&str]) -> ResponseTemplate {
    if !allowed(key, "view:group") {
        return forbidden();
    }
    let groups = kind_of("groups").expect("groups");
    let units = pivot_of("groups", "units").expect("groups' units");
    let members = ["users".to_string()];
    let mut items: Vec<Value> = store.data["groups"].clone();
    if let [id] = tail {
        let id = id.parse::<i64>().ok();
        items.retain(|g| id.is_some_and(|id| g["id"] == json!(id)));
        if items.is_empty() {
            return not_found();
        }
    } else if !tail.is_empty() {
        return not_found();
    }
    for group in &mut items {
        let mut listed = joined(store, units, group["id"].as_i64().unwrap_or_default());
        for unit in &mut listed {
            expand(store, "units", unit, &members);
        }
        group["units"] = Value::Array(listed);
    }
    if let [_] = tail {
        let names = include_names(request);
        if let Err(r) = check_includes(groups, &names) {
            return r;
        }
        let mut group = items.remove(0);
        expand(store, "groups", &mut group, &names);
        return json(200, json!({"data": group}));
    }
    page_response(store, request, groups.segment, items, groups.includes)
}

/// The items `pivot` joins to item `parent_id`, each with the pivot row under `pivot`.
fn joined(store: &Store, pivot: &Pivot, parent_id: i64) -> Vec<Value> {
    let (parent_key, target_key) = pivot.keys();
    let Some(rows) = store.data.get(pivot.table) else {
        return Vec::new();
    };
    rows.iter()
        .filter(|r| r[&parent_key] == json!(parent_id))
        .filter_map(|r| {
            let mut item = store.data[pivot.target]
                .iter()
                .find(|t| t["id"] == r[&target_key])?
                .clone();
            item["pivot"] = r.clone();
            Some(item)
        })
        .collect()
}

/// A many-to-many relation of item `parent_id`: its list, `attach` and `detach`.
fn related(
    store: &mut Store,
    key: &str,
    request: &Request,
    method: &str,
    pivot: &Pivot,
    parent_id: i64,
    tail: &[&str],
) -> ResponseTemplate {
    let target = kind_of(pivot.target).expect("pivot target");
    let parent = kind_of(pivot.parent).expect("pivot parent");
    let scope = match (method, tail) {
        ("GET", []) => format!("view:{}", target.scope),
        ("POST", ["attach"]) | ("DELETE", ["detach"]) => format!("update:{}", parent.scope),
        _ => return not_found(),
    };
    if !allowed(key, &scope) {
        return forbidden();
    }
    if method == "GET" {
        let items = joined(store, pivot, parent_id);
        return page_response(store, request, target.segment, items, target.includes);
    }
    // `resources` is a list of ids, or an object keyed by id with the pivot's columns.
    let resources = body(request).and_then(|b| b.get("resources").cloned());
    let pairs: Vec<(i64, Map<String, Value>)> = match resources {
        Some(Value::Array(ids)) => ids
            .iter()
            .filter_map(Value::as_i64)
            .map(|id| (id, Map::new()))
            .collect(),
        Some(Value::Object(map)) => map
            .iter()
            .filter_map(|(id, v)| {
                Some((id.parse().ok()?, v.as_object().cloned().unwrap_or_default()))
            })
            .collect(),
        _ => {
            return validation(Map::from_iter([(
                "resources".to_string(),
                json!(["The resources field is required."]),
            )]));
        }
    };
    let (parent_key, target_key) = pivot.keys();
    let rows = store.data.entry(pivot.table).or_default();
    let is_row =
        |r: &Value, id: i64| r[&parent_key] == json!(parent_id) && r[&target_key] == json!(id);
    if method == "DELETE" {
        let mut detached = Vec::new();
        for (id, _) in pairs {
            let before = rows.len();
            rows.retain(|r| !is_row(r, id));
            if rows.len() < before {
                detached.push(id);
            }
        }
        return json(200, json!({"detached": detached}));
    }
    if let Some((id, _)) = pairs.iter().find(|(id, _)| {
        !store.data[pivot.target]
            .iter()
            .any(|t| t["id"] == json!(id))
    }) {
        return validation(Map::from_iter([(
            "resources".to_string(),
            json!([format!("The selected resource {id} is invalid.")]),
        )]));
    }
    let now = json!(store.now_stamp());
    let rows = store.data.entry(pivot.table).or_default();
    let mut attached = Vec::new();
    for (id, columns) in pairs {
        if rows.iter().any(|r| is_row(r, id)) {
            continue;
        }
        let mut row = columns;
        row.insert(parent_key.clone(), json!(parent_id));
        row.insert(target_key.clone(), json!(id));
        row.insert("created_at".into(), now.clone());
        row.insert("updated_at".into(), now.clone());
        rows.push(Value::Object(row));
        attached.push(id);
    }
    json(200, json!({"attached": attached}))
}

fn scope_for(method: &str, tail: &[&str], kind: &Kind) -> String {
    let ability = match (method, tail) {
        ("GET", _) | ("POST", ["search"]) => "view",
        ("POST", []) | ("POST", ["batch"]) => "create",
        ("PUT" | "PATCH", _) => "update",
        ("DELETE", _) => "delete",
        _ => "view",
    };
    format!("{ability}:{}", kind.scope)
}

fn collection(
    store: &mut Store,
    key: &str,
    request: &Request,
    method: &str,
    kind: &Kind,
    tail: &[&str],
    parent: Option<(&str, i64)>,
) -> ResponseTemplate {
    if !allowed(key, &scope_for(method, tail, kind)) {
        return forbidden();
    }
    let in_parent = |v: &Value| parent.is_none_or(|(f, id)| v[f] == json!(id));
    if method == "POST"
        && matches!(tail, [_] | [_, "image"])
        && crate::multipart::parts(request).is_some()
    {
        return upload(store, key, request, kind, tail);
    }
    // Writes honour `include` as reads do: refused before anything is written, applied to
    // what the response returns.
    let names = include_names(request);
    if method != "GET"
        && tail != ["search"]
        && let Err(r) = check_includes(kind, &names)
    {
        return r;
    }
    let included = |store: &Store, mut items: Vec<Value>| {
        for item in &mut items {
            expand(store, kind.segment, item, &names);
        }
        items
    };
    let one = |store: &Store, status: u16, item: Value| {
        let item = included(store, vec![item]).remove(0);
        json(status, json!({"data": item}))
    };
    match (method, tail) {
        ("GET", []) => {
            let items: Vec<Value> = store.data[kind.segment]
                .iter()
                .filter(|v| in_parent(v))
                .cloned()
                .collect();
            page_response(store, request, kind.segment, items, kind.includes)
        }
        ("POST", ["search"]) => {
            let Some(search) = body(request) else {
                return error(400, "HttpException", "The body is not JSON.");
            };
            let items: Vec<Value> = store.data[kind.segment]
                .iter()
                .filter(|v| in_parent(v))
                .cloned()
                .collect();
            let scopes = search_scopes(request);
            match run_search(kind, scopes, items, &search) {
                Ok(items) => {
                    let mut resp_items = items;
                    if let Some(includes) = search.get("includes").and_then(Value::as_array) {
                        let names: Vec<String> = includes
                            .iter()
                            .filter_map(|i| i.get("relation").and_then(Value::as_str))
                            .map(str::to_string)
                            .collect();
                        if let Err(r) = check_includes(kind, &names) {
                            return r;
                        }
                        for item in &mut resp_items {
                            expand(store, kind.segment, item, &names);
                        }
                    }
                    page_response(store, request, kind.segment, resp_items, kind.includes)
                }
                Err(r) => r,
            }
        }
        ("POST", []) => {
            let Some(Value::Object(fields)) = body(request) else {
                return error(400, "HttpException", "The body is not a JSON object.");
            };
            let mut fields = fillable(kind, fields);
            if let Some((f, id)) = parent {
                fields.insert(f.to_string(), json!(id));
            }
            match create(store, kind, fields) {
                Ok(v) => one(store, 201, v),
                Err(r) => r,
            }
        }
        ("POST", ["batch"]) => {
            let Some(resources) =
                body(request).and_then(|b| b.get("resources").and_then(Value::as_array).cloned())
            else {
                return validation(Map::from_iter([(
                    "resources".to_string(),
                    json!(["The resources field is required."]),
                )]));
            };
            let mut out = Vec::new();
            for r in resources {
                let Value::Object(fields) = r else {
                    return validation(Map::from_iter([(
                        "resources".to_string(),
                        json!(["Each resource must be an object."]),
                    )]));
                };
                let mut fields = fillable(kind, fields);
                if let Some((f, id)) = parent {
                    fields.insert(f.to_string(), json!(id));
                }
                match create(store, kind, fields) {
                    Ok(v) => out.push(v),
                    Err(r) => return r,
                }
            }
            json(200, json!({"data": included(store, out)}))
        }
        ("PATCH", ["batch"]) => {
            let Some(Value::Object(resources)) =
                body(request).and_then(|b| b.get("resources").cloned())
            else {
                return validation(Map::from_iter([(
                    "resources".to_string(),
                    json!(["The resources field must be an object keyed by id."]),
                )]));
            };
            let mut out = Vec::new();
            for (id, changes) in resources {
                let Ok(id) = id.parse::<i64>() else {
                    return not_found();
                };
                match update(store, kind, id, &changes, &in_parent) {
                    Some(v) => out.push(v),
                    None => return not_found(),
                }
            }
            json(200, json!({"data": included(store, out)}))
        }
        ("DELETE", ["batch"]) => {
            let Some(ids) =
                body(request).and_then(|b| b.get("resources").and_then(Value::as_array).cloned())
            else {
                return validation(Map::from_iter([(
                    "resources".to_string(),
                    json!(["The resources field is required."]),
                )]));
            };
            let mut out = Vec::new();
            for id in ids {
                let list = store.data.get_mut(kind.segment).expect("kind");
                match list.iter().position(|v| v["id"] == id && in_parent(v)) {
                    Some(i) => {
                        let gone = list.remove(i);
                        unlink(store, kind, gone["id"].as_i64().unwrap_or_default());
                        store.changed(kind, "deleted", &gone, json!([]));
                        out.push(gone);
                    }
                    None => return not_found(),
                }
            }
            json(200, json!({"data": included(store, out)}))
        }
        (m, [id]) => {
            let Ok(id) = id.parse::<i64>() else {
                return not_found();
            };
            match m {
                "GET" => {
                    let Some(mut item) = store.data[kind.segment]
                        .iter()
                        .find(|v| v["id"] == json!(id) && in_parent(v))
                        .cloned()
                    else {
                        return not_found();
                    };
                    let names = include_names(request);
                    if let Err(r) = check_includes(kind, &names) {
                        return r;
                    }
                    expand(store, kind.segment, &mut item, &names);
                    json(200, json!({"data": item}))
                }
                "PUT" | "PATCH" => {
                    let Some(changes) = body(request) else {
                        return error(400, "HttpException", "The body is not JSON.");
                    };
                    match update(store, kind, id, &changes, &in_parent) {
                        Some(v) => one(store, 200, v),
                        None => not_found(),
                    }
                }
                "DELETE" => {
                    let list = store.data.get_mut(kind.segment).expect("kind");
                    match list
                        .iter()
                        .position(|v| v["id"] == json!(id) && in_parent(v))
                    {
                        Some(i) => {
                            let gone = list.remove(i);
                            unlink(store, kind, id);
                            store.changed(kind, "deleted", &gone, json!([]));
                            one(store, 200, gone)
                        }
                        None => not_found(),
                    }
                }
                _ => not_found(),
            }
        }
        _ => not_found(),
    }
}

/// Multipart writes: `POST /{r}/{id}/image` (create, or replace with `_method=PUT`) and
/// `POST /users/{id}` with `_method=PUT` carrying photos.
fn upload(
    store: &mut Store,
    key: &str,
    request: &Request,
    kind: &Kind,
    tail: &[&str],
) -> ResponseTemplate {
    let parts = crate::multipart::parts(request).unwrap_or_default();
    let text = |name: &str| {
        parts
            .iter()
            .find(|p| p.0 == name && p.1.is_none())
            .map(|p| String::from_utf8_lossy(&p.2).into_owned())
    };
    let spoofed = text("_method")
        .is_some_and(|m| m.eq_ignore_ascii_case("put") || m.eq_ignore_ascii_case("patch"));
    let Ok(id) = tail[0].parse::<i64>() else {
        return not_found();
    };
    if !store.data[kind.segment]
        .iter()
        .any(|v| v["id"] == json!(id))
    {
        return not_found();
    }
    match tail {
        [_, "image"] => {
            let scope = if spoofed {
                "update:image"
            } else {
                "create:image"
            };
            if !allowed(key, scope) {
                return forbidden();
            }
            let file = parts.iter().find(|p| p.0 == "image" && p.1.is_some());
            let mut errors = Map::new();
            if !spoofed && text("name").is_none_or(|n| n.trim().is_empty()) {
                errors.insert("name".into(), json!(["The name field is required."]));
            }
            match file {
                Some(f) if f.2.is_empty() => {
                    errors.insert("image".into(), json!(["The image failed to upload."]));
                }
                None if !spoofed => {
                    errors.insert("image".into(), json!(["The image field is required."]));
                }
                _ => {}
            }
            if !errors.is_empty() {
                return validation(errors);
            }
            let filename = file
                .and_then(|f| f.1.clone())
                .unwrap_or_else(|| "image".into());
            let bytes = file.map(|f| f.2.len()).unwrap_or(0);
            let image = json!({"id": id, "name": text("name").unwrap_or_else(|| "Image".into()),
                               "description": text("description"), "filename": filename,
                               "path": format!("images/{}/{id}/{filename}", kind.segment),
                               "image_url": format!("https://cdn.sandbox.perscom.test/images/{}/{id}/{filename}?bytes={bytes}", kind.segment),
                               "model_type": kind.scope, "model_id": id});
            json(if spoofed { 200 } else { 201 }, json!({"data": image}))
        }
        [_] if spoofed => {
            if !allowed(key, &format!("update:{}", kind.scope)) {
                return forbidden();
            }
            let list = store.data.get_mut(kind.segment).expect("kind");
            let Some(item) = list.iter_mut().find(|v| v["id"] == json!(id)) else {
                return not_found();
            };
            let before = item.clone();
            for (name, filename, content) in &parts {
                match filename {
                    Some(f)
                        if kind.segment == "users"
                            && (name == "profile_photo" || name == "cover_photo") =>
                    {
                        item[name.as_str()] = json!(format!("{name}s/{id}/{f}"));
                        item[format!("{name}_url")] = json!(format!(
                            "https://cdn.sandbox.perscom.test/{name}s/{id}/{f}?bytes={}",
                            content.len()
                        ));
                    }
                    None if name != "_method" => {
                        item[name.as_str()] = json!(String::from_utf8_lossy(content))
                    }
                    _ => {}
                }
            }
            let after = item.clone();
            let changed: Map<String, Value> = after
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, v)| before.get(k.as_str()) != Some(*v))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !changed.is_empty() {
                store.changed(kind, "updated", &after, Value::Object(changed));
            }
            json(200, json!({"data": after}))
        }
        _ => not_found(),
    }
}

fn create(
    store: &mut Store,
    kind: &Kind,
    fields: Map<String, Value>,
) -> Result<Value, ResponseTemplate> {
    let mut errors = Map::new();
    for f in kind.required {
        if fields
            .get(*f)
            .is_none_or(|v| v.is_null() || v.as_str().is_some_and(|s| s.trim().is_empty()))
        {
            errors.insert(
                f.to_string(),
                json!([format!("The {} field is required.", f.replace('_', " "))]),
            );
        }
    }
    for (f, v) in &fields {
        if let Some(target) = f.strip_suffix("_id").and_then(collection_of)
            && !v.is_null()
            && !store.data[target].iter().any(|t| t["id"] == *v)
        {
            errors.insert(
                f.clone(),
                json!([format!("The selected {} is invalid.", f.replace('_', " "))]),
            );
        }
    }
    if kind.segment == "users"
        && let Some(email) = fields.get("email").and_then(Value::as_str)
    {
        if !email.contains('@') {
            errors.insert(
                "email".into(),
                json!(["The email field must be a valid email address."]),
            );
        } else if store.data["users"]
            .iter()
            .any(|u| u["email"].as_str() == Some(email))
        {
            errors.insert("email".into(), json!(["The email has already been taken."]));
        }
    }
    if !errors.is_empty() {
        return Err(validation(errors));
    }
    let id = *store.next_id.get(kind.segment).unwrap_or(&1);
    store.next_id.insert(kind.segment, id + 1);
    let label = fields
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or(kind.segment)
        .to_string();
    let mut v = Value::Object(fields);
    let now = store.now_stamp();
    v["id"] = json!(id);
    v["label"] = json!(label);
    v["created_at"] = json!(now);
    v["updated_at"] = json!(now);
    if kind.segment == "users" {
        v["display_name"] = v["name"].clone();
        v["approved"] = v.get("approved").cloned().unwrap_or(json!(true));
    }
    store
        .data
        .get_mut(kind.segment)
        .expect("kind")
        .push(v.clone());
    // PHP's empty array: a created model has no changes yet.
    store.changed(kind, "created", &v, json!([]));
    Ok(v)
}

fn update(
    store: &mut Store,
    kind: &Kind,
    id: i64,
    changes: &Value,
    in_parent: &dyn Fn(&Value) -> bool,
) -> Option<Value> {
    let now = json!(store.now_stamp());
    let list = store.data.get_mut(kind.segment)?;
    let item = list
        .iter_mut()
        .find(|v| v["id"] == json!(id) && in_parent(v))?;
    // What the model's getChanges() holds after the save: the attributes whose value changed.
    let mut changed = Map::new();
    let changes = changes.as_object().map(|c| fillable(kind, c.clone()));
    if let (Some(obj), Some(ch)) = (item.as_object_mut(), changes.as_ref()) {
        for (k, v) in ch {
            if k != "id" && obj.get(k) != Some(v) {
                obj.insert(k.clone(), v.clone());
                changed.insert(k.clone(), v.clone());
            }
        }
        if !changed.is_empty() {
            obj.insert("updated_at".into(), now.clone());
            changed.insert("updated_at".into(), now);
        }
    }
    let item = item.clone();
    // Laravel fires no `updated` event for a save that changed nothing.
    if !changed.is_empty() {
        store.changed(kind, "updated", &item, Value::Object(changed));
    }
    Some(item)
}

fn include_names(request: &Request) -> Vec<String> {
    query(request)
        .get("include")
        .map(|s| {
            s.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn check_includes(kind: &Kind, names: &[String]) -> Result<(), ResponseTemplate> {
    let bad: Vec<&String> = names
        .iter()
        .filter(|n| !include_allowed(kind.includes, n))
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    let list = bad
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    Err(validation(Map::from_iter([(
        "include".to_string(),
        json!([format!("Requested include(s) [{list}] are not allowed.")]),
    )])))
}

/// Adds the included relations to `item`, an item of the collection `segment`: to-one through
/// `<name>_id`, many-to-many through a pivot (either way round), one-to-many through the
/// children's `<scope>_id`.
fn expand(store: &Store, segment: &str, item: &mut Value, names: &[String]) {
    let id = item["id"].as_i64().unwrap_or_default();
    for name in names {
        let head = name.split('.').next().unwrap_or("");
        if let Some(target) = collection_of(head) {
            let id = item[format!("{head}_id")].clone();
            item[head] = store.data[target]
                .iter()
                .find(|t| t["id"] == id)
                .cloned()
                .unwrap_or(Value::Null);
        } else if let Some(pivot) = pivot_of(segment, head) {
            item[head] = Value::Array(joined(store, pivot, id));
        } else if let Some(pivot) = PIVOTS
            .iter()
            .find(|p| p.target == segment && p.parent == head)
        {
            // The other way round: a task's users.
            let (parent_key, target_key) = pivot.keys();
            let rows = store
                .data
                .get(pivot.table)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            item[head] = Value::Array(
                rows.iter()
                    .filter(|r| r[&target_key] == json!(id))
                    .filter_map(|r| {
                        let mut parent = store.data[pivot.parent]
                            .iter()
                            .find(|p| p["id"] == r[&parent_key])?
                            .clone();
                        parent["pivot"] = r.clone();
                        Some(parent)
                    })
                    .collect(),
            );
        } else if let Some(kind) = kind_of(segment) {
            let children = head.replace('_', "-");
            if let Some(list) = store.data.get(children.as_str()) {
                let key = format!("{}_id", kind.scope);
                item[head] = Value::Array(
                    list.iter()
                        .filter(|r| r[&key] == json!(id))
                        .cloned()
                        .collect(),
                );
            }
        }
    }
}

/// One page of `items` in Orion's `{data, links, meta}` envelope, with `include` applied.
fn page_response(
    store: &Store,
    request: &Request,
    segment: &str,
    items: Vec<Value>,
    includes: &[&str],
) -> ResponseTemplate {
    let q = query(request);
    let parse = |name: &str, default: u64| -> Result<u64, ResponseTemplate> {
        match q.get(name) {
            None => Ok(default),
            Some(s) => s.parse::<u64>().ok().filter(|n| *n > 0).ok_or_else(|| {
                validation(Map::from_iter([(
                    name.to_string(),
                    json!([format!("The {name} must be a positive integer.")]),
                )]))
            }),
        }
    };
    let page = match parse("page", 1) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let limit = match parse("limit", 15) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let names = include_names(request);
    let bad: Vec<&String> = names
        .iter()
        .filter(|n| !include_allowed(includes, n))
        .collect();
    if !bad.is_empty() {
        let list = bad
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return validation(Map::from_iter([(
            "include".to_string(),
            json!([format!("Requested include(s) [{list}] are not allowed.")]),
        )]));
    }
    // `page` and `limit` are int64 with no maximum: a page far past the end is an empty page,
    // so the offset saturates rather than overflowing.
    let total = items.len() as u64;
    let last_page = total.div_ceil(limit).max(1);
    let start = page.saturating_sub(1).saturating_mul(limit).min(total);
    let end = start.saturating_add(limit).min(total);
    let (start, end) = (start as usize, end as usize);
    let mut data: Vec<Value> = items[start..end].to_vec();
    for item in &mut data {
        expand(store, segment, item, &names);
    }
    // The sandbox's own address, so that a client following a link stays on the sandbox.
    let path = format!("{}{}", super::routes::origin(request), request.url.path());
    let url = |p: u64| json!(format!("{path}?page={p}"));
    let (from, to) = if data.is_empty() {
        (Value::Null, Value::Null)
    } else {
        (json!(start + 1), json!(end))
    };
    let mut links = vec![
        json!({"url": if page > 1 { url(page - 1) } else { Value::Null }, "label": "&laquo; Previous", "active": false}),
    ];
    for p in 1..=last_page.min(10) {
        links.push(json!({"url": url(p), "label": p.to_string(), "active": p == page}));
    }
    links.push(json!({"url": if page < last_page { url(page + 1) } else { Value::Null }, "label": "Next &raquo;", "active": false}));
    json(
        200,
        json!({
            "data": data,
            "links": {"first": url(1), "last": url(last_page),
                      "prev": if page > 1 { url(page - 1) } else { Value::Null },
                      "next": if page < last_page { url(page + 1) } else { Value::Null }},
            "meta": {"current_page": page, "from": from, "last_page": last_page, "links": links, "path": path,
                     "per_page": limit, "to": to, "total": total}
        }),
    )
}

/// The scopes the search operation `request` is for allows (the spec's
/// `x-perscom-search-scopes`, through the build tables): none for an operation it lists none for.
fn search_scopes(request: &Request) -> &'static [&'static str] {
    let path = request.url.path();
    super::routes::api_of(path)
        .and_then(|(api, rest)| super::routes::operation(api, "POST", rest))
        .and_then(|id| SEARCH_SCOPES.iter().find(|(op, _)| *op == id))
        .map_or(&[], |(_, scopes)| scopes)
}

/// Keeps the items scope `name` (with `parameters`) selects, as PERSCOM's model scopes do:
/// `hidden`/`visible` and `enabled`/`disabled` on the flag; `tags` the items tagged with any of
/// the parameters (a tag's name or id; no parameters: all); `datePeriod` the events that overlap
/// [start, end] (parameters the mock cannot read as dates: all); the roster scopes every group
/// (a group can be shown on either roster).
fn apply_scope(items: &mut Vec<Value>, name: &str, parameters: &[Value]) {
    let flag = |item: &Value, key: &str| item[key] == json!(true);
    match name {
        "hidden" => items.retain(|i| flag(i, "hidden")),
        "visible" => items.retain(|i| !flag(i, "hidden")),
        "enabled" => items.retain(|i| flag(i, "enabled")),
        "disabled" => items.retain(|i| !flag(i, "enabled")),
        "tags" => {
            let wanted: Vec<String> = parameters
                .iter()
                .flat_map(|p| match p {
                    Value::Array(a) => a.clone(),
                    v => vec![v.clone()],
                })
                .filter_map(|p| scalar_text(&p))
                .collect();
            if wanted.is_empty() {
                return;
            }
            items.retain(|i| {
                i["tags"].as_array().into_iter().flatten().any(|t| {
                    [&t["name"], &t["id"], t]
                        .into_iter()
                        .filter_map(scalar_text)
                        .any(|v| wanted.contains(&v))
                })
            });
        }
        "datePeriod" => {
            let date = |v: Option<&Value>| {
                let s = v?.as_str()?;
                chrono::DateTime::parse_from_rfc3339(s)
                    .map(|d| d.with_timezone(&chrono::Utc))
                    .ok()
                    .or_else(|| {
                        chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d")
                            .ok()?
                            .and_hms_opt(0, 0, 0)
                            .map(|d| d.and_utc())
                    })
            };
            let (Some(start), Some(end)) = (date(parameters.first()), date(parameters.get(1)))
            else {
                return;
            };
            items.retain(|i| {
                let starts = date(Some(&i["starts"]));
                let ends = date(Some(&i["ends"])).or(starts);
                match (starts, ends) {
                    (Some(s), Some(e)) => s <= end && e >= start,
                    _ => true,
                }
            });
        }
        _ => {}
    }
}

/// A string's text, or a number written out (`7`); `None` for anything else.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn run_search(
    kind: &Kind,
    allowed: &[&str],
    items: Vec<Value>,
    search: &Value,
) -> Result<Vec<Value>, ResponseTemplate> {
    let invalid =
        |field: &str, msg: String| validation(Map::from_iter([(field.to_string(), json!([msg]))]));
    let mut items = items;
    if let Some(scopes) = search.get("scopes").and_then(Value::as_array) {
        for s in scopes {
            let name = s.get("name").and_then(Value::as_str).unwrap_or("");
            if !allowed.contains(&name) {
                return Err(invalid("scopes", format!("Scope [{name}] is not allowed.")));
            }
            let parameters = s
                .get("parameters")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            apply_scope(&mut items, name, parameters);
        }
    }
    if let Some(filters) = search.get("filters").and_then(Value::as_array) {
        for f in filters {
            if let Some(nested) = f.get("nested").and_then(Value::as_array)
                && nested.iter().any(|n| n.get("nested").is_some())
            {
                return Err(invalid("filters", "Max nested depth :1 is exceeded".into()));
            }
        }
        let mut kept = Vec::new();
        for item in items {
            if eval_chain(&item, filters).map_err(|m| invalid("filters", m))? {
                kept.push(item);
            }
        }
        items = kept;
    }
    if let Some(text) = search.get("search") {
        let value = text.get("value").and_then(Value::as_str).unwrap_or("");
        let sensitive = text
            .get("case_sensitive")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        if !value.is_empty() {
            items.retain(|item| {
                kind.searchable().iter().any(|f| {
                    let hay = item[*f].as_str().unwrap_or("");
                    if sensitive {
                        hay.contains(value)
                    } else {
                        hay.to_lowercase().contains(&value.to_lowercase())
                    }
                })
            });
        }
    }
    if let Some(sort) = search.get("sort").and_then(Value::as_array) {
        for s in sort.iter().rev() {
            let field = s
                .get("field")
                .and_then(Value::as_str)
                .unwrap_or("id")
                .to_string();
            let desc = s.get("direction").and_then(Value::as_str) == Some("desc");
            items.sort_by(|a, b| {
                let o = compare(&a[&field], &b[&field]).unwrap_or(std::cmp::Ordering::Equal);
                if desc { o.reverse() } else { o }
            });
        }
    }
    Ok(items)
}

/// Evaluates a list of filters the way SQL chains `where`/`orWhere`: `and` binds tighter.
fn eval_chain(item: &Value, filters: &[Value]) -> Result<bool, String> {
    let mut any = false;
    let mut all = true;
    for (i, f) in filters.iter().enumerate() {
        let or = f.get("type").and_then(Value::as_str) == Some("or");
        if or && i > 0 {
            any |= all;
            all = true;
        }
        let r = match f.get("nested").and_then(Value::as_array) {
            Some(nested) => eval_chain(item, nested)?,
            None => eval_one(item, f)?,
        };
        all &= r;
    }
    Ok(any || all)
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::Number(x), Value::String(y)) => x.as_f64()?.partial_cmp(&y.parse::<f64>().ok()?),
        (Value::String(x), Value::Number(y)) => x.parse::<f64>().ok()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Null, Value::Null) => Some(std::cmp::Ordering::Equal),
        _ => None,
    }
}

fn like(hay: &str, pattern: &str) -> bool {
    fn go(h: &[char], p: &[char]) -> bool {
        match p.split_first() {
            None => h.is_empty(),
            Some(('%', rest)) => (0..=h.len()).any(|i| go(&h[i..], rest)),
            Some(('_', rest)) => !h.is_empty() && go(&h[1..], rest),
            Some((c, rest)) => h.first() == Some(c) && go(&h[1..], rest),
        }
    }
    let h: Vec<char> = hay.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    go(&h, &p)
}

fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn eval_one(item: &Value, f: &Value) -> Result<bool, String> {
    let field = f
        .get("field")
        .and_then(Value::as_str)
        .ok_or("A filter needs a field.")?;
    let op = f.get("operator").and_then(Value::as_str).unwrap_or("=");
    let value = f.get("value").cloned().unwrap_or(Value::Null);
    let actual = field.split('.').fold(item.clone(), |v, part| {
        v.get(part).cloned().unwrap_or(Value::Null)
    });
    let eq = |a: &Value, b: &Value| compare(a, b) == Some(std::cmp::Ordering::Equal);
    let list = || {
        value
            .as_array()
            .cloned()
            .ok_or_else(|| format!("The `{op}` filter needs a list value."))
    };
    Ok(match op {
        "=" => eq(&actual, &value),
        "!=" => !eq(&actual, &value),
        "<" => compare(&actual, &value) == Some(std::cmp::Ordering::Less),
        "<=" => matches!(
            compare(&actual, &value),
            Some(std::cmp::Ordering::Less | std::cmp::Ordering::Equal)
        ),
        ">" => compare(&actual, &value) == Some(std::cmp::Ordering::Greater),
        ">=" => matches!(
            compare(&actual, &value),
            Some(std::cmp::Ordering::Greater | std::cmp::Ordering::Equal)
        ),
        "like" => like(&as_text(&actual), &as_text(&value)),
        "not like" => !like(&as_text(&actual), &as_text(&value)),
        "ilike" => like(
            &as_text(&actual).to_lowercase(),
            &as_text(&value).to_lowercase(),
        ),
        "not ilike" => !like(
            &as_text(&actual).to_lowercase(),
            &as_text(&value).to_lowercase(),
        ),
        "in" | "any in" => list()?.iter().any(|v| match &actual {
            Value::Array(a) => a.iter().any(|x| eq(x, v)),
            _ => eq(&actual, v),
        }),
        "not in" => !list()?.iter().any(|v| eq(&actual, v)),
        "all in" => {
            let l = list()?;
            match &actual {
                Value::Array(a) => l.iter().all(|v| a.iter().any(|x| eq(x, v))),
                _ => l.iter().all(|v| eq(&actual, v)),
            }
        }
        other => return Err(format!("The operator `{other}` is not supported.")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_the_specs() {
        let users = kind_of("users").unwrap();
        assert_eq!(users.scope, "user");
        assert_eq!(users.required, ["name", "email"]);
        assert!(users.includes.contains(&"rank(.*)") && !users.read_only);
        assert!(include_allowed(users.includes, "rank.image"));
        assert!(!include_allowed(users.includes, "medals"));
        assert_eq!(kind_of("award-records").unwrap().scope, "awardrecord");
        assert_eq!(
            kind_of("rank-records").unwrap().required,
            ["user_id", "rank_id", "type"]
        );
        // Fields have no top-level path: their segment is the nested one's.
        assert!(kind_of("fields").is_some());
        assert!(kind_of("newsfeed").unwrap().read_only);
        assert!(kind_of("roster").is_none() && kind_of("me").is_none());
        for (segment, _) in SEARCHABLE {
            assert!(
                kind_of(segment).is_some(),
                "{segment} is a collection of the spec"
            );
        }
        // Every collection the seed fills is one of the spec's (or a pivot table).
        let p = Perscom::seeded(Arc::default());
        let s = p.store.lock().unwrap();
        for segment in s.data.keys() {
            assert!(
                kind_of(segment).is_some() || PIVOTS.iter().any(|p| p.table == *segment),
                "{segment}"
            );
        }
    }

    #[test]
    fn widgets_are_the_specs() {
        let spec: Value = serde_json::from_str(spec::SPEC_JSON).unwrap();
        let names: Vec<&str> = spec["components"]["schemas"]["WidgetName"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        let ours: Vec<&str> = WIDGETS.iter().map(|(w, _)| *w).collect();
        assert_eq!(ours, names);
        let store = Perscom::seeded(Arc::default());
        let store = store.store.lock().unwrap();
        for (_, collection) in WIDGETS {
            assert!(store.data.contains_key(collection), "{collection}");
        }
    }

    #[test]
    fn like_patterns() {
        assert!(like("John Smith", "%Smith"));
        assert!(like("John Smith", "J_hn%"));
        assert!(!like("John Smith", "%smith"));
    }

    #[test]
    fn and_binds_tighter_than_or() {
        let item = json!({"a": 1, "b": 2});
        let f = |field: &str, v: i64, t: &str| json!({"field": field, "operator": "=", "value": v, "type": t});
        // a=1 AND b=3 OR b=2  -> (false) OR true
        assert!(
            eval_chain(
                &item,
                &[f("a", 1, "and"), f("b", 3, "and"), f("b", 2, "or")]
            )
            .unwrap()
        );
        // a=2 OR b=2 AND a=5 -> false OR (true AND false)
        assert!(
            !eval_chain(
                &item,
                &[f("a", 2, "and"), f("b", 2, "or"), f("a", 5, "and")]
            )
            .unwrap()
        );
    }

    #[test]
    fn seeded_roster() {
        let p = Perscom::seeded(Arc::default());
        let s = p.store.lock().unwrap();
        assert_eq!(s.data["users"].len(), USERS);
        assert!(s.data["rank-records"].len() >= USERS);
        assert!(s.data["award-records"].len() > 100);
    }

    #[test]
    fn seeded_relations_resolve() {
        let p = Perscom::seeded(Arc::default());
        let s = p.store.lock().unwrap();
        for kind in KINDS {
            let Some(items) = s.data.get(kind.segment) else {
                continue;
            };
            assert!(!items.is_empty(), "{} is seeded", kind.segment);
            for item in items {
                for (field, id) in item.as_object().unwrap() {
                    if let Some(target) = field.strip_suffix("_id").and_then(collection_of)
                        && !id.is_null()
                    {
                        assert!(
                            s.data[target].iter().any(|t| t["id"] == *id),
                            "{} #{}: {field} {id} resolves",
                            kind.segment,
                            item["id"]
                        );
                    }
                }
            }
        }
        for pivot in PIVOTS {
            let (parent_key, target_key) = pivot.keys();
            assert!(!s.data[pivot.table].is_empty(), "{} is seeded", pivot.table);
            for row in &s.data[pivot.table] {
                assert!(
                    s.data[pivot.parent]
                        .iter()
                        .any(|p| p["id"] == row[&parent_key])
                );
                assert!(
                    s.data[pivot.target]
                        .iter()
                        .any(|t| t["id"] == row[&target_key])
                );
            }
        }
        let units = joined(&s, pivot_of("groups", "units").unwrap(), 2);
        assert_eq!(units.len(), 4);
        assert_eq!(units[0]["pivot"]["group_id"], json!(2));
    }
}
