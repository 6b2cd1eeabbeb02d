//! The examples cover every Permission Assist and Intacct operation and every group of PERSCOM's
//! scope list, and the README and the crate page list every example: read from the specs, the
//! examples' source, `Cargo.toml` and `src/lib.rs`.
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
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "rs") {
                    all.push_str(&code(&file));
                    all.push('\n');
                }
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

/// The names of the `[[example]]` targets of Cargo.toml and of the tour's own package
/// (examples/tour/Cargo.toml).
fn cargo_examples() -> BTreeSet<String> {
    let manifests = ["Cargo.toml", "examples/tour/Cargo.toml"]
        .map(|path| std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}")));
    let mut out = BTreeSet::new();
    let mut in_example = false;
    for line in manifests.iter().flat_map(|m| m.lines()).map(str::trim) {
        if line.starts_with('[') {
            in_example = line == "[[example]]";
        } else if in_example
            && let Some((key, value)) = line.split_once('=')
            && key.trim() == "name"
        {
            out.insert(value.trim().trim_matches('"').to_string());
        }
    }
    out
}

/// The rows of the example table of the crate page (`src/lib.rs`'s `## Examples`): name and
/// description.
fn crate_page_examples() -> BTreeMap<String, String> {
    let lib = std::fs::read_to_string("src/lib.rs").unwrap();
    let docs: Vec<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(str::trim)
        .collect();
    let start = docs
        .iter()
        .position(|l| *l == "## Examples")
        .expect("src/lib.rs has an `## Examples` section");
    let mut out = BTreeMap::new();
    for line in docs[start + 1..]
        .iter()
        .take_while(|l| !l.starts_with("## "))
    {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if let [_, name, description, _] = cells[..]
            && let Some(name) = name.strip_prefix('`').and_then(|n| n.strip_suffix('`'))
        {
            out.insert(name.to_string(), description.to_string());
        }
    }
    out
}

#[test]
fn the_crate_page_lists_every_example_with_a_description() {
    let listed = crate_page_examples();
    let files: BTreeSet<String> = examples().into_keys().collect();
    let declared = cargo_examples();
    assert_eq!(
        files, declared,
        "the examples in examples/ and the [[example]] targets of Cargo.toml differ"
    );
    let missing: Vec<&String> = files.iter().filter(|n| !listed.contains_key(*n)).collect();
    assert!(
        missing.is_empty(),
        "the crate page (src/lib.rs, ## Examples) does not list {missing:?}"
    );
    let unknown: Vec<&String> = listed.keys().filter(|n| !files.contains(*n)).collect();
    assert!(
        unknown.is_empty(),
        "the crate page lists examples that do not exist: {unknown:?}"
    );
    let bare: Vec<&String> = listed
        .iter()
        .filter(|(_, d)| d.is_empty())
        .map(|(n, _)| n)
        .collect();
    assert!(
        bare.is_empty(),
        "no description on the crate page for {bare:?}"
    );
    println!("the crate page lists all {} examples", listed.len());
}
