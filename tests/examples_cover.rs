//! The examples cover every Permission Assist and Intacct operation and every group of PERSCOM's
//! scope list, and the README lists every example: read from the specs and the examples' source.
//!
//! An operation counts as covered when some example calls its method (`.list_roles(`), outside
//! comments. `cargo test --test examples_cover -- --nocapture` prints the counts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every example's source, comments left out, by example name (`tour` for `examples/tour/`).
fn examples() -> BTreeMap<String, String> {
    fn code(path: &Path) -> String {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    }
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir("examples").unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !path.join("main.rs").exists() {
                continue; // a module the examples share, not an example
            }
            let mut all = String::new();
            for file in std::fs::read_dir(&path).unwrap() {
                all.push_str(&code(&file.unwrap().path()));
                all.push('\n');
            }
            out.insert(name, all);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.insert(name, code(&path));
        }
    }
    out
}

/// `(operationId, x-perscom-scope)` of every operation of a spec.
fn operations(spec: &str) -> Vec<(String, Option<String>)> {
    let text = std::fs::read_to_string(spec).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let mut out = Vec::new();
    for (_, item) in yaml["paths"].as_mapping().unwrap() {
        for (method, op) in item.as_mapping().unwrap() {
            if !matches!(
                method.as_str(),
                Some("get" | "post" | "put" | "patch" | "delete")
            ) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap().to_string();
            let scope = op["x-perscom-scope"].as_str().map(str::to_string);
            out.push((id, scope));
        }
    }
    out
}

fn calls(source: &str, op: &str) -> bool {
    source.contains(&format!(".{op}("))
}

/// The operations of `spec` that no example calls, and how many there are.
fn uncovered(spec: &str, sources: &BTreeMap<String, String>) -> (Vec<String>, usize) {
    let ops = operations(spec);
    let missing = ops
        .iter()
        .filter(|(op, _)| !sources.values().any(|s| calls(s, op)))
        .map(|(op, _)| op.clone())
        .collect();
    (missing, ops.len())
}

#[test]
fn every_permission_assist_operation_has_an_example() {
    let (missing, total) = uncovered("openapi/permission-assist.yaml", &examples());
    println!(
        "Permission Assist: {}/{total} operations called by an example",
        total - missing.len()
    );
    assert_eq!(total, 17);
    assert!(missing.is_empty(), "no example calls {missing:?}");
}

#[test]
fn every_intacct_operation_has_an_example() {
    let (missing, total) = uncovered("openapi/intacct.yaml", &examples());
    println!(
        "Intacct: {}/{total} operations called by an example",
        total - missing.len()
    );
    assert_eq!(total, 31);
    assert!(missing.is_empty(), "no example calls {missing:?}");
}

/// PERSCOM's scope list in groups: the group, its example, and the resources of its scopes
/// (`system` holds `clear:cache`, `view:settings` and the operations that need no scope).
const PERSCOM_GROUPS: &[(&str, &str, &[&str])] = &[
    (
        "personnel",
        "perscom_users",
        &["user", "status", "statusrecord"],
    ),
    (
        "organization",
        "perscom_organization",
        &["rank", "position", "specialty", "unit", "group", "slot"],
    ),
    (
        "records",
        "perscom_records",
        &[
            "assignmentrecord",
            "combatrecord",
            "rankrecord",
            "servicerecord",
            "trainingrecord",
        ],
    ),
    (
        "awards and qualifications",
        "perscom_awards",
        &[
            "award",
            "awardrecord",
            "qualification",
            "qualificationrecord",
            "competency",
            "credential",
            "issuer",
        ],
    ),
    ("forms", "perscom_forms", &["form", "field", "submission"]),
    (
        "calendars and events",
        "perscom_calendars",
        &["calendar", "event"],
    ),
    (
        "content",
        "perscom_content",
        &[
            "announcement",
            "attachment",
            "comment",
            "document",
            "image",
            "message",
            "newsfeed",
        ],
    ),
    ("tasks", "perscom_tasks", &["task"]),
    ("other", "perscom_other", &["category"]),
    ("system", "perscom_system", &["cache", "settings", ""]),
];

/// The resource of a scope (`view:rankrecord` -> `rankrecord`, `clear:cache` -> `cache`); ""
/// for an operation that needs none.
fn resource(scope: &Option<String>) -> &str {
    scope
        .as_deref()
        .and_then(|s| s.split_once(':'))
        .map_or("", |(_, r)| r)
}

#[test]
fn every_perscom_scope_group_has_an_example() {
    let sources = examples();
    let ops = operations("openapi/perscom.yaml");

    // The groups cover every resource of the scope list.
    let grouped: BTreeSet<&str> = PERSCOM_GROUPS
        .iter()
        .flat_map(|(_, _, r)| r.iter().copied())
        .collect();
    let ungrouped: BTreeSet<&str> = ops
        .iter()
        .map(|(_, s)| resource(s))
        .filter(|r| !grouped.contains(r))
        .collect();
    assert!(
        ungrouped.is_empty(),
        "scope resources in no group: {ungrouped:?}"
    );

    for (group, example, resources) in PERSCOM_GROUPS {
        let source = sources
            .get(*example)
            .unwrap_or_else(|| panic!("no example {example} for the group {group}"));
        let called: Vec<&str> = ops
            .iter()
            .filter(|(op, s)| resources.contains(&resource(s)) && calls(source, op))
            .map(|(op, _)| op.as_str())
            .collect();
        println!(
            "PERSCOM {group}: {example} calls {} operations ({})",
            called.len(),
            called.join(", ")
        );
        assert!(
            !called.is_empty(),
            "{example} calls no operation of the group {group}"
        );
    }
    let called = ops
        .iter()
        .filter(|(op, _)| sources.values().any(|s| calls(s, op)))
        .count();
    println!(
        "PERSCOM: {}/{} groups, {called}/{} operations called by an example",
        PERSCOM_GROUPS.len(),
        PERSCOM_GROUPS.len(),
        ops.len()
    );
}

#[test]
fn the_readme_lists_every_example() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let missing: Vec<String> = examples()
        .into_keys()
        .filter(|name| !readme.contains(&format!("`{name}`")))
        .collect();
    assert!(missing.is_empty(), "README.md does not list {missing:?}");
}
