//! The sandbox's tables, written from each API's spec by the sandbox's build script
//! (`sandbox/build.rs` includes this file): its routes (to name each request's operation), its
//! query parameters and its JSON request bodies (to refuse what the API would).

use std::fmt::Write;

/// The sandbox's route table: every operation as (method, path template, `operationId`), so the
/// sandbox can name the operation a request is for (fault injection, its request log).
pub fn routes(spec: &serde_json::Value) -> String {
    let mut out = String::from(
        "/// Every operation as (method, path template, `operationId`), in document order.\n\
         pub(crate) const ROUTES: &[(&str, &str, &str)] = &[\n",
    );
    for (_, path, method) in crate::spec::operations(spec) {
        let id = spec["paths"][&path][&method]["operationId"]
            .as_str()
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "    ({:?}, {path:?}, {id:?}),",
            method.to_ascii_uppercase()
        );
    }
    out.push_str("];\n");
    out
}

/// The sandbox's table of query parameters: for every operation, each query parameter's name,
/// type, format, enum values (or PERSCOM's `x-perscom-includes`) and bounds, so the sandbox
/// can refuse what the API would.
pub fn params(spec: &serde_json::Value) -> String {
    use serde_json::Value;
    let resolve = |v: &Value| -> Value {
        let mut v = v.clone();
        for _ in 0..4 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                break;
            };
            let pointer = r.trim_start_matches('#');
            v = spec.pointer(pointer).cloned().unwrap_or(Value::Null);
        }
        v
    };
    let mut out = String::from(
        "/// Every query parameter of every operation.\n\
         pub(crate) const PARAMS: &[crate::validate::Param] = &[\n",
    );
    for (_, path, method) in crate::spec::operations(spec) {
        let item = &spec["paths"][&path];
        let op = &item[&method];
        let id = op["operationId"].as_str().unwrap_or_default();
        let all = op["parameters"]
            .as_array()
            .into_iter()
            .chain(item["parameters"].as_array())
            .flatten();
        for p in all {
            let p = resolve(p);
            if p["in"] != "query" {
                continue;
            }
            let schema = resolve(&p["schema"]);
            let (kind, schema) = match schema["type"].as_str() {
                Some("array") => ("array", resolve(&schema["items"])),
                Some(t) => (t, schema.clone()),
                None => ("any", schema.clone()),
            };
            let text = |v: &Value| v.as_str().map(str::to_string);
            let values: Vec<String> = match p.get("x-perscom-includes").and_then(Value::as_array) {
                Some(list) => list.iter().filter_map(text).collect(),
                None => schema["enum"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(text)
                    .collect(),
            };
            let bound = |k: &str| match schema[k].as_i64() {
                Some(n) => format!("Some({n})"),
                None => "None".into(),
            };
            let _ = writeln!(
                out,
                "    crate::validate::Param {{ operation: {id:?}, name: {:?}, array: {}, kind: {:?}, format: {:?}, values: &{:?}, includes: {}, minimum: {}, maximum: {} }},",
                p["name"].as_str().unwrap_or_default(),
                kind == "array",
                schema["type"].as_str().unwrap_or("any"),
                schema["format"].as_str().unwrap_or(""),
                values,
                p.get("x-perscom-includes").is_some(),
                bound("minimum"),
                bound("maximum"),
            );
        }
    }
    out.push_str("];\n");
    out
}

/// The sandbox's table of JSON request bodies: each operation's `application/json` body schema
/// (with its `required` flag) and the spec's `components/schemas`, both as JSON text, so the
/// sandbox can check bodies against the spec (`$ref`s are resolved when checking).
pub fn bodies(spec: &serde_json::Value) -> String {
    use serde_json::{Value, json};
    let mut out = String::from(
        "/// Each operation with a JSON request body: (`operationId`, body required, schema as JSON).\n\
         pub(crate) const BODIES: &[(&str, bool, &str)] = &[\n",
    );
    for (_, path, method) in crate::spec::operations(spec) {
        let op = &spec["paths"][&path][&method];
        let id = op["operationId"].as_str().unwrap_or_default();
        let mut body = op["requestBody"].clone();
        if let Some(r) = body.get("$ref").and_then(Value::as_str) {
            body = spec
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null);
        }
        let Some(schema) = body["content"]
            .get("application/json")
            .map(|c| &c["schema"])
        else {
            continue;
        };
        let required = body["required"].as_bool().unwrap_or(false);
        let _ = writeln!(out, "    ({id:?}, {required}, {:?}),", schema.to_string());
    }
    out.push_str("];\n");
    let components = spec
        .pointer("/components/schemas")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let _ = writeln!(
        out,
        "/// The spec's `components/schemas`, as JSON.\npub(crate) const SCHEMAS: &str = {:?};",
        components.to_string()
    );
    out
}
