//! What every generator step reads from an OpenAPI document: the document itself (YAML read as
//! JSON) and its operations. Shared by permkit's build script and the sandbox's
//! (`sandbox/build.rs` includes this file), so both read the one set of specs in `openapi/`.

use serde_json::Value;

/// Reads the OpenAPI document at `file` (YAML) as JSON.
pub fn load(file: &std::path::Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file).map_err(|e| format!("cannot read: {e}"))?;
    let yaml: serde_yaml::Value =
        serde_yaml::from_str(&text).map_err(|e| format!("not valid YAML: {e}"))?;
    serde_json::to_value(yaml).map_err(|e| format!("not representable as JSON: {e}"))
}

/// HTTP methods an OpenAPI path item can hold.
pub const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Escapes one pointer token (RFC 6901).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every operation as (pointer, path, method), in document order.
pub fn operations(spec: &Value) -> Vec<(String, String, String)> {
    let mut ops = Vec::new();
    if let Some(paths) = spec.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(item) = item.as_object() else {
                continue;
            };
            for method in METHODS {
                if item.contains_key(*method) {
                    ops.push((
                        format!("/paths/{}/{}", escape(path), method),
                        path.clone(),
                        method.to_string(),
                    ));
                }
            }
        }
    }
    ops
}
