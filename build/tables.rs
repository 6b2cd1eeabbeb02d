//! The sandbox's tables, written from each API's spec by the sandbox's build script
//! (`sandbox/build.rs` includes this file): its routes (to name each request's operation), its
//! query parameters and its JSON request bodies (to refuse what the API would), and PERSCOM's
//! resource catalogue (what the PERSCOM mock serves).

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
            // PERSCOM's `include` on a resource that whitelists nothing: an empty list
            // (`maxItems: 0`, no `x-perscom-includes`), so every include is refused.
            let whitelists_nothing =
                p["name"] == "include" && schema["maxItems"].as_u64() == Some(0);
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
                p.get("x-perscom-includes").is_some() || whitelists_nothing,
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

/// PERSCOM's resource catalogue, from the spec: every model with a list operation (a `GET`
/// answering `{Model}List`) as a `crate::perscom::Kind` with its path segment (the top-level
/// collection's, else the nested one's: `fields` under `/forms/{form}`), the scope resource of
/// its list's `x-perscom-scope` (`view:user` -> `user`), the `required` of its `{Model}Create`
/// schema, the `x-perscom-includes` of its list's `include` parameter, the properties a request
/// may write (`{Model}Create`'s and `{Model}Update`'s; none listed: any), and whether that path
/// takes no `POST` (read only: the newsfeed, settings); then each search operation's
/// `x-perscom-search-scopes`.
pub fn perscom_kinds(spec: &serde_json::Value) -> String {
    use serde_json::Value;
    let resolve = |v: &Value| -> Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => spec
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let texts = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect()
    };
    // (model, rank: lower is better, path) of every list operation, in document order.
    let mut candidates: Vec<(String, u8, String)> = Vec::new();
    for (_, path, method) in crate::spec::operations(spec) {
        if method != "get" {
            continue;
        }
        let item = &spec["paths"][&path];
        let schema = &item["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        let Some(model) = schema["$ref"]
            .as_str()
            .and_then(|r| r.rsplit('/').next())
            .and_then(|name| name.strip_suffix("List"))
        else {
            continue;
        };
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let last = segments.last().copied().unwrap_or_default();
        if last.starts_with('{') || item["get"].get("x-perscom-scope").is_none() {
            continue;
        }
        let top_level = segments.len() == 2;
        let rank = match (top_level, item.get("post").is_some()) {
            (true, true) => 0,
            (true, false) => 1,
            (false, true) => 2,
            (false, false) => 3,
        };
        candidates.push((model.to_string(), rank, path));
    }
    let mut models: Vec<&str> = Vec::new();
    for (model, _, _) in &candidates {
        if !models.contains(&model.as_str()) {
            models.push(model);
        }
    }
    models.sort_unstable();
    let mut out = String::from(
        "/// Every PERSCOM resource the spec lists (a model with a list operation), by model name:\n\
         /// its path segment, scope resource, required fields on create, `include` whitelist\n\
         /// and whether it is read only.\n\
         pub(crate) const KINDS: &[crate::perscom::Kind] = &[\n",
    );
    for model in models {
        let Some((_, _, path)) = candidates
            .iter()
            .filter(|(m, _, _)| m == model)
            .min_by_key(|(_, rank, _)| *rank)
        else {
            continue;
        };
        let item = &spec["paths"][path];
        let list = &item["get"];
        let segment = path.rsplit('/').next().unwrap_or_default();
        let scope = list["x-perscom-scope"].as_str().unwrap_or_default();
        let scope = scope.split_once(':').map_or(scope, |(_, s)| s);
        let required = texts(&spec["components"]["schemas"][format!("{model}Create")]["required"]);
        let includes = list["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .map(&resolve)
            .find_map(|p| p.get("x-perscom-includes").map(&texts))
            .unwrap_or_default();
        let read_only = item.get("post").is_none();
        // What a request may write: the properties of `{Model}Create` and `{Model}Update`
        // (through their `allOf` parts); the mock keeps these and drops the rest, as PERSCOM's
        // fillable attributes do.
        let mut fields: Vec<String> = Vec::new();
        let mut open = false;
        for name in [format!("{model}Create"), format!("{model}Update")] {
            let mut pending = vec![spec["components"]["schemas"][&name].clone()];
            let mut hops = 0;
            while let Some(schema) = pending.pop() {
                hops += 1;
                if hops > 32 {
                    break;
                }
                let schema = resolve(&schema);
                open |= matches!(
                    schema.get("additionalProperties"),
                    Some(Value::Bool(true) | Value::Object(_))
                );
                for key in schema["properties"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(k, _)| k)
                {
                    if !fields.contains(key) {
                        fields.push(key.clone());
                    }
                }
                pending.extend(schema["allOf"].as_array().into_iter().flatten().cloned());
            }
        }
        if open {
            // Any property is the model's (an empty list: keep them all).
            fields.clear();
        }
        let _ = writeln!(
            out,
            "    crate::perscom::Kind {{ segment: {segment:?}, scope: {scope:?}, required: &{required:?}, includes: &{includes:?}, fields: &{fields:?}, read_only: {read_only} }},"
        );
    }
    out.push_str("];\n");
    // The scopes each search operation's resource exposes (`x-perscom-search-scopes`; the
    // same names as its body's `<Model>SearchScope` enum): any other scope is a 422.
    out.push_str(
        "/// The search scopes each search operation allows, by `operationId` (its\n\
         /// `x-perscom-search-scopes`): any other scope is refused.\n\
         pub(crate) const SEARCH_SCOPES: &[(&str, &[&str])] = &[\n",
    );
    for (_, path, method) in crate::spec::operations(spec) {
        let op = &spec["paths"][&path][&method];
        let Some(scopes) = op.get("x-perscom-search-scopes") else {
            continue;
        };
        let id = op["operationId"].as_str().unwrap_or_default();
        let _ = writeln!(out, "    ({id:?}, &{:?}),", texts(scopes));
    }
    out.push_str("];\n");
    out
}
