//! The Permission Assist sandbox: 230 identities, applications with schedules and file-based
//! connectors, imports, personnel events and access requests, with writes that change state.
//! Each personnel event creates an access request, which is sent to the registered catch hooks.

use super::clock::{self, Clock};
use super::webhooks::{Outbox, Outgoing};
use super::{FIRST_NAMES, LAST_NAMES, Sandbox, Seed, Service, bearer, json, query};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use uuid::Uuid;
use wiremock::{Request, ResponseTemplate};

/// Path prefix of this API on the sandbox server.
pub(crate) const PREFIX: &str = "/permission-assist/api";

const PAGE_SIZE: usize = 50;

struct App {
    json: Value,
    scheduled: bool,
    file_groups: Vec<(Uuid, &'static str, bool)>,
}

struct State {
    identities: Vec<Value>,
    apps: Vec<App>,
    imports: Vec<Value>,
    events: Vec<Value>,
    requests: Vec<Value>,
    next_number: i64,
    seed: Seed,
    /// Access requests created by the request being answered, for the catch hooks.
    created_requests: Vec<Value>,
    /// Catch hooks delivered: hook id -> (access request id, answered).
    hooks: HashMap<String, (String, bool)>,
    /// The sandbox's clock: what the timestamps of writes say, and what "today" is.
    clock: Arc<Clock>,
}

impl State {
    /// The clock's "now" as Permission Assist writes a timestamp (`2026-03-02T09:30:00`).
    fn now_text(&self) -> String {
        self.clock.now().format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// The Permission Assist mock.
pub(crate) struct PermissionAssist {
    state: Mutex<State>,
    catch_hooks: Mutex<Vec<String>>,
    outbox: Option<Arc<Outbox>>,
}

/// The name the sandbox gives its catch hook event (the vendor's names are not documented).
const ACCESS_REQUEST_CREATED: &str = "AccessRequestCreated";

fn error_body(code: &str, message: &str, correlation: Uuid) -> Value {
    json!({"error": code, "message": message, "correlationId": correlation.simple().to_string()})
}

fn error(status: u16, code: &str, message: &str, seed: &mut Seed) -> ResponseTemplate {
    json(status, error_body(code, message, seed.uuid()))
}

/// The body Permission Assist answers `status` with (its documented error code), for an
/// injected fault. A status it documents no code for (429) gets the snake-cased reason phrase.
pub(crate) fn fault_body(status: u16, message: Option<&str>) -> Value {
    let (code, text) = match status {
        400 => ("validation_error", "One or more fields are invalid."),
        401 => ("unauthorized", "Invalid or expired authentication token"),
        403 => (
            "forbidden",
            "You do not have permission to perform this action.",
        ),
        404 => ("not_found", "The requested resource was not found."),
        409 => (
            "conflict",
            "The request conflicts with the resource's current state.",
        ),
        422 => (
            "unprocessable_entity",
            "The request could not be processed.",
        ),
        500..=599 => ("server_error", "An unexpected server error occurred."),
        _ => ("", super::reason(status)),
    };
    let code = if code.is_empty() {
        super::reason(status).to_ascii_lowercase().replace(' ', "_")
    } else {
        code.to_string()
    };
    let mut body = error_body(&code, message.unwrap_or(text), Uuid::new_v4());
    if status == 400 {
        body["errors"] = json!([]);
    }
    body
}

/// Permission Assist's 405 for `method` on `path` (under `/api`) whose routes take `allowed`:
/// the `Allow` header and its error body (`method_not_allowed`, the code its other errors'
/// pattern gives a status it documents none for).
pub(crate) fn method_not_allowed(method: &str, path: &str, allowed: &[&str]) -> (String, Value) {
    let allow = allowed.join(", ");
    let message = format!("{method} is not allowed on {path}; allowed: {allow}");
    (allow, fault_body(405, Some(&message)))
}

fn validation(errors: Vec<(&str, String)>, seed: &mut Seed) -> ResponseTemplate {
    let errors = errors
        .into_iter()
        .map(|(f, m)| (f.to_string(), m))
        .collect();
    json(400, validation_body_with(errors, seed.uuid()))
}

fn validation_body_with(errors: Vec<(String, String)>, correlation: Uuid) -> Value {
    json!({
        "error": "validation_error",
        "message": "One or more fields are invalid.",
        "correlationId": correlation.simple().to_string(),
        "errors": errors.into_iter().map(|(f, m)| json!({"field": f, "message": m})).collect::<Vec<_>>(),
    })
}

/// Permission Assist's 400 `validation_error` body for (field, message) problems.
pub(crate) fn validation_body(problems: Vec<(String, String)>) -> Value {
    validation_body_with(problems, Uuid::new_v4())
}

fn page_of(items: &[Value], page: usize) -> Value {
    let total = items.len();
    let total_pages = total.div_ceil(PAGE_SIZE);
    let start = (page - 1).saturating_mul(PAGE_SIZE).min(total);
    let end = (start + PAGE_SIZE).min(total);
    json!({
        "items": &items[start..end],
        "totalCount": total,
        "page": page,
        "pageSize": PAGE_SIZE,
        "totalPages": total_pages,
    })
}

/// A seeded instant between `days_back.end()` and `days_back.start()` days before `anchor`
/// (the start of the sandbox's day), at a whole minute. It makes four draws of `seed`, as it
/// always has: the ids drawn after it depend on that count.
fn instant(
    seed: &mut Seed,
    anchor: DateTime<Utc>,
    days_back: std::ops::RangeInclusive<i64>,
) -> DateTime<Utc> {
    let (month, day, hour, minute) = (
        seed.below(12) as i64,
        seed.below(28) as i64,
        seed.below(24) as i64,
        seed.below(60) as i64,
    );
    let (newest, oldest) = (*days_back.start(), *days_back.end());
    let back = oldest - (month * 28 + day) * (oldest - newest) / (12 * 28 - 1);
    clock::days_before(anchor, back, hour * 3600 + minute * 60)
}

/// `t` as Permission Assist writes it: with a `Z`, or (as some of its fields are) without.
fn text(t: DateTime<Utc>, with_offset: bool) -> String {
    let s = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    if with_offset { format!("{s}Z") } else { s }
}

/// A seeded number of minutes in `1..=most`, from four draws of `seed` (as [`instant`]).
fn minutes(seed: &mut Seed, most: i64) -> i64 {
    let draws = [12, 28, 24, 60].map(|n| seed.below(n) as i64);
    1 + (draws[0] * 28 + draws[1] + draws[2] + draws[3]) % most
}

/// A seeded date (see [`instant`]) as text.
fn date(
    seed: &mut Seed,
    anchor: DateTime<Utc>,
    days_back: std::ops::RangeInclusive<i64>,
    with_offset: bool,
) -> String {
    text(instant(seed, anchor, days_back), with_offset)
}

fn actor(id: Uuid, name: &str) -> Value {
    json!({"id": id, "name": name})
}

impl PermissionAssist {
    /// A mock with seed data, dated by `clock`.
    pub(crate) fn seeded(clock: Arc<Clock>) -> Self {
        PermissionAssist {
            state: Mutex::new(Self::seed_state(clock)),
            catch_hooks: Mutex::new(Vec::new()),
            outbox: None,
        }
    }

    /// Back to the seed, placed before the clock's "now"; the catch hooks are removed.
    pub(crate) fn reset(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *st = Self::seed_state(st.clock.clone());
        drop(st);
        self.catch_hooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }

    /// The seeded bank. Its dates lie in the three years before the clock's "now" (the start
    /// of its day): identities created two to three years ago, first seen one to two years
    /// ago, updated in the last year; applications updated in the last month; an import
    /// every 18 days and a personnel event every 8, the newest in the last month.
    fn seed_state(clock: Arc<Clock>) -> State {
        let anchor = clock::seed_anchor(clock.now());
        let mut seed = Seed::new(0x5eed_0001);
        let types = [
            "Employee",
            "Employee",
            "Employee",
            "Service Account",
            "Vendor",
            "Temporary",
            "Administrator",
            "Auditor",
        ];
        let depts = [
            "Lending",
            "Deposits",
            "IT",
            "Operations",
            "Compliance",
            "Marketing",
            "Branch Services",
        ];
        let offices = ["Main Street", "Riverside", "Downtown", "North Branch"];
        let mut identities: Vec<Value> = (0..230)
            .map(|i| {
                let first = *seed.pick(FIRST_NAMES);
                let last = *seed.pick(LAST_NAMES);
                let status = if i % 23 == 0 { "Disabled" } else if i % 41 == 0 { "Removed" } else { "Active" };
                json!({
                    "id": seed.uuid(),
                    "kind": "Identity",
                    "firstName": first,
                    "lastName": last,
                    "emailAddress": format!("{}.{}{}@valkyrie.example", first.to_lowercase(), last.to_lowercase(), i),
                    "type": seed.pick(&types),
                    "title": if i % 5 == 0 { "Teller" } else { "Analyst" },
                    "company": "First Bank of Valkyrie",
                    "division": "Retail",
                    "department": seed.pick(&depts),
                    "office": seed.pick(&offices),
                    "supervisorName": "Martinez, Robert",
                    "createdDate": date(&mut seed, anchor, 730..=1095, true),
                    "updatedDate": date(&mut seed, anchor, 1..=365, i % 2 == 0),
                    "firstSeenDate": date(&mut seed, anchor, 366..=729, false),
                    "inactivatedDate": if status == "Active" { Value::Null } else { json!(date(&mut seed, anchor, 1..=365, true)) },
                    "status": status,
                })
            })
            .collect();
        identities.sort_by(|a, b| {
            (a["lastName"].as_str(), a["firstName"].as_str())
                .cmp(&(b["lastName"].as_str(), b["firstName"].as_str()))
        });

        let app_specs: [(&str, &str, bool, bool, &[&'static str]); 6] = [
            ("Jack Henry Silverlake", "Critical", false, true, &[]),
            ("Active Directory", "High", false, true, &[]),
            (
                "Valkyrie Loan Origination",
                "Moderate",
                false,
                false,
                &["Employees", "Privileges"],
            ),
            ("Wire Transfer Portal", "High", false, false, &["Users"]),
            ("Legacy Teller System", "Low", true, true, &[]),
            ("Document Imaging", "None", false, true, &[]),
        ];
        let apps: Vec<App> = app_specs
            .iter()
            .map(|(name, priority, archived, scheduled, groups)| {
                let file_groups: Vec<(Uuid, &'static str, bool)> =
                    groups.iter().enumerate().map(|(i, g)| (seed.uuid(), *g, i == 0)).collect();
                let connector = if file_groups.is_empty() {
                    json!({"type": "Scheduled", "schedule": "Daily 02:00"})
                } else {
                    json!({
                        "type": "File",
                        "fileGroups": file_groups.iter().map(|(id, n, r)| json!({"id": id, "name": n, "required": r})).collect::<Vec<_>>(),
                    })
                };
                App {
                    json: json!({
                        "id": seed.uuid(),
                        "kind": "Application",
                        "name": name,
                        "priority": priority,
                        "isArchived": archived,
                        "lastUpdated": date(&mut seed, anchor, 1..=30, false),
                        "connector": connector,
                    }),
                    scheduled: *scheduled,
                    file_groups,
                }
            })
            .collect();

        let mut imports = Vec::new();
        for n in 0..60 {
            let app = &apps[n % apps.len()];
            let status = ["Finished", "Finished", "Finished", "Failed", "Canceled"][n % 5];
            // One import every 18 days, the last (number 1059) in the last 18; its build
            // takes 1 to 90 minutes. (The seed's draws stay in their order: id, start, end.)
            let id = seed.uuid();
            let newest = 1 + (59 - n as i64) * 18;
            let build_start = instant(&mut seed, anchor, newest..=newest + 17);
            let build_end = build_start + chrono::Duration::minutes(minutes(&mut seed, 90));
            imports.push(json!({
                "id": id,
                "kind": "Application Import",
                "number": 1000 + n,
                "type": (["Scheduled", "Manual", "API", "Api"][n % 4]),
                "status": status,
                "createdBy": "scheduler",
                "buildStart": text(build_start, true),
                "buildEnd": text(build_end, true),
                "log": "Import complete.",
                "files": [],
                "metrics": if status == "Finished" { json!({"added": n, "removed": 1}) } else { Value::Null },
                "application": summary(&app.json),
            }));
        }
        imports.reverse();

        let reporter = actor(seed.uuid(), "API Token - HR Integration");
        let mut events = Vec::new();
        for n in 0..120 {
            let identity = identities[(n * 7) % identities.len()].clone();
            // One event every 8 days, the last (number 319) needed in the last month, created
            // 8 to 30 days before it is needed; a leave of absence ends 1 to 21 days after.
            let newest = 22 + (119 - n as i64) * 8;
            let kind = ["Onboard", "Offboard", "Role Transition", "Absence"][n % 4];
            events.push(json!({
                "id": seed.uuid(),
                "kind": "Personnel Event",
                "number": 200 + n,
                "type": kind,
                "status": (["Pending", "Open", "Resolved", "Completed", "Scheduled", "Snoozed", "Canceled"][n % 7]),
                "reporter": reporter,
                "assignee": if n % 3 == 0 { Value::Null } else { actor(seed.uuid(), "Jones, Karen") },
                "affectedIdentity": identity,
                "neededOn": date(&mut seed, anchor, newest..=newest + 7, n % 2 == 0),
                "neededUntil": if kind == "Absence" { json!(date(&mut seed, anchor, newest - 21..=newest - 1, true)) } else { Value::Null },
                "completedOn": Value::Null,
                "stages": [{"name": "Approval", "status": "Completed"}, {"name": "Provision", "status": "Open"}],
                "activity": [{"message": "Event created", "at": date(&mut seed, anchor, newest + 8..=newest + 30, true)}],
                "comments": [],
            }));
        }

        let mut requests = Vec::new();
        for n in 0..140 {
            let identity = identities[(n * 3) % identities.len()].clone();
            let app = &apps[n % apps.len()].json;
            let group = n % 4 == 0;
            requests.push(json!({
                "id": seed.uuid(),
                "kind": "Access Request",
                "number": 5000 + n,
                "action": (["Add", "Change", "Remove", "Suspend", "Restore"][n % 5]),
                "status": (["Pending", "Open", "Resolved", "Completed", "Canceled", "Scheduled", "Snoozed"][n % 7]),
                "reporter": reporter,
                "assignee": Value::Null,
                "target": if group {
                    json!({"type": "Group", "name": "Tellers", "nomenclature": "Security Group", "affectedIdentity": null})
                } else {
                    json!({"type": "User", "name": format!("{}{}", identity["firstName"].as_str().unwrap_or("u").to_lowercase(), n), "affectedIdentity": identity})
                },
                "application": summary(app),
                "privileges": [{"name": "Wire Approve", "value": "Y"}],
            }));
        }
        State {
            identities,
            apps,
            imports,
            events,
            requests,
            next_number: 9000,
            seed,
            created_requests: Vec::new(),
            hooks: HashMap::new(),
            clock,
        }
    }

    /// Delivers catch hooks through `outbox`.
    pub(crate) fn with_outbox(mut self, outbox: Arc<Outbox>) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// Adds a catch hook URL: every later access request is sent to it.
    /// Sets the status of import `id` as Permission Assist's builder would: `Running` stamps
    /// `buildStart`; `Finished`, `Failed` and `Canceled` stamp `buildEnd` and write the `log`
    /// (and, for `Finished`, the `metrics`). `false` when the sandbox has no such import.
    pub(crate) fn set_import_status(&self, id: &str, status: &str) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = json!(st.now_text());
        let Some(import) = st.imports.iter_mut().find(|i| i["id"].as_str() == Some(id)) else {
            return false;
        };
        import["status"] = json!(status);
        match status {
            "Pending" => {
                for field in ["buildStart", "buildEnd", "log", "metrics"] {
                    import[field] = Value::Null;
                }
            }
            "Running" | "Canceling" => {
                if import["buildStart"].is_null() {
                    import["buildStart"] = now;
                }
            }
            _ => {
                if import["buildStart"].is_null() {
                    import["buildStart"] = now.clone();
                }
                import["buildEnd"] = now;
                import["log"] = json!(format!("Build {}.", status.to_lowercase()));
                import["metrics"] = if status == "Finished" {
                    json!({"accounts": 0, "changes": 0})
                } else {
                    Value::Null
                };
            }
        }
        true
    }

    /// Sets the status of personnel event `id` (`Open`, `Resolved`, ...); `Resolved` and
    /// `Completed` stamp `completedOn`. `false` when the sandbox has no such event.
    pub(crate) fn set_event_status(&self, id: &str, status: &str) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let now = st.now_text();
        let Some(event) = st.events.iter_mut().find(|e| e["id"].as_str() == Some(id)) else {
            return false;
        };
        event["status"] = json!(status);
        event["completedOn"] = if matches!(status, "Resolved" | "Completed") {
            json!(now)
        } else {
            Value::Null
        };
        true
    }

    /// Sets the status of access request `id`. `false` when the sandbox has no such request.
    pub(crate) fn set_access_request_status(&self, id: &str, status: &str) -> bool {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let Some(request) = st
            .requests
            .iter_mut()
            .find(|r| r["id"].as_str() == Some(id))
        else {
            return false;
        };
        request["status"] = json!(status);
        true
    }

    /// Adds a catch hook at `url`, or refuses a URL no delivery could reach, saying why.
    pub(crate) fn register(&self, url: String) -> Result<(), String> {
        super::webhooks::receiver_url(&url)?;
        self.catch_hooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(url);
        Ok(())
    }

    /// Sends each access request in `created` to every registered catch hook, with a callback
    /// on this server (`origin` is the sandbox's scheme, host and port).
    fn raise_catch_hooks(&self, st: &mut State, created: Vec<Value>, origin: &str) {
        let Some(outbox) = &self.outbox else {
            return;
        };
        let urls = self
            .catch_hooks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        for request in created {
            for url in &urls {
                let hook_id = st.seed.uuid().to_string();
                let request_id = request["id"].as_str().unwrap_or_default().to_string();
                st.hooks.insert(hook_id.clone(), (request_id, false));
                let payload = json!({
                    "id": hook_id,
                    "createdDate": st.now_text(),
                    "callback": format!("{origin}{PREFIX}/catch-hooks/{hook_id}/callback"),
                    "event": {
                        "name": ACCESS_REQUEST_CREATED,
                        "display": "Access Request Created",
                        "description": format!(
                            "Access request #{} ({}) was created.",
                            request["number"], request["action"].as_str().unwrap_or_default()
                        ),
                        "request": request,
                    },
                });
                outbox.send(Outgoing {
                    api: permkit_core::Api::PermissionAssist,
                    event: ACCESS_REQUEST_CREATED.to_string(),
                    method: reqwest::Method::POST,
                    url: url.clone(),
                    headers: vec![("content-type", "application/json".to_string())],
                    body: serde_json::to_vec(&payload).unwrap_or_default(),
                    // Retries are not documented: the sandbox tries once.
                    tries: 1,
                });
            }
        }
    }
}

fn summary(app: &Value) -> Value {
    json!({
        "id": app["id"], "kind": "Application", "name": app["name"], "priority": app["priority"],
        "isArchived": app["isArchived"], "lastUpdated": app["lastUpdated"],
    })
}

fn matches(value: &Value, wanted: Option<&String>) -> bool {
    let norm = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect::<String>()
    };
    wanted.is_none_or(|w| value.as_str().is_some_and(|v| norm(v) == norm(w)))
}

fn page_param(q: &std::collections::HashMap<String, String>) -> Result<usize, String> {
    match q.get("page") {
        None => Ok(1),
        Some(p) => p
            .parse::<usize>()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| format!("page must be a positive integer, got {p:?}")),
    }
}

impl Service for PermissionAssist {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn handle(&self, request: &Request, path: &str) -> ResponseTemplate {
        let response = self.respond(request, path);
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let created = std::mem::take(&mut st.created_requests);
        if !created.is_empty() {
            // The server's own address, as the client reached it (wiremock's `url` says
            // `localhost` whatever the host).
            let origin = super::routes::origin(request);
            self.raise_catch_hooks(&mut st, created, &origin);
        }
        response
    }
}

impl PermissionAssist {
    /// Answers one request, noting in `created_requests` the access requests it created.
    fn respond(&self, request: &Request, path: &str) -> ResponseTemplate {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let st = &mut *st;
        if bearer(request).as_deref() != Some(Sandbox::PERMISSION_ASSIST_TOKEN) {
            return error(
                401,
                "unauthorized",
                "Invalid or expired authentication token",
                &mut st.seed,
            );
        }
        let q = query(request);
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let method = request.method.as_str();
        let page = match page_param(&q) {
            Ok(p) => p,
            Err(m) => return validation(vec![("page", m)], &mut st.seed),
        };
        match (method, segments.as_slice()) {
            ("GET", ["identities"]) => json(200, page_of(&st.identities, page)),
            ("GET", ["identities", id]) => find(&st.identities, id, "Identity", &mut st.seed),
            ("GET", ["applications"]) => {
                let apps: Vec<Value> = st.apps.iter().map(|a| a.json.clone()).collect();
                json(200, page_of(&apps, page))
            }
            ("GET", ["applications", id]) => {
                let apps: Vec<Value> = st.apps.iter().map(|a| a.json.clone()).collect();
                find(&apps, id, "Application", &mut st.seed)
            }
            ("GET", ["personnel-events"]) => {
                let items: Vec<Value> = st
                    .events
                    .iter()
                    .filter(|e| {
                        q.get("identityId")
                            .is_none_or(|id| e["affectedIdentity"]["id"].as_str() == Some(id))
                    })
                    .filter(|e| matches(&e["type"], q.get("type")))
                    .filter(|e| matches(&e["status"], q.get("status")))
                    .cloned()
                    .collect();
                json(200, page_of(&items, page))
            }
            ("GET", ["personnel-events", id]) => {
                find(&st.events, id, "Personnel event", &mut st.seed)
            }
            ("POST", ["personnel-events", kind]) => create_event(st, kind, request),
            ("GET", ["application-imports"]) => {
                let items: Vec<Value> = st
                    .imports
                    .iter()
                    .filter(|i| {
                        q.get("applicationId")
                            .is_none_or(|id| i["application"]["id"].as_str() == Some(id))
                    })
                    .map(|i| {
                        let mut s = i.clone();
                        if let Some(o) = s.as_object_mut() {
                            for k in ["createdBy", "log", "files", "metrics"] {
                                o.remove(k);
                            }
                        }
                        s
                    })
                    .collect();
                json(200, page_of(&items, page))
            }
            ("GET", ["application-imports", id]) => {
                find(&st.imports, id, "Application import", &mut st.seed)
            }
            ("POST", ["application-imports", "stage"]) => stage(st, request),
            ("POST", ["application-imports", "cancel"]) => cancel(st, request),
            ("POST", ["application-imports", "upload"]) => {
                upload(st, request, q.get("applicationId").cloned())
            }
            ("GET", ["access-requests"]) => {
                let items: Vec<Value> = st
                    .requests
                    .iter()
                    .filter(|r| {
                        q.get("identityId").is_none_or(|id| {
                            r["target"]["affectedIdentity"]["id"].as_str() == Some(id)
                        })
                    })
                    .filter(|r| {
                        q.get("applicationId")
                            .is_none_or(|id| r["application"]["id"].as_str() == Some(id))
                    })
                    .filter(|r| matches(&r["status"], q.get("status")))
                    .filter(|r| matches(&r["action"], q.get("type")))
                    .cloned()
                    .collect();
                json(200, page_of(&items, page))
            }
            ("GET", ["access-requests", id]) => {
                find(&st.requests, id, "Access request", &mut st.seed)
            }
            ("POST", ["catch-hooks", id, "callback"]) => answer_catch_hook(st, id, request),
            _ => error(
                404,
                "not_found",
                &format!("No route for {method} {path}"),
                &mut st.seed,
            ),
        }
    }
}

fn find(items: &[Value], id: &str, what: &str, seed: &mut Seed) -> ResponseTemplate {
    if Uuid::parse_str(id).is_err() {
        return validation(vec![("id", format!("'{id}' is not a valid GUID"))], seed);
    }
    match items.iter().find(|i| i["id"].as_str() == Some(id)) {
        Some(item) => json(200, item.clone()),
        None => error(
            404,
            "not_found",
            &format!("{what} with id {id} not found"),
            seed,
        ),
    }
}

fn body(request: &Request) -> Result<Value, String> {
    serde_json::from_slice(&request.body).map_err(|e| format!("the body is not JSON: {e}"))
}

fn check_len(
    errors: &mut Vec<(&'static str, String)>,
    obj: &Value,
    field: &'static str,
    path: &'static str,
    max: usize,
) {
    if let Some(s) = obj.get(field).and_then(Value::as_str)
        && s.chars().count() > max
    {
        errors.push((path, format!("must be at most {max} characters")));
    }
}

fn parse_date(v: &Value) -> Option<chrono::NaiveDate> {
    let s = v.as_str()?;
    s.parse::<permkit_core::Timestamp>()
        .ok()
        .map(|t| t.naive().date())
}

fn create_event(st: &mut State, kind: &str, request: &Request) -> ResponseTemplate {
    let (event_type, status) = match kind {
        "onboard" => ("Onboard", "Pending"),
        "offboard" => ("Offboard", "Scheduled"),
        "role-transition" => ("Role Transition", "Pending"),
        "leave-of-absence" => ("Absence", "Scheduled"),
        _ => return error(404, "not_found", "No such event type", &mut st.seed),
    };
    let b = match body(request) {
        Ok(b) => b,
        Err(m) => return validation(vec![("body", m)], &mut st.seed),
    };
    let mut errors: Vec<(&'static str, String)> = Vec::new();
    let today = st.clock.now().date_naive();
    let effective = parse_date(&b["effectiveDate"]);
    match effective {
        None => errors.push((
            "effectiveDate",
            "is required and must be an ISO 8601 date".into(),
        )),
        Some(d) if d < today => errors.push(("effectiveDate", "must be today or later".into())),
        _ => {}
    }
    if let Some(end) = b.get("endDate").filter(|v| !v.is_null()) {
        match (parse_date(end), effective) {
            (Some(e), Some(s)) if e <= s => {
                errors.push(("endDate", "must be after effectiveDate".into()))
            }
            (None, _) => errors.push(("endDate", "must be an ISO 8601 date".into())),
            _ => {}
        }
    }
    let identity_fields = &b["identity"];
    for (field, path, max) in [
        ("firstName", "identity.firstName", 256),
        ("lastName", "identity.lastName", 256),
        ("email", "identity.email", 256),
        ("company", "identity.company", 256),
        ("division", "identity.division", 256),
        ("department", "identity.department", 128),
        ("office", "identity.office", 256),
        ("title", "identity.title", 256),
        ("identityType", "identity.identityType", 50),
    ] {
        check_len(&mut errors, identity_fields, field, path, max);
    }
    let affected = if kind == "onboard" {
        for (field, path) in [
            ("firstName", "identity.firstName"),
            ("lastName", "identity.lastName"),
        ] {
            if identity_fields
                .get(field)
                .and_then(Value::as_str)
                .is_none_or(str::is_empty)
            {
                errors.push((path, "is required".into()));
            }
        }
        let ty = identity_fields["identityType"]
            .as_str()
            .unwrap_or("Employee");
        let response_type = if ty.eq_ignore_ascii_case("serviceaccount") {
            "Service Account"
        } else {
            ty
        };
        Some(json!({
            "id": st.seed.uuid(), "kind": "Identity",
            "firstName": identity_fields["firstName"], "lastName": identity_fields["lastName"],
            "emailAddress": identity_fields.get("email").cloned().unwrap_or(Value::Null),
            "type": response_type, "title": identity_fields.get("title").cloned().unwrap_or(Value::Null),
            "company": identity_fields.get("company").cloned().unwrap_or(Value::Null),
            "department": identity_fields.get("department").cloned().unwrap_or(Value::Null),
            "status": "Active", "inactivatedDate": null,
        }))
    } else {
        match b["identityId"].as_str() {
            None => {
                errors.push(("identityId", "is required".into()));
                None
            }
            Some(id) => match st.identities.iter().find(|i| i["id"].as_str() == Some(id)) {
                Some(i) => Some(i.clone()),
                None => {
                    errors.push(("identityId", format!("Identity with id {id} not found")));
                    None
                }
            },
        }
    };
    if !errors.is_empty() {
        return validation(errors, &mut st.seed);
    }
    st.next_number += 1;
    let event = json!({
        "id": st.seed.uuid(),
        "kind": "Personnel Event",
        "number": st.next_number,
        "type": event_type,
        "status": status,
        "reporter": {"id": st.seed.uuid(), "name": "API Token - Sandbox"},
        "assignee": null,
        "affectedIdentity": affected,
        "neededOn": b["effectiveDate"],
        "neededUntil": b.get("endDate").cloned().unwrap_or(Value::Null),
        "completedOn": null,
        "stages": [{"name": "Approval", "status": "Open"}, {"name": "Provision", "status": "Pending"}, {"name": "Verification", "status": "Pending"}],
        "activity": [],
        "comments": b.get("comment").map(|c| json!([{"text": c}])).unwrap_or(json!([])),
    });
    st.events.insert(0, event.clone());
    create_access_request(st, &event);
    json(201, event)
}

/// The access request a personnel event opens for its identity, on the directory: `Add` for an
/// onboarding, `Remove` for an offboarding, `Change` for a role transition, `Suspend` for a
/// leave of absence.
fn create_access_request(st: &mut State, event: &Value) {
    let action = match event["type"].as_str() {
        Some("Onboard") => "Add",
        Some("Offboard") => "Remove",
        Some("Absence") => "Suspend",
        _ => "Change",
    };
    let identity = &event["affectedIdentity"];
    let account = format!(
        "{}{}",
        identity["firstName"]
            .as_str()
            .and_then(|f| f.chars().next())
            .unwrap_or('u'),
        identity["lastName"].as_str().unwrap_or("user")
    )
    .to_lowercase();
    let application = st
        .apps
        .iter()
        .find(|a| a.json["name"] == "Active Directory")
        .or(st.apps.first())
        .map(|a| summary(&a.json))
        .unwrap_or(Value::Null);
    st.next_number += 1;
    let request = json!({
        "id": st.seed.uuid(),
        "kind": "Access Request",
        "number": st.next_number,
        "action": action,
        "status": "Pending",
        "reporter": event["reporter"],
        "assignee": null,
        "target": {"type": "User", "name": account, "affectedIdentity": identity},
        "application": application,
        "privileges": [],
        "activity": [{"message": format!("Created for personnel event #{}", event["number"]),
                      "at": st.now_text()}],
        "comments": [],
    });
    st.requests.insert(0, request.clone());
    st.created_requests.push(request);
}

/// `POST /catch-hooks/{id}/callback`: the receiver's response, recorded in the access request's
/// activity. Each hook is answered once (a second answer is a 409).
fn answer_catch_hook(st: &mut State, hook_id: &str, request: &Request) -> ResponseTemplate {
    let Some((request_id, answered)) = st.hooks.get(hook_id).cloned() else {
        return error(
            404,
            "not_found",
            &format!("Catch hook {hook_id} not found"),
            &mut st.seed,
        );
    };
    if answered {
        return error(
            409,
            "conflict",
            &format!("Catch hook {hook_id} has already been answered"),
            &mut st.seed,
        );
    }
    let response = match body(request) {
        Ok(b) => b,
        Err(m) => return validation(vec![("body", m)], &mut st.seed),
    };
    st.hooks
        .insert(hook_id.to_string(), (request_id.clone(), true));
    let now = st.now_text();
    if let Some(access_request) = st
        .requests
        .iter_mut()
        .find(|r| r["id"].as_str() == Some(request_id.as_str()))
        && let Some(activity) = access_request["activity"].as_array_mut()
    {
        activity.push(json!({
            "message": "Catch hook answered",
            "at": now,
            "response": response,
        }));
    }
    ResponseTemplate::new(204)
}

fn new_import(st: &mut State, app: usize, files: Vec<Value>) -> Value {
    st.next_number += 1;
    let import = json!({
        "id": st.seed.uuid(),
        "kind": "Application Import",
        "number": st.next_number,
        "type": "API",
        "status": "Pending",
        "createdBy": "API Token - Sandbox",
        "buildStart": null,
        "buildEnd": null,
        "log": null,
        "files": files,
        "metrics": null,
        "application": summary(&st.apps[app].json),
    });
    st.imports.insert(0, import.clone());
    import
}

fn find_app(st: &mut State, id: Option<&str>) -> Result<usize, Box<ResponseTemplate>> {
    let Some(id) = id else {
        return Err(Box::new(validation(
            vec![("applicationId", "Application ID is missing".into())],
            &mut st.seed,
        )));
    };
    let Some(i) = st
        .apps
        .iter()
        .position(|a| a.json["id"].as_str() == Some(id))
    else {
        return Err(Box::new(error(
            404,
            "not_found",
            &format!("Application with id {id} not found"),
            &mut st.seed,
        )));
    };
    if st.apps[i].json["isArchived"] == json!(true) {
        return Err(Box::new(validation(
            vec![("applicationId", "Application is archived".into())],
            &mut st.seed,
        )));
    }
    Ok(i)
}

fn stage(st: &mut State, request: &Request) -> ResponseTemplate {
    let b = match body(request) {
        Ok(b) => b,
        Err(m) => return validation(vec![("body", m)], &mut st.seed),
    };
    let app = match find_app(st, b["applicationId"].as_str()) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    if !st.apps[app].scheduled {
        return error(
            422,
            "unprocessable_entity",
            "The application has no import schedule configured",
            &mut st.seed,
        );
    }
    json(201, new_import(st, app, Vec::new()))
}

fn cancel(st: &mut State, request: &Request) -> ResponseTemplate {
    let b = match body(request) {
        Ok(b) => b,
        Err(m) => return validation(vec![("body", m)], &mut st.seed),
    };
    let Some(id) = b["applicationImportId"].as_str() else {
        return validation(
            vec![("applicationImportId", "is required".into())],
            &mut st.seed,
        );
    };
    let Some(import) = st.imports.iter_mut().find(|i| i["id"].as_str() == Some(id)) else {
        return error(
            404,
            "not_found",
            &format!("Application import with id {id} not found"),
            &mut st.seed,
        );
    };
    let status = import["status"].as_str().unwrap_or_default().to_string();
    if !matches!(status.as_str(), "Pending" | "Running") {
        let message = format!("The import is {status} and cannot be canceled");
        return error(409, "conflict", &message, &mut st.seed);
    }
    import["status"] = json!("Canceling");
    json(200, import.clone())
}

fn upload(st: &mut State, request: &Request, query_app: Option<String>) -> ResponseTemplate {
    let Some(parts) = crate::multipart::parts(request) else {
        return validation(
            vec![("body", "expected a multipart/form-data body".into())],
            &mut st.seed,
        );
    };
    let form_app = parts
        .iter()
        .find(|(n, _, _)| n == "applicationId")
        .map(|(_, _, d)| String::from_utf8_lossy(d).to_string());
    let app = match find_app(st, form_app.as_deref().or(query_app.as_deref())) {
        Ok(a) => a,
        Err(r) => return *r,
    };
    let groups = st.apps[app].file_groups.clone();
    if groups.is_empty() {
        return validation(
            vec![(
                "applicationId",
                "The application does not use a file-based connector".into(),
            )],
            &mut st.seed,
        );
    }
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for (name, file_name, data) in parts.iter().filter(|(n, _, _)| n != "applicationId") {
        let Some((gid, gname, _)) = groups.iter().find(|(g, _, _)| g.to_string() == *name) else {
            errors.push((
                "files",
                format!("'{name}' is not a file group of this connector"),
            ));
            continue;
        };
        if data.is_empty() {
            errors.push(("files", format!("The file for '{gname}' is empty")));
            continue;
        }
        files.push(json!({"id": st.seed.uuid(), "fileGroupId": gid, "fileGroup": gname, "name": file_name.clone().unwrap_or_default()}));
    }
    for (gid, gname, required) in &groups {
        if *required && !parts.iter().any(|(n, _, _)| *n == gid.to_string()) {
            errors.push((
                "files",
                format!("The required file for '{gname}' is missing"),
            ));
        }
    }
    if !errors.is_empty() {
        return validation(errors, &mut st.seed);
    }
    json(201, new_import(st, app, files))
}
