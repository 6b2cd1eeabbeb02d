//! Rust source the build script writes beside the generated client: open enums, the scope
//! table and the table of operations set aside for the hand-written
//! layer. The enums and scopes are invocations of macros shared by every API
//! (`crate::open_enum`, `crate::perscom::scopes`); the page glue is `pages.rs`.

use crate::adapt::{Adapted, IntEnum, OpenEnum, pascal};
use std::collections::BTreeSet;
use std::fmt::Write;

/// Variant name for one vendor spelling.
pub fn variant_name(value: &str) -> String {
    // Comparison operators (PERSCOM's search `operator`) have no letters to name them by.
    let symbolic = match value.trim() {
        "<" => "Lt",
        "<=" => "Le",
        ">" => "Gt",
        ">=" => "Ge",
        "=" | "==" => "Eq",
        "!=" | "<>" => "Ne",
        _ => "",
    };
    if !symbolic.is_empty() {
        return symbolic.into();
    }
    let name = pascal(value);
    match name.as_str() {
        "" => "Empty".into(),
        // Reserved for the fallback variant.
        "UnknownValue" => "UnknownValueKnown".into(),
        "Self_" | "Self" => "SelfValue".into(),
        _ => name,
    }
}

/// Lowercase with white space removed: how the vendors' spellings drift.
pub fn normalize(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One `open_enum!` invocation per enum.
pub fn open_enums(enums: &[OpenEnum]) -> String {
    let mut out = String::new();
    for e in enums {
        let mut names = BTreeSet::new();
        let mut seen_norm = BTreeSet::new();
        let doc = e
            .description
            .clone()
            .unwrap_or_else(|| format!("The vendor's `{}` values.", e.name));
        let _ = writeln!(out, "crate::open_enum::open_enum! {{");
        let _ = writeln!(out, "    #[doc = {:?}]", doc);
        let _ = writeln!(out, "    {} {{", e.name);
        for v in &e.values {
            // Two spellings of one value (`API` and `Api`: the same but for case and white
            // space) are one variant, which sends the first spelling and matches both.
            let norm = normalize(v);
            if !seen_norm.insert(norm.clone()) {
                continue;
            }
            let mut n = variant_name(v);
            let mut i = 2;
            while !names.insert(n.clone()) {
                n = format!("{}{}", variant_name(v), i);
                i += 1;
            }
            let _ = writeln!(out, "        {n} = {v:?} | {norm:?},");
        }
        let _ = writeln!(out, "    }}\n}}");
    }
    out
}

/// One `open_int_enum!` invocation per integer-coded enum.
pub fn int_enums(enums: &[IntEnum]) -> String {
    let mut out = String::new();
    for e in enums {
        let doc = e
            .description
            .clone()
            .unwrap_or_else(|| format!("The vendor's `{}` codes.", e.name));
        let _ = writeln!(out, "crate::open_enum::open_int_enum! {{");
        let _ = writeln!(out, "    #[doc = {:?}]", doc);
        let _ = writeln!(out, "    {} {{", e.name);
        for (n, v) in &e.values {
            let _ = writeln!(out, "        {v} = {n},");
        }
        let _ = writeln!(out, "    }}\n}}");
    }
    out
}

/// The operations that only read although their method is not an idempotent one (the spec
/// marks them `x-permkit-read-only: true`), sorted, as the constant the transport's retry rule
/// reads (`crate::transport::ApiRules::read_only`). The mark is refused on a GET, HEAD, PUT,
/// DELETE or OPTIONS (those are retried as reads already) and with any value but `true`.
pub fn read_only(spec: &serde_json::Value) -> Result<String, String> {
    let mut ids = BTreeSet::new();
    let paths = spec.get("paths").and_then(|p| p.as_object());
    for (path, item) in paths.into_iter().flatten() {
        let Some(item) = item.as_object() else {
            continue;
        };
        for (method, op) in item {
            let Some(mark) = op.get("x-permkit-read-only") else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            if mark != &serde_json::Value::Bool(true) {
                return Err(format!(
                    "{method} {path}: x-permkit-read-only must be `true`"
                ));
            }
            if matches!(
                method.as_str(),
                "get" | "head" | "put" | "delete" | "options"
            ) {
                return Err(format!(
                    "{method} {path}: x-permkit-read-only on a method that is idempotent already"
                ));
            }
            if id.is_empty() {
                return Err(format!(
                    "{method} {path}: x-permkit-read-only without an operationId"
                ));
            }
            ids.insert(id.to_string());
        }
    }
    let mut out = String::from(
        "/// The operations that only read although their method is a POST (or PATCH), from the\n/// spec's `x-permkit-read-only`: retried like a GET. Sorted.\npub(crate) const READ_ONLY: &[&str] = &[\n",
    );
    for id in ids {
        let _ = writeln!(out, "    {id:?},");
    }
    out.push_str("];\n");
    Ok(out)
}

/// The operations set aside, as a constant the hand layer's tests check against.
pub fn set_aside(adapted: &Adapted) -> String {
    let mut out = String::from(
        "/// Operations the generator cannot take (multipart bodies, paths outside the base path), served by the hand-written layer:\n/// `(operationId, method, path)`.\npub(crate) const SET_ASIDE: &[(&str, &str, &str)] = &[\n",
    );
    for s in &adapted.set_aside {
        let _ = writeln!(
            out,
            "    ({:?}, {:?}, {:?}),",
            s.operation_id, s.method, s.path
        );
    }
    out.push_str("];\n");
    out
}

/// The scope table of a spec that names the scope of each operation (PERSCOM:
/// `x-perscom-scopes` lists every scope with its Rust name; each operation's
/// `x-perscom-scope` names the one it needs, `x-perscom-scope-free` none). `None` when the
/// spec has no scope catalogue; an error when an operation names no known scope.
pub fn scope_table(spec: &serde_json::Value) -> Result<Option<String>, String> {
    use serde_json::Value;
    let Some(catalogue) = spec.get("x-perscom-scopes").and_then(Value::as_array) else {
        return Ok(None);
    };
    let mut names = std::collections::BTreeMap::new();
    let mut out = String::from("crate::perscom::scopes::scope_enum! {\n");
    for s in catalogue {
        let field = |k: &str| {
            s.get(k)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (scope, name, text) = (field("scope"), field("name"), field("description"));
        if scope.is_empty() || name.is_empty() {
            return Err("x-perscom-scopes: an entry without `scope` or `name`".into());
        }
        let _ = writeln!(out, "    #[doc = {:?}]", format!("`{scope}`: {text}"));
        let _ = writeln!(out, "    {name} = {scope:?},");
        names.insert(scope, name);
    }
    out.push_str("}\n\n/// Every operation (`operationId`, sorted) with the scope it needs; `None`: no scope check.\npub(crate) const OPERATION_SCOPES: &[(&str, Option<Scope>)] = &[\n");
    let mut ops = Vec::new();
    for (_, path, method) in crate::adapt::operations(spec) {
        let op = &spec["paths"][&path][&method];
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let scope = match op.get("x-perscom-scope").and_then(Value::as_str) {
            Some(s) => Some(
                names
                    .get(s)
                    .ok_or_else(|| format!("operation {id} needs the unknown scope {s}"))?
                    .clone(),
            ),
            None if op.get("x-perscom-scope-free").and_then(Value::as_bool) == Some(true) => None,
            None => return Err(format!("operation {id} names no scope (x-perscom-scope)")),
        };
        ops.push((id, scope));
    }
    ops.sort();
    for (id, scope) in ops {
        match scope {
            Some(s) => {
                let _ = writeln!(out, "    ({id:?}, Some(Scope::{s})),");
            }
            None => {
                let _ = writeln!(out, "    ({id:?}, None),");
            }
        }
    }
    out.push_str("];\n");
    Ok(Some(out))
}

/// The table of every operation for `permkit::dynamic` (calling an operation by its id):
/// `(operationId, method, path template as the spec writes it, list, body kind)`, in document
/// order. `lists` are the operations the adaptation found to return a page envelope; the body
/// kind is the request body's media type (`json`, `multipart`, `form`, or none).
pub fn operations_table(spec: &serde_json::Value, lists: &BTreeSet<String>) -> String {
    use serde_json::Value;
    let mut out = String::from(
        "/// Every operation of the spec, in document order (`permkit::dynamic`).\n\
         pub(crate) static OPERATIONS: &[crate::dynamic::OperationSpec] = &[\n",
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
        let content = body.get("content").and_then(Value::as_object);
        let kind = match content {
            Some(c) if c.contains_key("multipart/form-data") => "Multipart",
            Some(c) if c.contains_key("application/x-www-form-urlencoded") => "Form",
            Some(c) if !c.is_empty() => "Json",
            _ => "None",
        };
        let _ = writeln!(
            out,
            "    crate::dynamic::OperationSpec::new({id:?}, {:?}, {path:?}, {}, crate::dynamic::BodyKind::{kind}),",
            method.to_ascii_uppercase(),
            lists.contains(id),
        );
    }
    out.push_str("];\n");
    out
}

/// A JSON pointer from the build's dotted field names (`meta.last_page` is `/meta/last_page`;
/// `ia::meta` is one name).
fn pointer(dotted: &str) -> String {
    dotted
        .split('.')
        .map(|name| format!("/{}", name.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// `{module}_shape.rs`: how the API wraps and pages its answers, for `permkit::dynamic` (an
/// expression of its `Shape`), from the same table as the typed pagers: the single-value
/// field, the base path the client fixes, and where a list's envelope holds its items and says
/// which page it is. An offset API pages through the body of `body_paged`, whose hand-written
/// pager module's `MAX_SIZE` is the default page size.
pub fn dynamic_shape(
    module: &str,
    rule: &crate::adapt::ListRule,
    surface: &crate::surface::Surface,
    base_path: Option<&str>,
    body_paged: Option<&str>,
) -> Result<String, String> {
    let unwrap = match surface.unwrap_field {
        Some((_, json)) => format!("Some({json:?})"),
        None => "None".to_string(),
    };
    let base_path = match base_path {
        Some(path) => format!("Some({path:?})"),
        None => "None".to_string(),
    };
    let items = pointer(rule.items_field);
    let paging = match surface.paging {
        crate::pages::Paging::Numbered {
            number,
            last,
            total,
            ..
        } => format!(
            "Paging::Numbered {{ param: {:?}, items: {items:?}, last: {:?}, total: {:?}, current: {:?} }}",
            rule.page_param,
            pointer(last),
            pointer(total),
            pointer(number),
        ),
        crate::pages::Paging::Offset { next, total, .. } => {
            let pager = body_paged.ok_or_else(|| {
                format!("{module} pages by offset, but names no body-paged operation")
            })?;
            format!(
                "Paging::BodyOffset {{ items: {items:?}, next: {:?}, total: {:?}, default_size: crate::{module}::{pager}::MAX_SIZE }}",
                pointer(next),
                pointer(total),
            )
        }
    };
    Ok(format!(
        "// Generated by build/emit.rs from build/main.rs's APIS table.\nShape {{ unwrap: {unwrap}, base_path: {base_path}, paging: {paging} }}\n"
    ))
}
