//! Writes the command line's tables from the specs in the repository's `openapi/`, read with
//! the same reader as permkit's build script (`build/spec.rs`): for every operation of each
//! API, its subcommand name (the operation id in kebab case), summary and description, its
//! parameters (path values as positional arguments, query and header parameters as flags, each
//! with the spec's description) and the simple fields of its body (scalars and lists of
//! strings, as flags). `src/spec.rs` builds the clap command tree from these tables at run
//! time; permkit's `Client::operations()` (generated from the same specs) is what the
//! subcommands call.

#[path = "../build/spec.rs"]
#[allow(dead_code)]
mod spec;

use serde_json::Value;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// (spec file stem, module name of its table).
const APIS: &[(&str, &str)] = &[
    ("permission-assist", "permission_assist"),
    ("perscom", "perscom"),
    ("intacct", "intacct"),
];

/// Flags of the command line itself: a spec parameter or body field that would take one of
/// these names keeps its value reachable through `--body` (fields) or is renamed with a
/// `param-` prefix (parameters). (Intacct's query adds `--filter` and `--order-by`: its spec
/// has no parameter of those names.)
const RESERVED: &[&str] = &[
    "all",
    "body",
    "columns",
    "dry-run",
    "file",
    "help",
    "json-errors",
    "output",
    "prefetch",
    "profile",
    "quiet",
    "sandbox",
    "version",
    "wait",
    "wait-timeout",
    "poll-interval",
];

// Body fields that carry a credential get no flag, since a value on the command line shows in
// `ps` and the shell's history; `--body FILE|-` sets them. The rule is the library's own.
#[path = "../src/secret_fields.rs"]
mod secret_fields;
use secret_fields::secret_field;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../build/spec.rs");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    for (stem, module) in APIS {
        let file = format!("../openapi/{stem}.yaml");
        println!("cargo:rerun-if-changed={file}");
        match spec::load(Path::new(&file)).and_then(|json| table(&json)) {
            Ok(text) => {
                let path = out_dir.join(format!("{module}_commands.rs"));
                if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                    std::fs::write(&path, text).expect("write the command table");
                }
            }
            Err(message) => {
                println!("cargo:warning={file}: {message}");
                std::process::exit(1);
            }
        }
    }
}

/// `firstName`, `filter[status]`, `X-Perscom-Id` -> `first-name`, `filter-status`,
/// `x-perscom-id`.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
            prev_lower = false;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// One paragraph of help: the text with runs of white space made single.
fn text(v: &Value) -> String {
    v.as_str()
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn table(spec: &Value) -> Result<String, String> {
    let resolve = |v: &Value| -> Value {
        let mut v = v.clone();
        for _ in 0..8 {
            let Some(r) = v.get("$ref").and_then(Value::as_str) else {
                break;
            };
            v = spec
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null);
        }
        v
    };
    let mut out = String::from(
        "/// Every operation of the spec as a subcommand, in document order (written by `cli/build.rs`).\n\
         pub static COMMANDS: &[crate::spec::Command] = &[\n",
    );
    let mut names = std::collections::BTreeSet::new();
    for (pointer, path, method) in spec::operations(spec) {
        let item = &spec["paths"][&path];
        let op = &item[&method];
        let id = op["operationId"]
            .as_str()
            .ok_or_else(|| format!("{pointer}: no operationId"))?;
        let name = kebab(id);
        if !names.insert(name.clone()) {
            return Err(format!("two operations are named `{name}`"));
        }
        let mut params = String::new();
        let mut flags = std::collections::BTreeSet::new();
        let all = op["parameters"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(item["parameters"].as_array().into_iter().flatten());
        let mut seen = std::collections::BTreeSet::new();
        for p in all {
            let p = resolve(p);
            let pname = p["name"].as_str().unwrap_or_default();
            let location = p["in"].as_str().unwrap_or_default();
            if !seen.insert((pname.to_string(), location.to_string())) {
                continue;
            }
            // PERSCOM's `{version}` is the client's.
            if location == "path" && pname == "version" {
                continue;
            }
            let schema = resolve(&p["schema"]);
            let array = schema["type"] == "array";
            let values: Vec<String> = match p.get("x-perscom-includes").and_then(Value::as_array) {
                Some(list) => list
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect(),
                None => {
                    let s = if array {
                        resolve(&schema["items"])
                    } else {
                        schema.clone()
                    };
                    s["enum"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                }
            };
            let mut flag = kebab(pname);
            if RESERVED.contains(&flag.as_str()) {
                flag = format!("param-{flag}");
            }
            flags.insert(flag.clone());
            let kind = match location {
                "path" => "Path",
                "query" => "Query",
                "header" => "Header",
                _ => continue,
            };
            let mut help = text(&p["description"]);
            if help.is_empty() {
                help = format!("`{pname}` ({location} parameter)");
            }
            let _ = write!(
                params,
                "crate::spec::Param {{ name: {pname:?}, flag: {flag:?}, location: crate::spec::Location::{kind}, required: {}, array: {array}, explode: {}, kind: {:?}, values: &{values:?}, help: {help:?} }}, ",
                p["required"].as_bool().unwrap_or(location == "path"),
                p["explode"]
                    .as_bool()
                    .unwrap_or(p["style"].as_str().unwrap_or("form") == "form"),
                if array {
                    "array"
                } else {
                    schema["type"].as_str().unwrap_or("string")
                },
            );
        }
        let mut body_fields = String::new();
        let mut body_kind = "None";
        let mut body_required = false;
        let body = resolve(&op["requestBody"]);
        if let Some(content) = body["content"].as_object() {
            body_required = body["required"].as_bool().unwrap_or(false);
            let (media, kind) = if content.contains_key("multipart/form-data") {
                ("multipart/form-data", "Multipart")
            } else if content.contains_key("application/x-www-form-urlencoded") {
                ("application/x-www-form-urlencoded", "Form")
            } else {
                ("application/json", "Json")
            };
            body_kind = kind;
            let schema = resolve(
                &content
                    .get(media)
                    .map(|c| c["schema"].clone())
                    .unwrap_or(Value::Null),
            );
            let mut props = serde_json::Map::new();
            let mut required: Vec<String> = Vec::new();
            let mut parts = vec![schema];
            for part in resolve(&parts[0])["allOf"].as_array().into_iter().flatten() {
                parts.push(resolve(part));
            }
            for part in &parts {
                if let Some(p) = part["properties"].as_object() {
                    props.extend(p.clone());
                }
                for r in part["required"].as_array().into_iter().flatten() {
                    if let Some(r) = r.as_str() {
                        required.push(r.to_string());
                    }
                }
            }
            for (field, fschema) in &props {
                let fschema = resolve(fschema);
                let kind = match fschema["type"].as_str() {
                    Some(t @ ("string" | "integer" | "number" | "boolean")) => t.to_string(),
                    Some("array") if resolve(&fschema["items"])["type"] == "string" => {
                        "strings".into()
                    }
                    _ => continue,
                };
                // A binary part is a file: `--file NAME=PATH`.
                if fschema["format"] == "binary" {
                    continue;
                }
                if secret_field(field, body_kind == "Form") {
                    continue;
                }
                let flag = kebab(field);
                if flag.is_empty() || RESERVED.contains(&flag.as_str()) || flags.contains(&flag) {
                    continue;
                }
                flags.insert(flag.clone());
                let mut help = text(&fschema["description"]);
                if help.is_empty() {
                    help = format!("the body's `{field}`");
                }
                let values: Vec<String> = fschema["enum"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                let _ = write!(
                    body_fields,
                    "crate::spec::Field {{ name: {field:?}, flag: {flag:?}, kind: {kind:?}, required: {}, values: &{values:?}, help: {help:?} }}, ",
                    required.contains(field),
                );
            }
        }
        let summary = text(&op["summary"]);
        let description = text(&op["description"]);
        let _ = writeln!(
            out,
            "    crate::spec::Command {{ id: {id:?}, name: {name:?}, method: {:?}, path: {path:?}, summary: {summary:?}, description: {description:?}, params: &[{params}], body: crate::spec::BodyKind::{body_kind}, body_required: {body_required}, fields: &[{body_fields}] }},",
            method.to_ascii_uppercase()
        );
    }
    out.push_str("];\n");
    Ok(out)
}
