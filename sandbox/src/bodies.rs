//! Refusing request bodies the API would: each JSON request body is checked against its
//! operation's body schema in the spec (required properties, JSON types, `nullable`, `enum`
//! values, the formats `uuid`, `date-time`, `date` and `email`, `items`, bounds and lengths,
//! `additionalProperties: false`, `$ref`, `allOf`, `oneOf` and `anyOf`). The build script
//! writes each operation's schema and the spec's `components/schemas` as JSON text; they are
//! parsed once, on first use.

use permkit_core::Api;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::OnceLock;

mod intacct {
    include!(concat!(env!("OUT_DIR"), "/intacct_bodies.rs"));
}
mod permission_assist {
    include!(concat!(env!("OUT_DIR"), "/permission_assist_bodies.rs"));
}
mod perscom {
    include!(concat!(env!("OUT_DIR"), "/perscom_bodies.rs"));
}

/// One API's parsed table: body schema per `operationId`, and the named schemas.
struct Table {
    bodies: HashMap<&'static str, Value>,
    schemas: Map<String, Value>,
}

fn parse(bodies: &'static [(&'static str, bool, &'static str)], schemas: &str) -> Table {
    Table {
        bodies: bodies
            .iter()
            .filter_map(|(id, _, text)| Some((*id, serde_json::from_str(text).ok()?)))
            .collect(),
        schemas: serde_json::from_str(schemas).unwrap_or_default(),
    }
}

/// The values of the named schema's `enum` in `api`'s spec (`PermissionModule`), in spec order;
/// none for a schema without one.
pub(crate) fn enum_values(api: Api, schema: &str) -> Vec<&'static str> {
    table(api)
        .and_then(|t| t.schemas.get(schema))
        .and_then(|s| s["enum"].as_array())
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn table(api: Api) -> Option<&'static Table> {
    match api {
        Api::Perscom => {
            static T: OnceLock<Table> = OnceLock::new();
            Some(T.get_or_init(|| parse(perscom::BODIES, perscom::SCHEMAS)))
        }
        Api::PermissionAssist => {
            static T: OnceLock<Table> = OnceLock::new();
            Some(T.get_or_init(|| parse(permission_assist::BODIES, permission_assist::SCHEMAS)))
        }
        Api::Intacct => {
            static T: OnceLock<Table> = OnceLock::new();
            Some(T.get_or_init(|| parse(intacct::BODIES, intacct::SCHEMAS)))
        }
        #[allow(unreachable_patterns)]
        _ => None,
    }
}

/// How an API words a problem and names the field it is about.
#[derive(Clone, Copy)]
enum Style {
    /// PERSCOM (Laravel): key `a.0.b`, "The a 0 b field is required."
    Laravel,
    /// Permission Assist: field `a.0.b`, "is required".
    Plain,
    /// Intacct: target `/a/0/b`, "/a/0/b is required".
    Pointer,
}

fn style(api: Api) -> Style {
    match api {
        Api::Perscom => Style::Laravel,
        Api::Intacct => Style::Pointer,
        #[allow(unreachable_patterns)]
        _ => Style::Plain,
    }
}

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq)]
enum Problem {
    Required,
    Type(String),
    Enum,
    Format(String),
    Minimum(f64),
    Maximum(f64),
    MinLength(u64),
    MaxLength(u64),
    MinItems(u64),
    MaxItems(u64),
    NotAllowed,
}

/// One thing wrong with a request body: the field (in the API's spelling), the API's message,
/// and what kind of problem it is (Intacct names each kind with its own `errorId`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Refused {
    pub(crate) field: String,
    pub(crate) message: String,
    problem: Problem,
}

/// The API's answer to a body with `problems`: its status and body. Intacct answers a payload
/// outside the object's schema with `Payload contains errors` (`REST-1064`), each detail
/// `REST-1040` (required), `REST-1043` (not a valid field) or `REST-1050` (a value it does not
/// take); the others answer as they do a bad query.
pub(crate) fn refusal(api: Api, problems: Vec<Refused>) -> (u16, Value) {
    if api == Api::Intacct {
        let details = problems
            .into_iter()
            .map(|r| {
                let id = match r.problem {
                    Problem::Required => "REST-1040",
                    Problem::NotAllowed => "REST-1043",
                    _ => "REST-1050",
                };
                (r.field, r.message, id)
            })
            .collect();
        return (400, super::intacct::invalid_payload_body(details));
    }
    let pairs = problems.into_iter().map(|r| (r.field, r.message)).collect();
    super::validate::refusal(api, pairs)
}

/// What is wrong with the JSON body of a call to `operation`, empty when the spec allows it,
/// when the operation has no JSON body schema, or when the body is not JSON (the API's mock
/// answers that itself).
pub(crate) fn check_body(
    api: Api,
    operation: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> Vec<Refused> {
    let Some(table) = table(api) else {
        return Vec::new();
    };
    let Some(schema) = table.bodies.get(operation) else {
        return Vec::new();
    };
    let json_type = content_type.is_none_or(|t| {
        let t = t.split(';').next().unwrap_or_default().trim();
        t.eq_ignore_ascii_case("application/json") || t.ends_with("+json")
    });
    if !json_type || body.iter().all(u8::is_ascii_whitespace) {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Vec::new();
    };
    let style = style(api);
    let mut checker = Checker {
        schemas: &table.schemas,
        problems: Vec::new(),
        // Laravel's `required` and Sage's both refuse an empty string.
        empty_is_missing: matches!(style, Style::Laravel | Style::Pointer),
    };
    checker.check(schema, &value, &mut Vec::new());
    checker
        .problems
        .into_iter()
        .map(|(path, problem)| {
            let (field, message) = words(style, &path, &problem);
            Refused {
                field,
                message,
                problem,
            }
        })
        .collect()
}

struct Checker<'a> {
    schemas: &'a Map<String, Value>,
    problems: Vec<(Vec<String>, Problem)>,
    /// A required property sent as `""` is missing (the API's `required` refuses it).
    empty_is_missing: bool,
}

/// A schema that allows anything (a `$ref` to a schema the spec lacks).
static ANY: Value = Value::Bool(true);

/// Hops through `$ref`s (and nested `allOf`s) before giving up on a schema that loops.
const MAX_HOPS: usize = 16;

impl Checker<'_> {
    /// `schema` with its `$ref`s followed.
    fn resolve<'s>(&'s self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..MAX_HOPS {
            let Some(r) = schema.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let name = r.rsplit('/').next().unwrap_or_default();
            match self.schemas.get(name) {
                Some(s) => schema = s,
                None => return &ANY,
            }
        }
        schema
    }

    /// `schema` with its `allOf` parts merged into one, every part holding: properties and
    /// `items` a part narrows checked against every part's schema for them, `required`
    /// joined, the tightest bounds and the values every `enum` allows; `nullable` if any part
    /// says so, `additionalProperties: false` if any part says so.
    fn flatten(&self, schema: &Value, depth: usize) -> Map<String, Value> {
        let schema = self.resolve(schema);
        let mut merged = schema.as_object().cloned().unwrap_or_default();
        let Some(parts) = merged.remove("allOf") else {
            return merged;
        };
        if depth >= MAX_HOPS {
            return merged;
        }
        for part in parts.as_array().into_iter().flatten() {
            for (key, value) in self.flatten(part, depth + 1) {
                match key.as_str() {
                    "properties" => {
                        let into = merged
                            .entry("properties")
                            .or_insert_with(|| Value::Object(Map::new()));
                        if let (Some(into), Value::Object(from)) = (into.as_object_mut(), value) {
                            for (k, v) in from {
                                both(into, k, v);
                            }
                        }
                    }
                    "items" => both(&mut merged, key, value),
                    "minimum" | "minLength" | "minItems" => {
                        tightest(&mut merged, key, value, |new, old| new > old);
                    }
                    "maximum" | "maxLength" | "maxItems" => {
                        tightest(&mut merged, key, value, |new, old| new < old);
                    }
                    "enum" => match (merged.get_mut("enum"), value) {
                        (Some(Value::Array(into)), Value::Array(from)) => {
                            into.retain(|v| from.contains(v));
                        }
                        (_, value) => {
                            merged.entry(key).or_insert(value);
                        }
                    },
                    "required" => {
                        let into = merged
                            .entry("required")
                            .or_insert_with(|| Value::Array(Vec::new()));
                        if let (Some(into), Value::Array(from)) = (into.as_array_mut(), value) {
                            into.extend(from);
                        }
                    }
                    "nullable" if value == true => {
                        merged.insert(key, value);
                    }
                    "additionalProperties" if value == false => {
                        merged.insert(key, value);
                    }
                    _ => {
                        merged.entry(key).or_insert(value);
                    }
                }
            }
        }
        merged
    }

    fn check(&mut self, schema: &Value, value: &Value, path: &mut Vec<String>) {
        if path.len() > 64 {
            return;
        }
        let schema = self.flatten(schema, 0);
        if value.is_null() {
            let declared = schema.contains_key("type")
                || schema.contains_key("properties")
                || schema.contains_key("$ref");
            if declared && schema.get("nullable") != Some(&Value::Bool(true)) {
                let kind = schema
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("object");
                self.problems
                    .push((path.clone(), Problem::Type(kind.to_string())));
            }
            return;
        }
        for key in ["oneOf", "anyOf"] {
            let Some(choices) = schema.get(key).and_then(Value::as_array) else {
                continue;
            };
            let mut best: Option<Vec<(Vec<String>, Problem)>> = None;
            for choice in choices {
                let mut inner = Checker {
                    schemas: self.schemas,
                    problems: Vec::new(),
                    empty_is_missing: self.empty_is_missing,
                };
                inner.check(choice, value, path);
                if inner.problems.is_empty() {
                    best = None;
                    break;
                }
                // The closest alternative: one of the value's own type, then the fewest problems.
                let score = |problems: &[(Vec<String>, Problem)]| {
                    let wrong_type = problems
                        .iter()
                        .any(|(p, problem)| p == path && matches!(problem, Problem::Type(_)));
                    (wrong_type, problems.len())
                };
                if best
                    .as_ref()
                    .is_none_or(|b| score(&inner.problems) < score(b))
                {
                    best = Some(inner.problems);
                }
            }
            if let Some(problems) = best {
                self.problems.extend(problems);
                return;
            }
        }
        let kind = schema.get("type").and_then(Value::as_str).or_else(|| {
            (schema.contains_key("properties") || schema.contains_key("required"))
                .then_some("object")
        });
        let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
        if let Some(kind) = kind
            && !has_type(kind, format, value)
        {
            self.problems
                .push((path.clone(), Problem::Type(kind.to_string())));
            return;
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array)
            && !values.contains(value)
        {
            self.problems.push((path.clone(), Problem::Enum));
            return;
        }
        if let Some(problem) = bounds(&schema, value) {
            self.problems.push((path.clone(), problem));
            return;
        }
        match value {
            Value::Object(object) => self.check_object(&schema, object, path),
            Value::Array(items) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        path.push(i.to_string());
                        self.check(item_schema, item, path);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }

    fn check_object(
        &mut self,
        schema: &Map<String, Value>,
        object: &Map<String, Value>,
        path: &mut Vec<String>,
    ) {
        let empty = Map::new();
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let mut missing = Vec::new();
        for name in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
        {
            // A read-only property is the server's to set: a request need not send it.
            let read_only = properties
                .get(name)
                .map(|p| self.flatten(p, 0))
                .is_some_and(|p| p.get("readOnly") == Some(&Value::Bool(true)));
            let absent = match object.get(name) {
                None => true,
                Some(Value::String(s)) => self.empty_is_missing && s.is_empty(),
                Some(_) => false,
            };
            if !read_only && absent && !missing.contains(&name) {
                missing.push(name);
                path.push(name.to_string());
                self.problems.push((path.clone(), Problem::Required));
                path.pop();
            }
        }
        let additional = schema.get("additionalProperties");
        for (name, value) in object {
            if missing.contains(&name.as_str()) {
                continue;
            }
            path.push(name.clone());
            match (properties.get(name), additional) {
                (Some(p), _) => self.check(p, value, path),
                (None, Some(Value::Bool(false))) => {
                    self.problems.push((path.clone(), Problem::NotAllowed));
                }
                (None, Some(extra @ Value::Object(_))) => self.check(extra, value, path),
                (None, _) => {}
            }
            path.pop();
        }
    }
}

/// Sets `key` of `into` to `value`, or, when `into` has another schema there, to both
/// (`allOf`): a later `allOf` part narrowing a property must hold as well as the first.
fn both(into: &mut Map<String, Value>, key: String, value: Value) {
    match into.get_mut(&key) {
        Some(old) if *old != value => {
            let first = old.take();
            *old = serde_json::json!({"allOf": [first, value]});
        }
        Some(_) => {}
        None => {
            into.insert(key, value);
        }
    }
}

/// Sets bound `key` of `into` to `value` when it has none, or when `tighter(value, old)`.
fn tightest(
    into: &mut Map<String, Value>,
    key: String,
    value: Value,
    tighter: fn(f64, f64) -> bool,
) {
    let old = into.get(&key).and_then(Value::as_f64);
    match (old, value.as_f64()) {
        (Some(old), Some(new)) if !tighter(new, old) => {}
        _ => {
            into.insert(key, value);
        }
    }
}

/// `f` as an integer when it is integral and exact (below 2^53 in magnitude): PHP reads a
/// larger one as a float.
pub(crate) fn exact_integer(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then_some(f as i64)
}

/// Whether `value` has the JSON type `kind` (with `format`). An integer has no fraction; an
/// `int64` or `int32` one also fits its bits, and an integral float counts only while it is
/// exact (below 2^53): past that PHP reads it as a float, and the mock would write it back as
/// one.
fn has_type(kind: &str, format: &str, value: &Value) -> bool {
    if kind == "integer" && matches!(format, "int64" | "int32") {
        let n = value
            .as_i64()
            .or_else(|| value.as_f64().and_then(exact_integer));
        return n.is_some_and(|n| format == "int64" || i32::try_from(n).is_ok());
    }
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => true,
    }
}

/// What is wrong with `value` against the schema's format, bounds and lengths.
fn bounds(schema: &Map<String, Value>, value: &Value) -> Option<Problem> {
    let number = |k: &str| schema.get(k).and_then(Value::as_f64);
    let count = |k: &str| schema.get(k).and_then(Value::as_u64);
    match value {
        Value::Number(n) => {
            let n = n.as_f64()?;
            if let Some(min) = number("minimum").filter(|m| n < *m) {
                return Some(Problem::Minimum(min));
            }
            if let Some(max) = number("maximum").filter(|m| n > *m) {
                return Some(Problem::Maximum(max));
            }
        }
        Value::String(s) => {
            let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
            if !format_ok(format, s) {
                return Some(Problem::Format(format.to_string()));
            }
            let len = s.chars().count() as u64;
            if let Some(min) = count("minLength").filter(|m| len < *m) {
                return Some(Problem::MinLength(min));
            }
            if let Some(max) = count("maxLength").filter(|m| len > *m) {
                return Some(Problem::MaxLength(max));
            }
        }
        Value::Array(items) => {
            let len = items.len() as u64;
            if let Some(min) = count("minItems").filter(|m| len < *m) {
                return Some(Problem::MinItems(min));
            }
            if let Some(max) = count("maxItems").filter(|m| len > *m) {
                return Some(Problem::MaxItems(max));
            }
        }
        _ => {}
    }
    None
}

/// Whether `s` is well formed for `format` (formats the sandbox does not check pass).
fn format_ok(format: &str, s: &str) -> bool {
    match format {
        "uuid" => uuid::Uuid::parse_str(s).is_ok(),
        "date-time" => chrono::DateTime::parse_from_rfc3339(s).is_ok(),
        "date" => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
        "email" => s.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !s.contains(char::is_whitespace)
                && !domain.contains('@')
        }),
        _ => true,
    }
}

/// The (field, message) the API would give for `problem` at `path`.
fn words(style: Style, path: &[String], problem: &Problem) -> (String, String) {
    let field = match style {
        Style::Pointer => format!("/{}", path.join("/")),
        _ if path.is_empty() => "body".to_string(),
        _ => path.join("."),
    };
    let message = match style {
        Style::Laravel => laravel(&field.replace(['_', '.'], " "), problem),
        Style::Plain => plain(problem),
        Style::Pointer => format!("{field} {}", plain(problem)),
    };
    (field, message)
}

fn type_name(kind: &str) -> &str {
    match kind {
        "integer" => "an integer",
        "number" => "a number",
        "boolean" => "a boolean",
        "array" => "an array",
        "object" => "an object",
        _ => "a string",
    }
}

/// Laravel's validation messages, as PERSCOM gives them.
fn laravel(f: &str, problem: &Problem) -> String {
    match problem {
        Problem::Required => format!("The {f} field is required."),
        Problem::Type(kind) if kind == "boolean" => format!("The {f} field must be true or false."),
        Problem::Type(kind) => format!("The {f} field must be {}.", type_name(kind)),
        Problem::Enum => format!("The selected {f} is invalid."),
        Problem::Format(format) => match format.as_str() {
            "uuid" => format!("The {f} field must be a valid UUID."),
            "email" => format!("The {f} field must be a valid email address."),
            _ => format!("The {f} field must be a valid date."),
        },
        Problem::Minimum(n) => format!("The {f} field must be at least {n}."),
        Problem::Maximum(n) => format!("The {f} field must not be greater than {n}."),
        Problem::MinLength(n) => format!("The {f} field must be at least {n} characters."),
        Problem::MaxLength(n) => {
            format!("The {f} field must not be greater than {n} characters.")
        }
        Problem::MinItems(n) => format!("The {f} field must have at least {n} items."),
        Problem::MaxItems(n) => format!("The {f} field must not have more than {n} items."),
        Problem::NotAllowed => format!("The {f} field is prohibited."),
    }
}

/// Short messages, for an API that names the field beside them.
fn plain(problem: &Problem) -> String {
    match problem {
        Problem::Required => "is required".into(),
        Problem::Type(kind) => format!("must be {}", type_name(kind)),
        Problem::Enum => "is not one of the allowed values".into(),
        Problem::Format(format) => match format.as_str() {
            "uuid" => "must be a valid UUID".into(),
            "email" => "must be a valid email address".into(),
            "date" => "must be an ISO 8601 date".into(),
            _ => "must be an ISO 8601 date-time".into(),
        },
        Problem::Minimum(n) => format!("must be at least {n}"),
        Problem::Maximum(n) => format!("must be at most {n}"),
        Problem::MinLength(n) => format!("must be at least {n} characters"),
        Problem::MaxLength(n) => format!("must be at most {n} characters"),
        Problem::MinItems(n) => format!("must have at least {n} items"),
        Problem::MaxItems(n) => format!("must have at most {n} items"),
        Problem::NotAllowed => "is not a valid field".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(schema: Value, schemas: Value, value: Value) -> Vec<(Vec<String>, Problem)> {
        let schemas = schemas.as_object().cloned().unwrap_or_default();
        let mut checker = Checker {
            schemas: &schemas,
            problems: Vec::new(),
            empty_is_missing: true,
        };
        checker.check(&schema, &value, &mut Vec::new());
        checker.problems
    }

    #[test]
    fn refs_all_of_and_nullable() {
        let schemas = json!({
            "Base": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Unit": {"allOf": [{"$ref": "#/components/schemas/Base"},
                {"properties": {"id": {"type": "integer", "readOnly": true}, "when": {"type": "string", "format": "date-time", "nullable": true}}, "required": ["id"]}]}
        });
        let schema = json!({"$ref": "#/components/schemas/Unit"});
        assert!(
            check(
                schema.clone(),
                schemas.clone(),
                json!({"name": "A", "when": null, "x": 1})
            )
            .is_empty()
        );
        assert_eq!(
            check(
                schema.clone(),
                schemas.clone(),
                json!({"when": "yesterday"})
            ),
            [
                (vec!["name".to_string()], Problem::Required),
                (
                    vec!["when".to_string()],
                    Problem::Format("date-time".into())
                )
            ]
        );
        assert_eq!(
            check(schema, schemas, json!({"name": null})),
            [(vec!["name".to_string()], Problem::Type("string".into()))]
        );
    }

    #[test]
    fn one_of_items_and_closed_objects() {
        let schema = json!({"type": "array", "items": {"oneOf": [
            {"type": "string", "enum": ["a", "b"]},
            {"type": "object", "additionalProperties": false, "properties": {"k": {"type": "integer", "maximum": 3}}}
        ]}});
        assert!(check(schema.clone(), json!({}), json!(["a", {"k": 3}])).is_empty());
        assert_eq!(
            check(schema.clone(), json!({}), json!(["c"])),
            [(vec!["0".to_string()], Problem::Enum)]
        );
        assert_eq!(
            check(schema, json!({}), json!([{"k": 2, "j": 1}])),
            [(vec!["0".to_string(), "j".to_string()], Problem::NotAllowed)]
        );
    }

    #[test]
    fn later_all_of_parts_narrow() {
        let schemas = json!({
            "Scope": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Search": {"type": "object", "properties": {"scopes": {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}}}},
            "UnitScope": {"allOf": [{"$ref": "#/components/schemas/Scope"},
                {"type": "object", "properties": {"name": {"type": "string", "enum": ["hidden", "visible"]}}}]},
            "UnitSearch": {"allOf": [{"$ref": "#/components/schemas/Search"},
                {"type": "object", "properties": {"scopes": {"type": "array", "items": {"$ref": "#/components/schemas/UnitScope"}}}}]},
            "Unscoped": {"allOf": [{"$ref": "#/components/schemas/Search"},
                {"type": "object", "properties": {"scopes": {"type": "array", "maxItems": 0}}}]}
        });
        let units = json!({"$ref": "#/components/schemas/UnitSearch"});
        assert!(
            check(
                units.clone(),
                schemas.clone(),
                json!({"scopes": [{"name": "hidden"}]})
            )
            .is_empty()
        );
        assert_eq!(
            check(
                units.clone(),
                schemas.clone(),
                json!({"scopes": [{"name": "tags"}]})
            ),
            [(
                vec!["scopes".to_string(), "0".to_string(), "name".to_string()],
                Problem::Enum
            )]
        );
        assert_eq!(
            check(units, schemas.clone(), json!({"scopes": [{}]})),
            [(
                vec!["scopes".to_string(), "0".to_string(), "name".to_string()],
                Problem::Required
            )]
        );
        assert_eq!(
            check(
                json!({"$ref": "#/components/schemas/Unscoped"}),
                schemas,
                json!({"scopes": [{"name": "hidden"}]})
            ),
            [(vec!["scopes".to_string()], Problem::MaxItems(0))]
        );
    }

    #[test]
    fn integers_fit_in_64_bits() {
        let schema = json!({"type": "integer", "format": "int64"});
        assert!(
            check(
                schema.clone(),
                json!({}),
                json!(-9_223_372_036_854_775_808_i64)
            )
            .is_empty()
        );
        assert!(check(schema.clone(), json!({}), json!(5.0)).is_empty());
        for bad in [
            json!(5.5),
            json!(-1.4e21),
            json!(-9.223372036854776e18),
            json!(u64::MAX),
        ] {
            assert_eq!(
                check(schema.clone(), json!({}), bad),
                [(vec![], Problem::Type("integer".into()))]
            );
        }
        // Without a format, any integral value.
        assert!(check(json!({"type": "integer"}), json!({}), json!(u64::MAX)).is_empty());
        assert_eq!(
            check(json!({"type": "integer"}), json!({}), json!(0.5)),
            [(vec![], Problem::Type("integer".into()))]
        );
    }

    #[test]
    fn each_api_words_it_its_way() {
        let path = ["user_id".to_string()];
        assert_eq!(
            words(Style::Laravel, &path, &Problem::Required).1,
            "The user id field is required."
        );
        assert_eq!(
            words(Style::Pointer, &path, &Problem::Required),
            ("/user_id".to_string(), "/user_id is required".to_string())
        );
        assert_eq!(
            words(Style::Plain, &path, &Problem::Format("uuid".into())),
            ("user_id".to_string(), "must be a valid UUID".to_string())
        );
    }
}
