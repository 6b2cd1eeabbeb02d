//! The adaptation step: fits a faithful vendor OpenAPI document to what progenitor 0.15.1 can
//! generate, in one place. It works on the document as JSON so that every complaint can name the
//! JSON pointer it is about.
//!
//! The steps are a table ([`STEPS`]), run in order. Each one is small and unit-tested in
//! `tests/adapt.rs`, which includes this file.
//!
//! | step | why |
//! |---|---|
//! | `check_version` | progenitor takes OpenAPI 3.0.x only |
//! | `check_operation_ids` | every operation needs a unique `operationId` |
//! | `narrowed_to_base` | a component that only narrows another ([`narrowed_base`]: PERSCOM's per-resource search bodies, whose `scopes` name the resource's exposed scopes) is replaced by the one it narrows, so every use shares one Rust type |
//! | `fix_base_path` | a leading path parameter with one value per client (PERSCOM `/{version}`) moves into the base URL; paths outside it are set aside |
//! | `join_unexploded_arrays` | progenitor sends every query array exploded (`a=1&a=2`): an `explode: false` array (`a=1,2`) becomes a string the caller joins with commas |
//! | `set_aside_multipart` | a `multipart/form-data` body fails generation of the whole spec: the hand layer owns those operations |
//! | `set_aside_hand_written` | operations the hand layer serves under the same name ([`HAND_WRITTEN`]: Intacct's `query`) are not generated |
//! | `reduce_error_responses` | one error type per operation; every 4xx/5xx becomes a raw body our decoder reads |
//! | `reduce_success_responses` | one success type per operation (200 + 204 panics the generator) |
//! | `open_enums` | string enums become named components replaced by open Rust enums (unknown values decode) |
//! | `int_enums` | integer-coded enum components become named open Rust enums: variant names from `x-enum-varnames`, else from a description of the form `0 Promotion, 1 Demotion`, else `Value0`...; unknown numbers decode |
//! | `converted_formats` | string formats with a type of ours ([`CONVERSIONS`]: date-times with or without an offset, redacted passwords) are normalised so the generator's conversion matches |
//! | `open_objects` | `additionalProperties: false` is dropped, so responses with new fields decode |
//! | `find_lists` | list operations are found, for the generated `.stream()` glue |

use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A complaint about a spec: where (a JSON pointer) and what.
#[derive(Debug, Clone, PartialEq)]
pub struct SpecError {
    /// RFC 6901 pointer into the document.
    pub pointer: String,
    /// What is wrong there.
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at {}: {}", self.pointer, self.message)
    }
}

fn err(pointer: impl Into<String>, message: impl Into<String>) -> SpecError {
    SpecError {
        pointer: pointer.into(),
        message: message.into(),
    }
}

/// How list operations of one API are recognised.
#[derive(Debug, Clone)]
pub struct ListRule {
    /// The query parameter that selects a page or an offset (`page`, `start`).
    pub page_param: &'static str,
    /// The array property of the success body that holds the items (`items`, `data`).
    pub items_field: &'static str,
}

/// What the adaptation step was told about one API.
#[derive(Debug, Clone)]
pub struct Config {
    /// How list operations look.
    pub list_rule: ListRule,
    /// A leading path segment the client fixes in its base URL (PERSCOM's `/{version}`): it is
    /// cut from every path and its parameter dropped; paths outside it are set aside.
    pub base_path: Option<&'static str>,
}

/// An operation the generator cannot take, left to the hand-written layer.
#[derive(Debug, Clone, PartialEq)]
pub struct SetAside {
    pub operation_id: String,
    pub method: String,
    pub path: String,
    pub reason: String,
}

/// A string enum to be emitted as an open Rust enum.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenEnum {
    /// Component (and Rust type) name.
    pub name: String,
    /// The vendor's spellings, in spec order.
    pub values: Vec<String>,
    /// The schema's description, if any.
    pub description: Option<String>,
}

/// An integer-coded enum (`type: integer` + `enum`) to be emitted as a named open Rust enum.
#[derive(Debug, Clone, PartialEq)]
pub struct IntEnum {
    /// Component (and Rust type) name.
    pub name: String,
    /// `(value, variant name)`, in spec order.
    pub values: Vec<(i64, String)>,
    /// The schema's description, if any.
    pub description: Option<String>,
}

/// A list operation: its builder gets `.stream()` and `.pages()`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListOp {
    pub operation_id: String,
    /// Component name of the success body.
    pub envelope: String,
    /// Component name of one item.
    pub item: String,
}

/// The outcome of the adaptation step.
#[derive(Debug, Default)]
pub struct Adapted {
    pub spec: Value,
    pub set_aside: Vec<SetAside>,
    pub enums: Vec<OpenEnum>,
    pub int_enums: Vec<IntEnum>,
    pub lists: Vec<ListOp>,
}

/// Working state shared by the steps.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub out: Adapted,
}

/// One adaptation step.
pub struct Step {
    pub name: &'static str,
    pub run: fn(&mut Ctx<'_>) -> Result<(), SpecError>,
}

/// The steps, in the order they run.
pub const STEPS: &[Step] = &[
    Step {
        name: "check_version",
        run: check_version,
    },
    Step {
        name: "check_operation_ids",
        run: check_operation_ids,
    },
    Step {
        name: "narrowed_to_base",
        run: narrowed_to_base,
    },
    Step {
        name: "fix_base_path",
        run: fix_base_path,
    },
    Step {
        name: "join_unexploded_arrays",
        run: join_unexploded_arrays,
    },
    Step {
        name: "set_aside_multipart",
        run: set_aside_multipart,
    },
    Step {
        name: "set_aside_hand_written",
        run: set_aside_hand_written,
    },
    Step {
        name: "reduce_error_responses",
        run: reduce_error_responses,
    },
    Step {
        name: "reduce_success_responses",
        run: reduce_success_responses,
    },
    Step {
        name: "open_enums",
        run: open_enums,
    },
    Step {
        name: "int_enums",
        run: int_enums,
    },
    Step {
        name: "converted_formats",
        run: converted_formats,
    },
    Step {
        name: "open_objects",
        run: open_objects,
    },
    Step {
        name: "find_lists",
        run: find_lists,
    },
];

/// Name of the component every error response is reduced to.
pub const RAW_ERROR: &str = "PermkitRawError";

pub use crate::spec::{METHODS, escape, operations};

/// Runs every step over `spec`.
pub fn adapt(spec: Value, config: &Config) -> Result<Adapted, SpecError> {
    let mut ctx = Ctx {
        config,
        out: Adapted {
            spec,
            ..Adapted::default()
        },
    };
    for step in STEPS {
        (step.run)(&mut ctx)
            .map_err(|e| err(e.pointer, format!("{} ({})", e.message, step.name)))?;
    }
    Ok(ctx.out)
}

fn check_version(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    match ctx.out.spec.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Ok(()),
        Some(v) => Err(err(
            "/openapi",
            format!("OpenAPI {v} is not supported; the generator takes 3.0.x"),
        )),
        None => Err(err("/openapi", "missing the `openapi` version field")),
    }
}

fn check_operation_ids(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (ptr, _, _) in operations(&ctx.out.spec) {
        let op = ctx.out.spec.pointer(&ptr).unwrap_or(&Value::Null);
        let Some(id) = op.get("operationId").and_then(Value::as_str) else {
            return Err(err(ptr, "operation has no operationId"));
        };
        if let Some(first) = seen.insert(id.to_string(), ptr.clone()) {
            return Err(err(
                ptr,
                format!("operationId `{id}` is used again (first at {first})"),
            ));
        }
    }
    Ok(())
}

/// Follows a local `$ref` (one level is enough for request bodies and responses).
fn resolve<'v>(spec: &'v Value, v: &'v Value) -> &'v Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) if r.starts_with('#') => spec.pointer(&r[1..]).unwrap_or(v),
        _ => v,
    }
}

/// The component `schema` narrows, if it only narrows one: `allOf` of exactly a `$ref` to a
/// component with `properties` and one object schema that gives tighter schemas for some of
/// those properties (`properties`, and `type: object`, `description`, nothing else: no new
/// property, no `required`, no `additionalProperties`). Such a schema accepts a subset of what
/// the base accepts and has the same shape, so the generated code can use the base's type.
pub fn narrowed_base(spec: &Value, schema: &Value) -> Option<String> {
    let obj = schema.as_object()?;
    if obj
        .keys()
        .any(|k| !matches!(k.as_str(), "allOf" | "description" | "title"))
    {
        return None;
    }
    let [base, narrowing] = obj.get("allOf")?.as_array()?.as_slice() else {
        return None;
    };
    let base_name = base
        .as_object()
        .filter(|b| b.len() == 1)?
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/schemas/")?
        .replace("~1", "/")
        .replace("~0", "~");
    let base_props = spec
        .pointer(&format!(
            "/components/schemas/{}/properties",
            escape(&base_name)
        ))?
        .as_object()?;
    let narrowing = narrowing.as_object()?;
    let shape_ok = narrowing.iter().all(|(k, v)| match k.as_str() {
        "type" => v == "object",
        "description" | "title" => true,
        "properties" => v
            .as_object()
            .is_some_and(|p| p.keys().all(|name| base_props.contains_key(name))),
        _ => false,
    });
    (shape_ok && narrowing.contains_key("properties")).then_some(base_name)
}

/// Replaces every component that only narrows another ([`narrowed_base`]) by the one it
/// narrows: each `$ref` to it points to the base (through chains of narrowings) and the
/// component is dropped. The spec keeps the tighter schemas for validators and mock servers;
/// the generated code has one type.
fn narrowed_to_base(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let Some(schemas) = ctx
        .out
        .spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    let mut narrowed: BTreeMap<String, String> = schemas
        .iter()
        .filter_map(|(name, s)| Some((name.clone(), narrowed_base(&ctx.out.spec, s)?)))
        .collect();
    if narrowed.is_empty() {
        return Ok(());
    }
    // A narrowing of a narrowing points to the first component that narrows nothing.
    let names: Vec<String> = narrowed.keys().cloned().collect();
    for name in names {
        let mut base = narrowed[&name].clone();
        let mut hops = 0;
        while let Some(next) = narrowed.get(&base) {
            base = next.clone();
            hops += 1;
            if hops > narrowed.len() {
                return Err(err(
                    format!("/components/schemas/{}", escape(&name)),
                    "the schemas narrow each other in a cycle",
                ));
            }
        }
        narrowed.insert(name, base);
    }
    fn retarget(v: &mut Value, narrowed: &BTreeMap<String, String>) {
        match v {
            Value::Object(obj) => {
                if let Some(Value::String(r)) = obj.get_mut("$ref")
                    && let Some(base) = r
                        .strip_prefix("#/components/schemas/")
                        .and_then(|n| narrowed.get(&n.replace("~1", "/").replace("~0", "~")))
                {
                    *r = format!("#/components/schemas/{}", escape(base));
                }
                obj.values_mut().for_each(|c| retarget(c, narrowed));
            }
            Value::Array(a) => a.iter_mut().for_each(|c| retarget(c, narrowed)),
            _ => {}
        }
    }
    let schemas = schemas_mut(&mut ctx.out.spec);
    for name in narrowed.keys() {
        schemas.remove(name);
    }
    retarget(&mut ctx.out.spec, &narrowed);
    Ok(())
}

fn set_aside_multipart(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    for (ptr, path, method) in operations(&ctx.out.spec) {
        let op = ctx.out.spec.pointer(&ptr).cloned().unwrap_or(Value::Null);
        let Some(body) = op.get("requestBody") else {
            continue;
        };
        let body = resolve(&ctx.out.spec, body);
        let multipart = body
            .get("content")
            .and_then(Value::as_object)
            .is_some_and(|c| c.keys().any(|k| k.starts_with("multipart/")));
        if multipart {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            remove_pointer(&mut ctx.out.spec, &ptr);
            ctx.out.set_aside.push(SetAside {
                operation_id: id,
                method: method.to_uppercase(),
                path,
                reason: "multipart/form-data request body".into(),
            });
        }
    }
    // A path item left with no operation is dropped too.
    if let Some(paths) = ctx.out.spec.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|_, item| {
            item.as_object()
                .is_none_or(|o| o.keys().any(|k| METHODS.contains(&k.as_str())))
        });
    }
    Ok(())
}

/// Operations the hand-written layer serves as a method of the same name, although the
/// generator could take them: `(method, path, why)`.
pub const HAND_WRITTEN: &[(&str, &str, &str)] = &[(
    "post",
    "/services/core/query",
    "served by the hand-written `intacct::Client::query` (generated operand types hold numbers as f64)",
)];

/// Takes the [`HAND_WRITTEN`] operations out of the spec, so that the generated client has no
/// method of their name.
fn set_aside_hand_written(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    for (ptr, path, method) in operations(&ctx.out.spec) {
        let Some((_, _, why)) = HAND_WRITTEN
            .iter()
            .find(|(m, p, _)| *m == method && *p == path)
        else {
            continue;
        };
        let id = ctx
            .out
            .spec
            .pointer(&format!("{ptr}/operationId"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        remove_pointer(&mut ctx.out.spec, &ptr);
        ctx.out.set_aside.push(SetAside {
            operation_id: id,
            method: method.to_uppercase(),
            path,
            reason: (*why).into(),
        });
    }
    // A path item left with no operation is dropped too.
    if let Some(paths) = ctx.out.spec.get_mut("paths").and_then(Value::as_object_mut) {
        paths.retain(|_, item| {
            item.as_object()
                .is_none_or(|o| o.keys().any(|k| METHODS.contains(&k.as_str())))
        });
    }
    Ok(())
}

/// Query parameters that are arrays with `explode: false` (one comma-separated value on the
/// wire) become strings: progenitor would send them exploded. Works on parameter components
/// and on inline parameters alike.
fn join_unexploded_arrays(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    fn fix(p: &mut Value) {
        let unexploded = p.get("in").and_then(Value::as_str) == Some("query")
            && p.get("explode").and_then(Value::as_bool) == Some(false)
            && p.pointer("/schema/type").and_then(Value::as_str) == Some("array");
        if unexploded && let Some(obj) = p.as_object_mut() {
            obj.remove("explode");
            obj.remove("style");
            obj.insert(
                "schema".into(),
                json!({"type": "string", "description": "Comma-separated values."}),
            );
        }
    }
    if let Some(params) = ctx
        .out
        .spec
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        params.values_mut().for_each(fix);
    }
    for (ptr, path, _) in operations(&ctx.out.spec) {
        for p in [
            format!("{ptr}/parameters"),
            format!("/paths/{}/parameters", escape(&path)),
        ] {
            if let Some(a) = ctx.out.spec.pointer_mut(&p).and_then(Value::as_array_mut) {
                a.iter_mut().for_each(fix);
            }
        }
    }
    Ok(())
}

/// Cuts `config.base_path` (a segment such as `/{version}`) from every path and drops its path
/// parameter: the client's base URL carries it. Paths outside it are set aside.
fn fix_base_path(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let Some(prefix) = ctx.config.base_path else {
        return Ok(());
    };
    let param = prefix
        .trim_start_matches('/')
        .trim_start_matches('{')
        .trim_end_matches('}')
        .to_string();
    let spec_copy = ctx.out.spec.clone();
    let is_param = |p: &Value| {
        let p = resolve(&spec_copy, p);
        p.get("in").and_then(Value::as_str) == Some("path")
            && p.get("name").and_then(Value::as_str) == Some(param.as_str())
    };
    let Some(paths) = ctx.out.spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    let mut fixed = Map::new();
    for (path, mut item) in std::mem::take(paths) {
        let Some(rest) = path.strip_prefix(prefix).filter(|r| r.starts_with('/')) else {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    ctx.out.set_aside.push(SetAside {
                        operation_id: op
                            .get("operationId")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        method: method.to_uppercase(),
                        path: path.clone(),
                        reason: format!("outside the base path `{prefix}`"),
                    });
                }
            }
            continue;
        };
        if let Some(obj) = item.as_object_mut() {
            for (key, v) in obj.iter_mut() {
                if key == "parameters" {
                    if let Some(a) = v.as_array_mut() {
                        a.retain(|p| !is_param(p));
                    }
                } else if let Some(a) = v.get_mut("parameters").and_then(Value::as_array_mut) {
                    a.retain(|p| !is_param(p));
                }
            }
        }
        fixed.insert(rest.to_string(), item);
    }
    *paths = fixed;
    Ok(())
}

fn remove_pointer(spec: &mut Value, ptr: &str) {
    let (parent, last) = ptr.rsplit_once('/').unwrap_or(("", ptr));
    let last = last.replace("~1", "/").replace("~0", "~");
    if let Some(obj) = spec.pointer_mut(parent).and_then(Value::as_object_mut) {
        obj.remove(&last);
    }
}

fn is_error_status(code: &str) -> bool {
    code == "default" || code.starts_with('4') || code.starts_with('5')
}

fn reduce_error_responses(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let raw = json!({
        "description": "Any error. permkit reads the status, headers and raw body and decodes the vendor's error shape itself.",
        "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{RAW_ERROR}")}}}
    });
    for (ptr, _, _) in operations(&ctx.out.spec) {
        let responses_ptr = format!("{ptr}/responses");
        let Some(responses) = ctx
            .out
            .spec
            .pointer_mut(&responses_ptr)
            .and_then(Value::as_object_mut)
        else {
            return Err(err(responses_ptr, "operation has no responses"));
        };
        responses.retain(|code, _| !is_error_status(code));
        responses.insert(
            "4XX".into(),
            json!({"$ref": format!("#/components/responses/{RAW_ERROR}")}),
        );
        responses.insert(
            "5XX".into(),
            json!({"$ref": format!("#/components/responses/{RAW_ERROR}")}),
        );
    }
    components_mut(&mut ctx.out.spec, "responses").insert(RAW_ERROR.into(), raw);
    schemas_mut(&mut ctx.out.spec).insert(
        RAW_ERROR.into(),
        json!({"description": "Replaced by permkit's raw error body.", "type": "object"}),
    );
    Ok(())
}

/// `/components/<section>`, created when missing.
fn components_mut<'v>(spec: &'v mut Value, section: &str) -> &'v mut Map<String, Value> {
    let root = spec.as_object_mut().expect("the document is an object");
    let components = root.entry("components").or_insert_with(|| json!({}));
    if !components.is_object() {
        *components = json!({});
    }
    let entry = components
        .as_object_mut()
        .expect("object")
        .entry(section.to_string())
        .or_insert_with(|| json!({}));
    if !entry.is_object() {
        *entry = json!({});
    }
    entry.as_object_mut().expect("object")
}

fn schemas_mut(spec: &mut Value) -> &mut Map<String, Value> {
    components_mut(spec, "schemas")
}

/// The schema of a response's JSON body, if it has one (after one `$ref`).
fn body_schema(spec: &Value, response: &Value) -> Option<Value> {
    let response = resolve(spec, response);
    let content = response.get("content")?.as_object()?;
    content
        .iter()
        .find(|(k, _)| k.contains("json"))
        .or_else(|| content.iter().next())
        .and_then(|(_, m)| m.get("schema").cloned())
}

fn reduce_success_responses(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    for (ptr, _, _) in operations(&ctx.out.spec) {
        let responses_ptr = format!("{ptr}/responses");
        let responses = ctx
            .out
            .spec
            .pointer(&responses_ptr)
            .cloned()
            .unwrap_or(Value::Null);
        let Some(responses) = responses.as_object() else {
            continue;
        };
        let success: Vec<(&String, Option<Value>)> = responses
            .iter()
            .filter(|(code, _)| !is_error_status(code))
            .map(|(code, r)| (code, body_schema(&ctx.out.spec, r)))
            .collect();
        let with_body: Vec<&(&String, Option<Value>)> =
            success.iter().filter(|(_, s)| s.is_some()).collect();
        let Some((keep_code, keep_schema)) =
            with_body.first().map(|(c, s)| ((*c).clone(), s.clone()))
        else {
            continue;
        };
        // Every other success response with a different (or no) body is dropped: one success type.
        let drop: Vec<String> = success
            .iter()
            .filter(|(code, schema)| **code != keep_code && *schema != keep_schema)
            .map(|(code, _)| (*code).clone())
            .collect();
        if let Some(obj) = ctx
            .out
            .spec
            .pointer_mut(&responses_ptr)
            .and_then(Value::as_object_mut)
        {
            for code in drop {
                obj.remove(&code);
            }
        }
    }
    Ok(())
}

/// Rust type name in the style typify gives a component name.
pub fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = !cur.is_empty()
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase()
                || chars[i - 1].is_ascii_digit()
                || chars.get(i + 1).is_some_and(|n| n.is_lowercase())
                    && chars[i - 1].is_uppercase());
        if boundary {
            words.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    for w in words {
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.extend(f.to_uppercase());
            out.push_str(&cs.as_str().to_lowercase());
        }
    }
    if out.chars().next().is_some_and(|c| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// Integer-coded enum components: named from `x-enum-varnames`, or from a description that
/// pairs each number with a name (`0 Promotion, 1 Demotion.`), or `Value<n>`.
fn int_enums(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let Some(schemas) = ctx
        .out
        .spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return Ok(());
    };
    for (name, s) in schemas {
        let is_int = s.get("type").and_then(Value::as_str) == Some("integer");
        let Some(values) = s.get("enum").and_then(Value::as_array).filter(|_| is_int) else {
            continue;
        };
        let pointer = format!("/components/schemas/{}/enum", escape(name));
        let numbers: Vec<i64> = values
            .iter()
            .map(|v| {
                v.as_i64()
                    .ok_or_else(|| err(&pointer, "an integer enum value is not an integer"))
            })
            .collect::<Result<_, _>>()?;
        let description = s.get("description").and_then(Value::as_str);
        let given: Option<Vec<String>> = s
            .get("x-enum-varnames")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).map(pascal).collect())
            .filter(|v: &Vec<String>| v.len() == numbers.len());
        let described = description.map(described_names).unwrap_or_default();
        let names = numbers
            .iter()
            .enumerate()
            .map(|(i, n)| {
                given
                    .as_ref()
                    .map(|g| g[i].clone())
                    .or_else(|| described.get(n).cloned())
                    .unwrap_or_else(|| format!("Value{}", n.unsigned_abs()))
            })
            .collect::<Vec<_>>();
        ctx.out.int_enums.push(IntEnum {
            name: pascal(name),
            values: numbers.into_iter().zip(names).collect(),
            description: description.map(str::to_string),
        });
    }
    Ok(())
}

/// `0 Promotion, 1 Demotion, 2 Lateral.` -> {0: Promotion, 1: Demotion, 2: Lateral}.
pub fn described_names(description: &str) -> BTreeMap<i64, String> {
    let mut out = BTreeMap::new();
    for part in description.split([',', ';', '\n']) {
        let part = part.trim().trim_end_matches('.');
        let Some((number, name)) = part.split_once(char::is_whitespace) else {
            continue;
        };
        let name = name.trim().trim_start_matches(['=', ':', '-']).trim();
        if let Ok(n) = number.trim_end_matches([':', '=']).parse::<i64>()
            && !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || c == ' ' || c == '_')
        {
            out.insert(n, pascal(name));
        }
    }
    out
}

fn is_string_enum(s: &Value) -> bool {
    s.get("enum")
        .and_then(Value::as_array)
        .is_some_and(|vals| !vals.is_empty() && vals.iter().all(|v| v.is_string() || v.is_null()))
        && s.get("type")
            .and_then(Value::as_str)
            .is_none_or(|t| t == "string")
}

fn enum_values(s: &Value) -> Vec<String> {
    s["enum"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Visits every schema position under `v` (depth first), giving the pointer and a name hint.
fn walk_schemas(v: &mut Value, ptr: &str, hint: &str, f: &mut dyn FnMut(&mut Value, &str, &str)) {
    f(v, ptr, hint);
    let Some(obj) = v.as_object_mut() else { return };
    for (key, child) in obj.iter_mut() {
        let p = format!("{ptr}/{}", escape(key));
        match key.as_str() {
            "properties" => {
                if let Some(props) = child.as_object_mut() {
                    for (name, s) in props.iter_mut() {
                        walk_schemas(
                            s,
                            &format!("{p}/{}", escape(name)),
                            &format!("{hint}{}", pascal(name)),
                            f,
                        );
                    }
                }
            }
            "items" | "additionalProperties" | "not" => walk_schemas(child, &p, hint, f),
            "allOf" | "anyOf" | "oneOf" => {
                if let Some(arr) = child.as_array_mut() {
                    for (i, s) in arr.iter_mut().enumerate() {
                        walk_schemas(s, &format!("{p}/{i}"), hint, f);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Visits every schema in the document: components, parameters, bodies and responses.
fn for_each_schema(spec: &mut Value, f: &mut dyn FnMut(&mut Value, &str, &str)) {
    let ops = operations(spec);
    if let Some(schemas) = spec
        .pointer_mut("/components/schemas")
        .and_then(Value::as_object_mut)
    {
        for (name, s) in schemas.iter_mut() {
            walk_schemas(
                s,
                &format!("/components/schemas/{}", escape(name)),
                &pascal(name),
                f,
            );
        }
    }
    for section in ["parameters", "requestBodies", "responses"] {
        let base = format!("/components/{section}");
        if let Some(items) = spec.pointer_mut(&base).and_then(Value::as_object_mut) {
            for (name, item) in items.iter_mut() {
                walk_container(item, &format!("{base}/{}", escape(name)), &pascal(name), f);
            }
        }
    }
    for (ptr, _, _) in ops {
        let Some(op) = spec.pointer_mut(&ptr) else {
            continue;
        };
        let hint = pascal(
            op.get("operationId")
                .and_then(Value::as_str)
                .unwrap_or("op"),
        );
        walk_container(op, &ptr, &hint, f);
    }
    // Path-level parameters.
    if let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) {
        for (path, item) in paths.iter_mut() {
            let hint = pascal(path);
            walk_container(item, &format!("/paths/{}", escape(path)), &hint, f);
        }
    }
}

/// Walks the schemas inside an operation, parameter, request body or response.
fn walk_container(v: &mut Value, ptr: &str, hint: &str, f: &mut dyn FnMut(&mut Value, &str, &str)) {
    if let Some(s) = v.get_mut("schema") {
        walk_schemas(s, &format!("{ptr}/schema"), hint, f);
    }
    walk_content(v, ptr, hint, f);
    if let Some(params) = v.get_mut("parameters").and_then(Value::as_array_mut) {
        for (i, p) in params.iter_mut().enumerate() {
            let name = p
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("param")
                .to_string();
            if let Some(s) = p.get_mut("schema") {
                walk_schemas(
                    s,
                    &format!("{ptr}/parameters/{i}/schema"),
                    &format!("{hint}{}", pascal(&name)),
                    f,
                );
            }
        }
    }
    if let Some(body) = v.get_mut("requestBody") {
        walk_content(
            body,
            &format!("{ptr}/requestBody"),
            &format!("{hint}Body"),
            f,
        );
    }
    if let Some(responses) = v.get_mut("responses").and_then(Value::as_object_mut) {
        for (code, r) in responses.iter_mut() {
            walk_content(
                r,
                &format!("{ptr}/responses/{}", escape(code)),
                &format!("{hint}Response"),
                f,
            );
        }
    }
}

fn walk_content(v: &mut Value, ptr: &str, hint: &str, f: &mut dyn FnMut(&mut Value, &str, &str)) {
    if let Some(content) = v.get_mut("content").and_then(Value::as_object_mut) {
        for (media, m) in content.iter_mut() {
            if let Some(s) = m.get_mut("schema") {
                walk_schemas(
                    s,
                    &format!("{ptr}/content/{}/schema", escape(media)),
                    hint,
                    f,
                );
            }
        }
    }
}

fn open_enums(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let mut enums: Vec<OpenEnum> = Vec::new();
    let component_names: BTreeSet<String> = ctx
        .out
        .spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    let mut hoisted: BTreeMap<String, Value> = BTreeMap::new();
    let mut taken: BTreeSet<String> = component_names.iter().map(|n| pascal(n)).collect();
    for_each_schema(&mut ctx.out.spec, &mut |s, ptr, hint| {
        if !is_string_enum(s) {
            return;
        }
        let values = enum_values(s);
        let description = s
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        let nullable = s.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        if let Some(name) = ptr
            .strip_prefix("/components/schemas/")
            .filter(|n| !n.contains('/'))
        {
            // Already a named component: it is replaced as it is.
            enums.push(OpenEnum {
                name: pascal(&name.replace("~1", "/").replace("~0", "~")),
                values,
                description,
            });
            return;
        }
        // Inline: hoist into a named component, reusing one with the same values and hint.
        let mut name = hint.to_string();
        if let Some(existing) = enums
            .iter()
            .find(|e| e.values == values && e.name.starts_with(hint))
        {
            name = existing.name.clone();
        } else {
            let mut n = 2;
            while taken.contains(&name) {
                name = format!("{hint}{n}");
                n += 1;
            }
            taken.insert(name.clone());
            enums.push(OpenEnum {
                name: name.clone(),
                values: values.clone(),
                description: description.clone(),
            });
            let mut component = json!({"type": "string", "enum": values});
            if let Some(d) = &description {
                component["description"] = json!(d);
            }
            hoisted.insert(name.clone(), component);
        }
        let reference = json!({"$ref": format!("#/components/schemas/{name}")});
        *s = if nullable {
            json!({"allOf": [reference], "nullable": true})
        } else {
            reference
        };
    });
    let schemas = schemas_mut(&mut ctx.out.spec);
    for (name, component) in hoisted {
        schemas.insert(name, component);
    }
    let mut seen = BTreeSet::new();
    enums.retain(|e| seen.insert(e.name.clone()));
    ctx.out.enums = enums;
    Ok(())
}

/// String formats the generated code takes as types of ours: `(format, Rust type)`.
pub const CONVERSIONS: &[(&str, &str)] = &[
    // Read with or without an offset, written back as read.
    ("date-time", "crate::Timestamp"),
    // An ISO 8601 date-time whose offset is optional (Permission Assist's responses send
    // `2020-08-02T04:24:00` as well as `2025-12-01T02:00:00Z`): `date-time` requires the
    // offset, so the spec names the wire form apart; the same type reads both.
    ("iso8601-date-time", "crate::Timestamp"),
    // Never printed in Debug or Display.
    ("password", "crate::Secret"),
];

fn converted_formats(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    for_each_schema(&mut ctx.out.spec, &mut |s, _, _| {
        let Some(obj) = s.as_object_mut() else { return };
        let format = obj
            .get("format")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if CONVERSIONS.iter().any(|(f, _)| *f == format) {
            // Keep only what the conversion match ignores or needs.
            obj.retain(|k, _| {
                matches!(
                    k.as_str(),
                    "type" | "format" | "nullable" | "description" | "readOnly" | "writeOnly"
                )
            });
            obj.insert("type".into(), json!("string"));
        }
    });
    Ok(())
}

fn open_objects(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    for_each_schema(&mut ctx.out.spec, &mut |s, _, _| {
        if let Some(obj) = s.as_object_mut()
            && obj.get("additionalProperties") == Some(&Value::Bool(false))
        {
            obj.remove("additionalProperties");
        }
    });
    Ok(())
}

fn component_name(reference: &Value) -> Option<String> {
    reference
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_string)
}

fn find_lists(ctx: &mut Ctx<'_>) -> Result<(), SpecError> {
    let rule = ctx.config.list_rule.clone();
    let spec = &ctx.out.spec;
    for (ptr, path, _) in operations(spec) {
        let op = spec.pointer(&ptr).unwrap_or(&Value::Null);
        let path_params = spec
            .pointer(&format!("/paths/{}/parameters", escape(&path)))
            .cloned()
            .unwrap_or(json!([]));
        let has_page = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .chain(path_params.as_array().into_iter().flatten())
            .map(|p| resolve(spec, p))
            .any(|p| {
                p.get("name").and_then(Value::as_str) == Some(rule.page_param)
                    && p.get("in").and_then(Value::as_str) == Some("query")
            });
        if !has_page {
            continue;
        }
        let Some(responses) = op.get("responses").and_then(Value::as_object) else {
            continue;
        };
        let Some(schema) = responses
            .iter()
            .find(|(c, _)| c.starts_with('2'))
            .and_then(|(_, r)| body_schema(spec, r))
        else {
            continue;
        };
        let Some(envelope) = component_name(&schema) else {
            continue;
        };
        let Some(env_schema) = spec.pointer(&format!("/components/schemas/{}", escape(&envelope)))
        else {
            continue;
        };
        let items = env_schema.pointer(&format!("/properties/{}", escape(rule.items_field)));
        let Some(item) = items.and_then(|i| i.get("items")).and_then(component_name) else {
            continue;
        };
        ctx.out.lists.push(ListOp {
            operation_id: op["operationId"].as_str().unwrap_or_default().to_string(),
            envelope: pascal(&envelope),
            item: pascal(&item),
        });
    }
    Ok(())
}
