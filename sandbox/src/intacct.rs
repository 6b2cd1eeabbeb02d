//! The Intacct sandbox: a company of 600 permissions, 14 roles with their permission
//! assignments, 48 users, 6 user groups and their members; the OAuth 2.0 token endpoint
//! (client credentials and rotating refresh tokens); the query service with filters,
//! `filterExpression`, `orderBy`, `start` and `size`; and `ia::error` responses shaped like
//! Sage's.

use super::clock::{self, Clock};
use super::{FIRST_NAMES, LAST_NAMES, Sandbox, Seed, Service, bearer, json};
use chrono::{DateTime, Utc};
use permkit_core::Api;
use serde_json::{Map, Value, json};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};
use wiremock::{Request, ResponseTemplate};

/// Path prefix of this API on the sandbox server.
pub(crate) const PREFIX: &str = "/intacct/ia/api/v1";

/// Entities of the sandbox company (for `X-IA-API-Param-Entity` and `user@company|entity`).
const ENTITIES: &[&str] = &["US-East", "US-West", "UK"];
/// The default page size of lists and queries.
const PAGE: usize = 100;
const MAX_SIZE: usize = 4000;
/// Lifetime of sandbox access tokens, in seconds.
const TOKEN_LIFETIME: u64 = 3600;

const OBJECTS: &[&str] = &[
    "permission",
    "role",
    "role-permission-assignment",
    "role-user-map",
    "role-user-group-map",
    "user-group",
    "user-group-member",
    "user",
];

/// What each object allows besides list and get.
fn allows(object: &str, method: &str) -> bool {
    match method {
        "GET" => true,
        "POST" => matches!(object, "role" | "user-group" | "user-group-member" | "user"),
        "PATCH" => matches!(
            object,
            "role" | "role-permission-assignment" | "user-group" | "user"
        ),
        "DELETE" => matches!(object, "role" | "user-group" | "user-group-member" | "user"),
        _ => false,
    }
}

/// Properties a create or update may carry, per object.
fn writable(object: &str) -> &'static [&'static str] {
    match object {
        "role" => &[
            "id",
            "description",
            "roleType",
            "applyTo",
            "rolePermissionAssignments",
            "customRolePermissionAssignments",
            "agentRolePermissionAssignments",
        ],
        "role-permission-assignment" => &["permission", "accessRights"],
        "user-group" => &["id", "description", "roles"],
        "user-group-member" => &["userGroup", "user"],
        "user" => &[
            "id",
            "userName",
            "accountEmail",
            "userType",
            "adminPrivileges",
            "status",
            "webServices",
            "password",
            "sso",
            "entityAccess",
            "contact",
            "trustedDevices",
            "isChatterDisabled",
            "hideOtherDepartmentTransactions",
            "locations",
            "entities",
            "departments",
            "territories",
            "roles",
            "permissionAssignments",
            "customPermissionAssignments",
            "agentPermissionAssignments",
            "entity",
        ],
        _ => &[],
    }
}

fn required(object: &str) -> &'static [&'static str] {
    match object {
        "role" => &["id"],
        "user-group" => &["id", "description"],
        "user-group-member" => &["userGroup", "user"],
        "user" => &["id", "accountEmail", "contact"],
        _ => &[],
    }
}

struct State {
    objects: BTreeMap<&'static str, Vec<Value>>,
    next_key: u64,
    access_tokens: HashMap<String, Option<String>>,
    refresh_tokens: HashSet<String>,
    issued: u64,
    seed: Seed,
    /// The sandbox's clock: what the audit of a created record says.
    clock: Arc<Clock>,
}

/// The Intacct mock.
pub(crate) struct Intacct {
    state: Mutex<State>,
}

/// Keeps the rarer rights (beyond `delete`) rarer.
fn seed_ok(bit: usize) -> bool {
    bit < 4 || bit.is_multiple_of(2)
}

fn href(object: &str, key: &str) -> String {
    format!("/objects/company-config/{object}/{key}")
}

fn reference(object: &str, v: &Value) -> Value {
    let key = v["key"].as_str().unwrap_or_default();
    json!({"key": key, "id": v["id"], "href": href(object, key)})
}

/// A seeded record's audit: created in the three years before `anchor` (the start of the
/// sandbox's day), modified between then and `anchor`. Each date makes six draws of `seed`, as
/// it always has: the keys and tokens drawn after it depend on that count.
fn audit(seed: &mut Seed, anchor: DateTime<Utc>) -> Value {
    /// A fraction in `[0, 1)` of `STEPS`, and a second of a day, from six draws.
    const STEPS: i64 = 7 * 12 * 28;
    let draw = |s: &mut Seed| {
        let d = [7, 12, 28, 24, 60, 60].map(|n| s.below(n) as i64);
        (
            (d[0] * 12 + d[1]) * 28 + d[2],
            d[3] * 3600 + d[4] * 60 + d[5],
        )
    };
    let (step, second) = draw(seed);
    let created = clock::days_before(anchor, 1 + (STEPS - 1 - step) * 1094 / (STEPS - 1), second);
    let (step, _) = draw(seed);
    let modified = created + (anchor - created) * step as i32 / STEPS as i32;
    audit_at(created, modified)
}

/// An audit created at `created` and modified at `modified` by the admin user.
fn audit_at(created: DateTime<Utc>, modified: DateTime<Utc>) -> Value {
    let text = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    json!({
        "createdDateTime": text(created),
        "modifiedDateTime": text(modified),
        "createdByUser": {"key": "1", "id": "Admin", "href": "/objects/company-config/user/1"},
        "modifiedByUser": {"key": "1", "id": "Admin", "href": "/objects/company-config/user/1"},
        "createdBy": "1",
        "modifiedBy": "1"
    })
}

/// The `ia::error` envelope Sage's gateway sends.
fn ia_error(
    status: u16,
    code: &str,
    message: &str,
    error_id: &str,
    details: Vec<Value>,
) -> ResponseTemplate {
    json(
        status,
        ia_error_body(status, code, message, error_id, details),
    )
}

fn ia_error_body(
    status: u16,
    code: &str,
    message: &str,
    error_id: &str,
    details: Vec<Value>,
) -> Value {
    let support = format!(
        "Sbx{:X}%7E{}",
        status as u64 * 7919 + message.len() as u64,
        error_id.replace('-', "")
    );
    json!({
            "ia::result": {"ia::error": {
                "code": code,
                "message": message,
                "errorId": error_id,
                "additionalInfo": {"messageId": format!("IA.{}", code.to_uppercase()), "placeholders": {}, "propertySet": {}},
                "supportId": support,
                "details": details,
            }},
        "ia::meta": {"totalCount": 1, "totalSuccess": 0, "totalError": 1}
    })
}

/// Intacct's 405 for `method` on `path` (under `/ia/api/v1`) whose routes take `allowed`: the
/// `Allow` header and the `ia::error` its objects answer a method they do not take with
/// (`methodNotAllowed`, `REST-1002`).
pub(crate) fn method_not_allowed(method: &str, path: &str, allowed: &[&str]) -> (String, Value) {
    let allow = allowed.join(", ");
    let message = format!("{method} is not allowed on {path}");
    (
        allow,
        ia_error_body(405, "methodNotAllowed", &message, "REST-1002", vec![]),
    )
}

/// The body Intacct answers `status` with, for an injected fault: the gateway's `ia::error`
/// (401 `GW-0031`, 429 `GW-0010`, ...), or OAuth's `{error, error_description}` from the token
/// endpoint (`create_token`).
pub(crate) fn fault_body(status: u16, message: Option<&str>, operation_id: &str) -> Value {
    if operation_id == "create_token" {
        let code = match status {
            401 => "invalid_client",
            400..=499 => "invalid_request",
            503 => "temporarily_unavailable",
            _ => "server_error",
        };
        return json!({"error": code, "error_description": message.unwrap_or(super::reason(status))});
    }
    let (code, id, text) = match status {
        400 => ("invalidRequest", "REST-1064", "The request is not valid"),
        401 => ("GW-0031", "GW-0031", "Invalid or expired access token"),
        403 => (
            "forbidden",
            "REST-1003",
            "You do not have permission for this operation",
        ),
        404 => ("notFound", "REST-1026", "Requested resource was not found"),
        409 => (
            "conflict",
            "REST-1030",
            "The request conflicts with an existing record",
        ),
        422 => ("operationFailed", "REST-1064", "The operation failed"),
        429 => ("GW-0010", "GW-0010", "Rate limit exceeded"),
        503 => (
            "serviceUnavailable",
            "GW-0503",
            "The service is temporarily unavailable",
        ),
        _ => ("internalServerError", "REST-1000", super::reason(status)),
    };
    ia_error_body(status, code, message.unwrap_or(text), id, vec![])
}

/// Intacct's 400 `invalidRequest` for (parameter, message) problems, one detail each.
pub(crate) fn invalid_query_body(problems: Vec<(String, String)>) -> Value {
    let details = problems
        .into_iter()
        .map(|(target, message)| detail("invalidRequest", message, "REST-1009", &target))
        .collect();
    ia_error_body(
        400,
        "invalidRequest",
        "The request has invalid parameters",
        "REST-1009",
        details,
    )
}

/// Intacct's 400 for a payload outside the object's schema, as Sage words it (and as
/// `check_payload` does): `Payload contains errors` (`REST-1064`), one detail per
/// (target, message, detail `errorId`): `REST-1040` a required field missing, `REST-1043` a
/// field the object does not have, `REST-1050` a value it does not take.
pub(crate) fn invalid_payload_body(problems: Vec<(String, String, &str)>) -> Value {
    let details = problems
        .into_iter()
        .map(|(target, message, id)| detail("invalidRequest", message, id, &target))
        .collect();
    ia_error_body(
        400,
        "invalidRequest",
        "Payload contains errors",
        "REST-1064",
        details,
    )
}

fn detail(code: &str, message: String, error_id: &str, target: &str) -> Value {
    json!({"code": code, "message": message, "errorId": error_id, "target": target,
           "additionalInfo": {"messageId": "IA.NOT_A_VALID_FIELD", "placeholders": {"FIELD": target}, "propertySet": {}}})
}

fn oauth_error(status: u16, code: &str, description: &str) -> ResponseTemplate {
    json(
        status,
        json!({"error": code, "error_description": description}),
    )
}

fn not_found(object: &str, key: &str) -> ResponseTemplate {
    ia_error(
        404,
        "notFound",
        &format!("Requested resource '{object}' with key '{key}' was not found"),
        "REST-1026",
        vec![],
    )
}

fn one(object: &str, v: &Value) -> ResponseTemplate {
    let _ = object;
    json(
        200,
        json!({"ia::result": v, "ia::meta": {"totalCount": 1, "totalSuccess": 1, "totalError": 0}}),
    )
}

fn written(status: u16, object: &str, v: &Value) -> ResponseTemplate {
    json(
        status,
        json!({"ia::result": reference(object, v), "ia::meta": {"totalCount": 1, "totalSuccess": 1, "totalError": 0}}),
    )
}

impl Intacct {
    /// Expires every access token issued so far, [`Sandbox::INTACCT_TOKEN`] included: calls
    /// that carry one get the gateway's 401 `GW-0031`. Refresh tokens stay valid.
    pub(crate) fn expire_tokens(&self) {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .access_tokens
            .clear();
    }

    /// A mock with seed data, dated by `clock`.
    pub(crate) fn seeded(clock: Arc<Clock>) -> Self {
        Intacct {
            state: Mutex::new(Self::seed_state(clock)),
        }
    }

    /// Back to the seed, placed before the clock's "now": the tokens issued since are
    /// forgotten and [`Sandbox::INTACCT_TOKEN`] is valid again.
    pub(crate) fn reset(&self) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *st = Self::seed_state(st.clock.clone());
    }

    /// The seeded company. Each record's audit says it was created in the three years
    /// before the clock's "now" (the start of its day) and modified since.
    fn seed_state(clock: Arc<Clock>) -> State {
        let anchor = clock::seed_anchor(clock.now());
        let mut seed = Seed::new(0x1a_ac_c7);
        let mut objects: BTreeMap<&'static str, Vec<Value>> =
            OBJECTS.iter().map(|o| (*o, Vec::new())).collect();
        let rights_pool = [
            "list",
            "readonly",
            "add",
            "modify",
            "delete",
            "void",
            "post",
            "approvalLevel1",
            "export",
            "print",
            "reverse",
        ];
        let groups = [
            json!("activitiesAndLists"),
            json!("objectIds"),
            json!("reports"),
            Value::Null,
        ];
        let modules = super::bodies::enum_values(Api::Intacct, "PermissionModule");
        let names = super::bodies::enum_values(Api::Intacct, "PermissionName");
        // Keys count per object, as Intacct's do (role 1, permission 1, ...); keys of objects
        // created later start above every seeded one.
        let mut key = 0u64;
        let mut counters: HashMap<&'static str, u64> = HashMap::new();
        let mut next = |object: &'static str| {
            key += 1;
            let n = counters.entry(object).or_insert(0);
            *n += 1;
            n.to_string()
        };
        let permissions: Vec<Value> = (0..600)
            .map(|i| {
                let k = next("permission");
                // `list` always, then a deterministic selection of the others.
                let mask = seed.below(1 << (rights_pool.len() - 1));
                let rights: Vec<&str> = std::iter::once(rights_pool[0])
                    .chain(
                        rights_pool[1..]
                            .iter()
                            .enumerate()
                            .filter(|(b, _)| mask & (1 << b) != 0 && seed_ok(*b))
                            .map(|(_, r)| *r),
                    )
                    .collect();
                json!({
                    "key": k, "id": k,
                    "module": modules[(i * 7 + i / 76) % modules.len()],
                    "name": names[i % names.len()],
                    "permissionGroup": groups[i % 4].clone(),
                    "allowedAccessRights": rights,
                    "href": href("permission", &k),
                })
            })
            .collect();
        let role_names = [
            ("Administrator", "Full access to every module"),
            ("AP Clerk", "Enters and maintains vendor bills"),
            ("AP Manager", "Approves bills and payments"),
            ("AR Clerk", "Customer invoices and receipts"),
            ("Controller", "Close, consolidation and reporting"),
            ("Auditor", "Read-only access for auditors"),
            ("Payroll", "Payroll and employee records"),
            ("Purchasing", "Purchase orders and requisitions"),
            ("Inventory", "Items, warehouses and stock"),
            ("Reporting", "Financial reports and dashboards"),
            ("Employee", "Full employee permissions including approvals"),
            ("Web Services", "Integration user"),
            ("::SYS::Multi Entity Shared-ROLE-FOR - Aaron", "System role"),
            (
                "::SYS::Multi Entity Shared-ROLE-FOR - EMP4-US",
                "System role",
            ),
        ];
        let role_types = [
            "enterprise",
            "enterprise",
            "enterprise",
            "multiEntityShared",
            "multiEntityDistributed",
            "eConsole",
        ];
        let apply = ["loginAndSlideIn", "loginOnly", "slideInOnly"];
        let roles: Vec<Value> = role_names
            .iter()
            .enumerate()
            .map(|(i, (id, description))| {
                let k = next("role");
                json!({
                    "key": k, "id": id, "description": description,
                    "roleType": if id.starts_with("::SYS::") { "multiEntityShared" } else { role_types[i % role_types.len()] },
                    "applyTo": apply[i % apply.len()],
                    "href": href("role", &k),
                    "audit": audit(&mut seed, anchor),
                })
            })
            .collect();
        let mut assignments = Vec::new();
        for role in &roles {
            let count = if role["id"] == "Administrator" {
                60
            } else {
                12 + seed.below(20) as usize
            };
            let mut used = HashSet::new();
            for _ in 0..count {
                let p = &permissions[seed.below(permissions.len() as u64) as usize];
                if !used.insert(p["key"].as_str().unwrap_or_default().to_string()) {
                    continue;
                }
                let allowed = p["allowedAccessRights"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let granted: Vec<Value> = allowed
                    .iter()
                    .take(1 + seed.below(allowed.len() as u64) as usize)
                    .cloned()
                    .collect();
                let k = next("role-permission-assignment");
                assignments.push(json!({
                    "key": k, "id": k, "href": href("role-permission-assignment", &k),
                    "role": reference("role", role),
                    "permission": {"key": p["key"], "id": p["id"], "module": p["module"], "name": p["name"], "href": p["href"]},
                    "accessRights": granted,
                    "audit": audit(&mut seed, anchor),
                }));
            }
        }
        let user_types = [
            "business",
            "business",
            "business",
            "employee",
            "viewOnly",
            "projectManager",
            "paymentApprover",
        ];
        let mut users = Vec::new();
        let mut seen_logins = HashSet::new();
        for i in 0..48 {
            let first = *seed.pick(FIRST_NAMES);
            let last = *seed.pick(LAST_NAMES);
            let mut login = format!("{}.{}", first.to_lowercase(), last.to_lowercase());
            if !seen_logins.insert(login.clone()) {
                login = format!("{login}{i}");
            }
            let k = next("user");
            let user_roles: Vec<Value> = (0..1 + seed.below(3))
                .map(|_| reference("role", seed.pick(&roles[..12])))
                .collect();
            let mut user_roles_unique: Vec<Value> = Vec::new();
            for r in user_roles {
                if !user_roles_unique.iter().any(|u| u["key"] == r["key"]) {
                    user_roles_unique.push(r);
                }
            }
            let entity = if i % 5 == 0 {
                json!({"key": null, "id": null, "name": null})
            } else {
                json!({"key": format!("{}", 40 + i % 3), "id": ENTITIES[i % 3], "name": ENTITIES[i % 3]})
            };
            users.push(json!({
                "key": k,
                "id": if i == 0 { "admin".to_string() } else { login.clone() },
                "userName": format!("{first} {last}"),
                "accountEmail": format!("{login}@sandbox.example"),
                "userType": user_types[i % user_types.len()],
                "adminPrivileges": if i == 0 { "full" } else if i % 9 == 0 { "limited" } else { "off" },
                "status": if i % 13 == 12 { "inactive" } else if i % 17 == 16 { "lockedOut" } else { "active" },
                "webServices": {"isEnabled": i % 6 == 0, "isRestricted": false},
                "contact": {"key": format!("{}", 900 + i), "id": format!("{last}, {first}")},
                "trustedDevices": "companyDefault",
                "roles": user_roles_unique,
                "entity": entity,
                "href": href("user", &k),
                "audit": audit(&mut seed, anchor),
                // Not part of Sage's schema: whether the user has logged in (such users cannot be deleted).
                "$loggedIn": i % 4 != 3,
            }));
        }
        let group_names = [
            ("AP", "Accounts Payable"),
            ("AR", "Accounts Receivable"),
            ("GL", "General Ledger"),
            ("Auditors", "External auditors"),
            ("Admins", "Administrators"),
            ("Bypass group", "Bypass group"),
        ];
        let mut user_groups = Vec::new();
        let mut members = Vec::new();
        for (i, (id, description)) in group_names.iter().enumerate() {
            let k = next("user-group");
            let group_roles = vec![
                reference("role", &roles[1 + i % 11]),
                reference("role", &roles[(5 + i * 3) % 12]),
            ];
            let group = json!({"key": k, "id": id, "description": description, "roles": group_roles, "href": href("user-group", &k), "audit": audit(&mut seed, anchor)});
            for j in 0..(3 + seed.below(6) as usize) {
                let u = &users[(i * 7 + j * 5) % users.len()];
                let mk = next("user-group-member");
                members.push(json!({
                    "key": mk, "id": mk, "href": href("user-group-member", &mk),
                    "userGroup": reference("user-group", &group),
                    "user": {"key": u["key"], "id": u["id"], "userName": u["userName"], "href": u["href"]},
                    "audit": {"createdDateTime": group["audit"]["createdDateTime"], "modifiedDateTime": group["audit"]["createdDateTime"]},
                }));
            }
            user_groups.push(group);
        }
        objects.insert("permission", permissions);
        objects.insert("role", roles);
        objects.insert("role-permission-assignment", assignments);
        objects.insert("user", users);
        objects.insert("user-group", user_groups);
        objects.insert("user-group-member", members);
        let mut state = State {
            objects,
            next_key: key,
            access_tokens: HashMap::from([(Sandbox::INTACCT_TOKEN.to_string(), None)]),
            refresh_tokens: HashSet::new(),
            issued: 0,
            seed,
            clock,
        };
        state.derive_maps();
        state
    }
}

impl State {
    fn new_key(&mut self) -> String {
        self.next_key += 1;
        self.next_key.to_string()
    }

    /// Rebuilds role-user-map, role-user-group-map and each role's `roleUsers`, `roleGroups`
    /// and `rolePermissionAssignments` from users, groups and assignments.
    fn derive_maps(&mut self) {
        let mut user_maps = Vec::new();
        let mut group_maps = Vec::new();
        let mut k = 100_000u64;
        for u in &self.objects["user"] {
            for r in u["roles"].as_array().into_iter().flatten() {
                k += 1;
                let key = k.to_string();
                user_maps.push(json!({"key": key, "id": key, "href": href("role-user-map", &key), "role": r, "user": reference("user", u)}));
            }
        }
        for g in &self.objects["user-group"] {
            for r in g["roles"].as_array().into_iter().flatten() {
                k += 1;
                let key = k.to_string();
                group_maps.push(json!({"key": key, "id": key, "href": href("role-user-group-map", &key), "role": r, "userGroup": reference("user-group", g)}));
            }
        }
        let assignments = self.objects["role-permission-assignment"].clone();
        if let Some(roles) = self.objects.get_mut("role") {
            for role in roles.iter_mut() {
                let rk = role["key"].clone();
                let mine = |v: &&Value| v["role"]["key"] == rk;
                role["roleUsers"] = Value::Array(user_maps.iter().filter(mine).cloned().collect());
                role["roleGroups"] =
                    Value::Array(group_maps.iter().filter(mine).cloned().collect());
                role["rolePermissionAssignments"] =
                    Value::Array(assignments.iter().filter(mine).cloned().collect());
            }
        }
        self.objects.insert("role-user-map", user_maps);
        self.objects.insert("role-user-group-map", group_maps);
    }

    fn issue(&mut self, entity: Option<String>, with_refresh: bool) -> Value {
        self.issued += 1;
        let access = format!(
            "sbx-at-{}-{:08x}",
            self.issued,
            self.seed.below(u64::from(u32::MAX))
        );
        self.access_tokens.insert(access.clone(), entity);
        let mut body =
            json!({"access_token": access, "token_type": "Bearer", "expires_in": TOKEN_LIFETIME});
        if with_refresh {
            let refresh = format!(
                "sbx-rt-{}-{:08x}",
                self.issued,
                self.seed.below(u64::from(u32::MAX))
            );
            self.refresh_tokens.insert(refresh.clone());
            body["refresh_token"] = json!(refresh);
        }
        body
    }

    fn find(&self, object: &str, key: &str) -> Option<usize> {
        self.objects
            .get(object)?
            .iter()
            .position(|v| v["key"] == key)
    }
}

/// Strips the sandbox's private bookkeeping (`$...` properties) before a record goes out.
fn public(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn body_json(request: &Request) -> Option<Value> {
    serde_json::from_slice(&request.body).ok()
}

impl Service for Intacct {
    fn prefix(&self) -> &'static str {
        PREFIX
    }

    fn handle(&self, request: &Request, path: &str) -> ResponseTemplate {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let method = request.method.as_str().to_string();
        if path == "/oauth2/token" {
            return if method == "POST" {
                token(&mut st, request)
            } else {
                ia_error(
                    405,
                    "methodNotAllowed",
                    "Method not allowed",
                    "REST-1001",
                    vec![],
                )
            };
        }
        // Every other path needs a token the sandbox issued.
        let token_entity = match bearer(request).and_then(|t| st.access_tokens.get(&t).cloned()) {
            Some(e) => e,
            None => {
                return ia_error(
                    401,
                    "GW-0031",
                    "Invalid or expired access token",
                    "GW-0031",
                    vec![],
                );
            }
        };
        let entity = request
            .headers
            .get("x-ia-api-param-entity")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or(token_entity);
        if let Some(e) = &entity
            && !ENTITIES.contains(&e.as_str())
        {
            return ia_error(
                400,
                "invalidRequest",
                &format!("Entity '{e}' is not valid for this company"),
                "REST-1009",
                vec![detail(
                    "invalidRequest",
                    format!("'{e}' is not a valid entity"),
                    "REST-1009",
                    "X-IA-API-Param-Entity",
                )],
            );
        }
        match (method.as_str(), path) {
            ("POST", "/services/core/query") => match body_json(request) {
                Some(body) => query(&st, &body),
                None => payload_required("POST"),
            },
            ("GET", "/services/core/model") => model(&st, request),
            _ => objects(&mut st, &method, path, request),
        }
    }
}

fn payload_required(op: &str) -> ResponseTemplate {
    ia_error(
        400,
        "invalidRequest",
        &format!("A {op} request requires a payload"),
        "REST-1028",
        vec![],
    )
}

fn form_or_json(request: &Request) -> HashMap<String, String> {
    let ct = request
        .headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if ct.starts_with("application/json") {
        body_json(request)
            .and_then(|v| v.as_object().cloned())
            .map(|m| {
                m.into_iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        serde_urlencoded::from_bytes(&request.body).unwrap_or_default()
    }
}

fn token(st: &mut State, request: &Request) -> ResponseTemplate {
    let f = form_or_json(request);
    let get = |k: &str| f.get(k).map(String::as_str).unwrap_or("");
    if get("client_id") != Sandbox::INTACCT_CLIENT_ID
        || get("client_secret") != Sandbox::INTACCT_CLIENT_SECRET
    {
        return oauth_error(401, "invalid_client", "Client authentication failed");
    }
    match get("grant_type") {
        "client_credentials" => {
            let username = get("username");
            let (login, entity) = match username.split_once('|') {
                Some((l, e)) => (l, Some(e)),
                None => (username, None),
            };
            if login != Sandbox::INTACCT_USERNAME {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "The Web Services user is not authorized for this company",
                );
            }
            if let Some(e) = entity
                && !ENTITIES.contains(&e)
            {
                return oauth_error(400, "invalid_grant", "Unknown entity in username");
            }
            // The sandbox also issues a refresh token, so the refresh grant can be tried.
            json(200, st.issue(entity.map(str::to_string), true))
        }
        "refresh_token" => {
            let rt = get("refresh_token").to_string();
            if !st.refresh_tokens.remove(&rt) {
                return oauth_error(
                    400,
                    "invalid_grant",
                    "The refresh token is invalid, expired or was already used",
                );
            }
            let entity = f.get("entity_id").cloned();
            json(200, st.issue(entity, true))
        }
        "" => oauth_error(400, "invalid_request", "grant_type is required"),
        other => oauth_error(
            400,
            "unsupported_grant_type",
            &format!("Grant type '{other}' is not supported"),
        ),
    }
}

fn objects(st: &mut State, method: &str, path: &str, request: &Request) -> ResponseTemplate {
    let rest = path.strip_prefix("/objects/company-config/").unwrap_or("");
    let (object, key) = match rest.split_once('/') {
        Some((o, k)) => (o, Some(k)),
        None => (rest, None),
    };
    let Some(object) = OBJECTS.iter().copied().find(|o| *o == object) else {
        return ia_error(
            404,
            "notFound",
            &format!("Resource '{path}' was not found"),
            "REST-1004",
            vec![],
        );
    };
    let ok_method = match (method, key) {
        ("GET", _) => true,
        ("POST", None) => allows(object, "POST"),
        ("PATCH" | "DELETE", Some(_)) => allows(object, method),
        _ => false,
    };
    if !ok_method {
        return ia_error(
            405,
            "methodNotAllowed",
            &format!("{method} is not allowed on {object}"),
            "REST-1002",
            vec![],
        );
    }
    match (method, key) {
        ("GET", None) => {
            let all = &st.objects[object];
            let refs: Vec<Value> = all
                .iter()
                .take(PAGE)
                .map(|v| reference(object, v))
                .collect();
            let next = if all.len() > PAGE {
                json!(PAGE + 1)
            } else {
                Value::Null
            };
            json(
                200,
                json!({"ia::result": refs, "ia::meta": {"totalCount": all.len(), "start": 1, "pageSize": PAGE, "next": next, "previous": null}}),
            )
        }
        ("GET", Some(key)) => match st.find(object, key) {
            Some(i) => one(object, &public(&st.objects[object][i])),
            None => not_found(object, key),
        },
        ("POST", None) => {
            let Some(Value::Object(body)) = body_json(request) else {
                return payload_required("POST");
            };
            if let Some(bad) = check_payload(object, &body, true) {
                return bad;
            }
            let key = st.new_key();
            let mut record = Value::Object(body);
            record["key"] = json!(key);
            record["href"] = json!(href(object, &key));
            if object == "user-group-member" {
                record["id"] = json!(key);
                for (field, target) in [("userGroup", "user-group"), ("user", "user")] {
                    let k = record[field]["key"].as_str().map(str::to_string);
                    let found = k
                        .as_deref()
                        .and_then(|k| st.find(target, k))
                        .map(|i| st.objects[target][i].clone());
                    match found {
                        Some(t) => record[field] = reference(target, &t),
                        None => {
                            return ia_error(
                                400,
                                "invalidRequest",
                                "Payload contains errors",
                                "REST-1064",
                                vec![detail(
                                    "invalidRequest",
                                    format!("{field} must reference an existing {target} by key"),
                                    "REST-1051",
                                    &format!("/{field}/key"),
                                )],
                            );
                        }
                    }
                }
            } else {
                let id = record["id"].clone();
                if st.objects[object].iter().any(|v| v["id"] == id) {
                    return ia_error(
                        409,
                        "conflict",
                        &format!("A {object} with id {id} already exists"),
                        "REST-1067",
                        vec![],
                    );
                }
            }
            let now = st.clock.now();
            record["audit"] = audit_at(now, now);
            if object == "user" {
                record["$loggedIn"] = json!(false);
                if record.get("status").is_none() {
                    record["status"] = json!("active");
                }
            }
            if let Some(v) = st.objects.get_mut(object) {
                v.push(record.clone());
            }
            st.derive_maps();
            written(201, object, &record)
        }
        ("PATCH", Some(key)) => {
            let Some(i) = st.find(object, key) else {
                return not_found(object, key);
            };
            let Some(Value::Object(body)) = body_json(request) else {
                return payload_required("PATCH");
            };
            if let Some(bad) = check_payload(object, &body, false) {
                return bad;
            }
            if let Some(records) = st.objects.get_mut(object) {
                for (k, v) in body {
                    records[i][k] = v;
                }
            }
            let record = st.objects[object][i].clone();
            st.derive_maps();
            written(200, object, &record)
        }
        ("DELETE", Some(key)) => {
            let Some(i) = st.find(object, key) else {
                return not_found(object, key);
            };
            if object == "user" && st.objects[object][i]["$loggedIn"] == true {
                return ia_error(
                    422,
                    "operationFailed",
                    "Deleting the user failed",
                    "REST-2014",
                    vec![json!({
                        "code": "BL01001973",
                        "message": "A user who has logged in cannot be deleted; set the status to inactive instead",
                        "errorId": "BL01001973",
                    })],
                );
            }
            if let Some(records) = st.objects.get_mut(object) {
                records.remove(i);
            }
            st.derive_maps();
            ResponseTemplate::new(204)
        }
        _ => ia_error(
            405,
            "methodNotAllowed",
            "Method not allowed",
            "REST-1002",
            vec![],
        ),
    }
}

/// Sage-style payload checks: unknown and read-only properties, required ones on create.
fn check_payload(
    object: &str,
    body: &Map<String, Value>,
    create: bool,
) -> Option<ResponseTemplate> {
    let allowed = writable(object);
    let mut details = Vec::new();
    for k in body.keys() {
        if !allowed.contains(&k.as_str()) || (!create && k == "id") {
            details.push(detail(
                "invalidRequest",
                format!("/{k} is not a valid field"),
                "REST-1043",
                &format!("/{k}"),
            ));
        }
    }
    if create {
        for r in required(object) {
            if body.get(*r).is_none_or(|v| v.is_null() || v == "") {
                details.push(detail(
                    "invalidRequest",
                    format!("/{r} is required"),
                    "REST-1040",
                    &format!("/{r}"),
                ));
            }
        }
    }
    if object == "user"
        && let Some(t) = body.get("userType").and_then(Value::as_str)
        && t != "business"
        && body
            .get("adminPrivileges")
            .and_then(Value::as_str)
            .is_some_and(|a| a != "off")
    {
        details.push(detail(
            "invalidRequest",
            "adminPrivileges limited or full requires userType business".into(),
            "REST-1050",
            "/adminPrivileges",
        ));
    }
    if details.is_empty() {
        None
    } else {
        Some(ia_error(
            400,
            "invalidRequest",
            "Payload contains errors",
            "REST-1064",
            details,
        ))
    }
}

// ------------------------------------------------------------------ query service

/// The value at a dotted path (`role.id`), if present.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |v, part| v.get(part))
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Compares a record value with an operand: numerically when both read as numbers.
fn compare(a: &Value, b: &Value, case_sensitive: bool) -> Option<Ordering> {
    if a.is_null() || b.is_null() {
        return (a.is_null() && b.is_null()).then_some(Ordering::Equal);
    }
    let (ta, tb) = (as_text(a)?, as_text(b)?);
    if let (Ok(x), Ok(y)) = (ta.parse::<f64>(), tb.parse::<f64>()) {
        return x.partial_cmp(&y);
    }
    Some(if case_sensitive {
        ta.cmp(&tb)
    } else {
        ta.to_lowercase().cmp(&tb.to_lowercase())
    })
}

fn text_op(a: &Value, b: &Value, case_sensitive: bool, f: fn(&str, &str) -> bool) -> bool {
    match (as_text(a), as_text(b)) {
        (Some(x), Some(y)) if case_sensitive => f(&x, &y),
        (Some(x), Some(y)) => f(&x.to_lowercase(), &y.to_lowercase()),
        _ => false,
    }
}

/// Evaluates one `{op: {field: operand}}` condition on a record.
fn condition(
    record: &Value,
    op: &str,
    field: &str,
    operand: &Value,
    cs: bool,
) -> Result<bool, String> {
    let v = at(record, field).unwrap_or(&Value::Null);
    let eq = |x: &Value| compare(v, x, cs) == Some(Ordering::Equal);
    let ord = |want: &[Ordering]| compare(v, operand, cs).is_some_and(|o| want.contains(&o));
    let list = || {
        operand
            .as_array()
            .ok_or_else(|| format!("{op} needs an array"))
    };
    let range = || -> Result<bool, String> {
        let r = list()?;
        if r.len() != 2 {
            return Err(format!("{op} needs two bounds"));
        }
        Ok(compare(v, &r[0], cs).is_some_and(|o| o != Ordering::Less)
            && compare(v, &r[1], cs).is_some_and(|o| o != Ordering::Greater))
    };
    Ok(match op {
        "$eq" => eq(operand),
        "$ne" => !eq(operand),
        "$lt" => ord(&[Ordering::Less]),
        "$gt" => ord(&[Ordering::Greater]),
        "$lte" => ord(&[Ordering::Less, Ordering::Equal]),
        "$gte" => ord(&[Ordering::Greater, Ordering::Equal]),
        "$in" => list()?.iter().any(eq),
        "$notIn" => !list()?.iter().any(eq),
        "$between" => range()?,
        "$notBetween" => !range()?,
        "$contains" => text_op(v, operand, cs, |a, b| a.contains(b)),
        "$notContains" => !text_op(v, operand, cs, |a, b| a.contains(b)),
        "$startsWith" => text_op(v, operand, cs, |a, b| a.starts_with(b)),
        "$notStartsWith" => !text_op(v, operand, cs, |a, b| a.starts_with(b)),
        "$endsWith" => text_op(v, operand, cs, |a, b| a.ends_with(b)),
        "$notEndsWith" => !text_op(v, operand, cs, |a, b| a.ends_with(b)),
        "$has" => v.as_array().is_some_and(|items| {
            items
                .iter()
                .any(|i| compare(i, operand, cs) == Some(Ordering::Equal))
        }),
        other => return Err(format!("'{other}' is not a valid filter operator")),
    })
}

/// A parsed `filterExpression`.
enum Expr {
    Cond(usize),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

fn parse_expression(s: &str, n: usize) -> Result<Expr, String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("and") || t.eq_ignore_ascii_case("or") {
        let and = t.eq_ignore_ascii_case("and");
        let mut e = Expr::Cond(1);
        for i in 2..=n {
            e = if and {
                Expr::And(Box::new(e), Box::new(Expr::Cond(i)))
            } else {
                Expr::Or(Box::new(e), Box::new(Expr::Cond(i)))
            };
        }
        return Ok(e);
    }
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<String> = spaced.split_whitespace().map(str::to_lowercase).collect();
    let mut pos = 0;
    let e = parse_or(&tokens, &mut pos, n)?;
    if pos != tokens.len() {
        return Err(format!("unexpected '{}'", tokens[pos]));
    }
    Ok(e)
}

fn parse_or(t: &[String], pos: &mut usize, n: usize) -> Result<Expr, String> {
    let mut e = parse_and(t, pos, n)?;
    while t.get(*pos).is_some_and(|x| x == "or") {
        *pos += 1;
        e = Expr::Or(Box::new(e), Box::new(parse_and(t, pos, n)?));
    }
    Ok(e)
}

fn parse_and(t: &[String], pos: &mut usize, n: usize) -> Result<Expr, String> {
    let mut e = parse_atom(t, pos, n)?;
    while t.get(*pos).is_some_and(|x| x == "and") {
        *pos += 1;
        e = Expr::And(Box::new(e), Box::new(parse_atom(t, pos, n)?));
    }
    Ok(e)
}

fn parse_atom(t: &[String], pos: &mut usize, n: usize) -> Result<Expr, String> {
    let tok = t.get(*pos).ok_or("the expression ends too early")?;
    *pos += 1;
    if tok == "(" {
        let e = parse_or(t, pos, n)?;
        if t.get(*pos).map(String::as_str) != Some(")") {
            return Err("missing ')'".into());
        }
        *pos += 1;
        return Ok(e);
    }
    match tok.parse::<usize>() {
        Ok(k) if (1..=n).contains(&k) => Ok(Expr::Cond(k)),
        _ => Err(format!(
            "'{tok}' is not a condition number between 1 and {n}"
        )),
    }
}

fn eval(e: &Expr, results: &[bool]) -> bool {
    match e {
        Expr::Cond(k) => results[k - 1],
        Expr::And(a, b) => eval(a, results) && eval(b, results),
        Expr::Or(a, b) => eval(a, results) || eval(b, results),
    }
}

fn query_error(message: String, target: &str) -> ResponseTemplate {
    ia_error(
        400,
        "invalidRequest",
        "Payload contains errors",
        "REST-1064",
        vec![detail("invalidRequest", message, "REST-1043", target)],
    )
}

fn query(st: &State, body: &Value) -> ResponseTemplate {
    let Some(obj) = body.as_object() else {
        return payload_required("POST");
    };
    for k in obj.keys() {
        if !matches!(
            k.as_str(),
            "object"
                | "fields"
                | "filters"
                | "filterExpression"
                | "filterParameters"
                | "orderBy"
                | "start"
                | "size"
        ) {
            return query_error(format!("/{k} is not a valid field"), &format!("/{k}"));
        }
    }
    let object = obj.get("object").and_then(Value::as_str).unwrap_or("");
    let Some(records) = object
        .strip_prefix("company-config/")
        .and_then(|o| st.objects.get(o))
    else {
        return query_error(format!("'{object}' is not a valid object"), "/object");
    };
    let params = obj.get("filterParameters").cloned().unwrap_or(json!({}));
    let cs = params
        .get("caseSensitiveComparison")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let known = |field: &str| {
        records.is_empty() || records.iter().any(|r| at(r, field).is_some()) || field == "href"
    };
    let fields: Vec<String> = match obj.get("fields").and_then(Value::as_array) {
        Some(f) if !f.is_empty() => f
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec!["key".into(), "id".into(), "href".into()],
    };
    for (i, f) in fields.iter().enumerate() {
        if f.starts_with('$') || !known(f) {
            return query_error(
                format!("{f} is not a valid field of {object}"),
                &format!("/fields/{i}"),
            );
        }
    }
    let mut conditions = Vec::new();
    for (i, f) in obj
        .get("filters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let Some((op, spec)) = f
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next())
        else {
            return query_error(
                "each filter needs exactly one operator".into(),
                &format!("/filters/{i}"),
            );
        };
        let Some((field, operand)) = spec
            .as_object()
            .filter(|m| m.len() == 1)
            .and_then(|m| m.iter().next())
        else {
            return query_error(
                format!("{op} needs exactly one field"),
                &format!("/filters/{i}/{op}"),
            );
        };
        if !known(field) {
            return query_error(
                format!("{field} is not a valid field of {object}"),
                &format!("/filters/{i}/{op}/{field}"),
            );
        }
        conditions.push((op.clone(), field.clone(), operand.clone()));
    }
    let expression = match obj.get("filterExpression").and_then(Value::as_str) {
        Some(s) if !conditions.is_empty() => match parse_expression(s, conditions.len()) {
            Ok(e) => Some(e),
            Err(m) => return query_error(m, "/filterExpression"),
        },
        _ => None,
    };
    let start = obj.get("start").and_then(Value::as_u64).unwrap_or(1);
    let size = obj
        .get("size")
        .and_then(Value::as_u64)
        .unwrap_or(PAGE as u64);
    if start == 0 {
        return query_error("start must be at least 1".into(), "/start");
    }
    if size == 0 || size > MAX_SIZE as u64 {
        return query_error(format!("size must be between 1 and {MAX_SIZE}"), "/size");
    }
    let mut matched = Vec::new();
    for r in records {
        let mut results = Vec::with_capacity(conditions.len());
        for (op, field, operand) in &conditions {
            match condition(r, op, field, operand, cs) {
                Ok(b) => results.push(b),
                Err(m) => return query_error(m, "/filters"),
            }
        }
        let keep = match &expression {
            Some(e) => eval(e, &results),
            None => results.iter().all(|b| *b),
        };
        if keep {
            matched.push(r);
        }
    }
    let order: Vec<(String, bool)> = obj
        .get("orderBy")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|o| {
            o.as_object()?
                .iter()
                .next()
                .map(|(f, d)| (f.clone(), d.as_str() == Some("desc")))
        })
        .collect();
    if !order.is_empty() {
        matched.sort_by(|a, b| {
            for (f, desc) in &order {
                let o = compare(
                    at(a, f).unwrap_or(&Value::Null),
                    at(b, f).unwrap_or(&Value::Null),
                    cs,
                )
                .unwrap_or(Ordering::Equal);
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
    }
    // `start` has no maximum: a start far past the end is an empty page, never an overflow.
    let total = matched.len();
    let from = usize::try_from(start - 1).unwrap_or(usize::MAX).min(total);
    let to = from
        .saturating_add(usize::try_from(size).unwrap_or(usize::MAX))
        .min(total);
    let rows: Vec<Value> = matched[from..to]
        .iter()
        .map(|r| {
            Value::Object(
                fields
                    .iter()
                    .map(|f| (f.clone(), at(r, f).cloned().unwrap_or(Value::Null)))
                    .collect(),
            )
        })
        .collect();
    let next = if to < total {
        json!(to + 1)
    } else {
        Value::Null
    };
    let previous = if start > 1 {
        json!(start.saturating_sub(size).max(1))
    } else {
        Value::Null
    };
    json(
        200,
        json!({"ia::result": rows, "ia::meta": {"totalCount": total, "start": start, "pageSize": size, "next": next, "previous": previous}}),
    )
}

fn model(st: &State, request: &Request) -> ResponseTemplate {
    let q = super::query(request);
    let name = q.get("name").cloned().unwrap_or_default();
    let Some(records) = name
        .strip_prefix("company-config/")
        .and_then(|o| st.objects.get(o))
    else {
        let list: Vec<Value> = OBJECTS.iter().map(|o| json!({"apiObject": format!("company-config/{o}"), "type": "object", "href": format!("/services/core/model?name=company-config/{o}")})).collect();
        let list: Vec<Value> = if name.is_empty() { list } else { Vec::new() };
        return json(
            200,
            json!({"ia::result": list, "ia::meta": {"totalCount": list.len()}}),
        );
    };
    let mut fields = Map::new();
    if let Some(first) = records.first().and_then(Value::as_object) {
        for (k, v) in first {
            if k.starts_with('$')
                || v.is_object()
                || v.is_array() && k != "allowedAccessRights" && k != "accessRights"
            {
                continue;
            }
            let t = match v {
                Value::Bool(_) => "boolean",
                Value::Number(_) => "number",
                Value::Array(_) => "array",
                _ => "string",
            };
            fields.insert(k.clone(), json!({"type": t, "readOnly": matches!(k.as_str(), "key" | "href"), "mutable": k != "key", "nullable": v.is_null()}));
        }
    }
    let object = name.trim_start_matches("company-config/");
    let methods: Vec<&str> = ["GET", "POST", "PATCH", "DELETE"]
        .into_iter()
        .filter(|m| allows(object, m))
        .collect();
    json(
        200,
        json!({"ia::result": {"apiObject": name, "type": "object", "fields": fields, "httpMethods": methods.join(","), "idField": "id"}, "ia::meta": {"totalCount": 1}}),
    )
}
