//! Refusing what the API would: each request's query parameters are checked against its
//! operation's parameters in the spec (type, format, enum values, bounds, PERSCOM's `include`
//! whitelist), and a request the spec does not allow gets the API's validation error.

use permkit_core::Api;
use serde_json::Value;

/// One query parameter of one operation, as the spec declares it (a table the build script
/// writes).
#[derive(Debug)]
pub(crate) struct Param {
    pub(crate) operation: &'static str,
    pub(crate) name: &'static str,
    /// A comma-separated list (`style: form, explode: false`).
    pub(crate) array: bool,
    /// The JSON type of one value (`integer`, `string`, `boolean`).
    pub(crate) kind: &'static str,
    pub(crate) format: &'static str,
    /// The allowed values (the enum, or PERSCOM's include whitelist); empty: any.
    pub(crate) values: &'static [&'static str],
    /// `values` are PERSCOM include patterns (`author(.*)` allows `author` and `author.x`).
    pub(crate) includes: bool,
    pub(crate) minimum: Option<i64>,
    pub(crate) maximum: Option<i64>,
}

mod intacct {
    include!(concat!(env!("OUT_DIR"), "/intacct_params.rs"));
}
mod permission_assist {
    include!(concat!(env!("OUT_DIR"), "/permission_assist_params.rs"));
}
mod perscom {
    include!(concat!(env!("OUT_DIR"), "/perscom_params.rs"));
}

fn table(api: Api) -> &'static [Param] {
    match api {
        Api::Perscom => perscom::PARAMS,
        Api::PermissionAssist => permission_assist::PARAMS,
        Api::Intacct => intacct::PARAMS,
        #[allow(unreachable_patterns)]
        _ => &[],
    }
}

/// What is wrong with the query of a call to `operation`: (parameter, message) pairs, empty
/// when the spec allows it. Parameters the spec does not declare are let through.
pub(crate) fn check_query(api: Api, operation: &str, query: Option<&str>) -> Vec<(String, String)> {
    let Some(query) = query else {
        return Vec::new();
    };
    let params: Vec<&Param> = table(api)
        .iter()
        .filter(|p| p.operation == operation)
        .collect();
    let mut problems = Vec::new();
    for (name, value) in form_urlencoded_pairs(query) {
        let Some(param) = params.iter().find(|p| p.name == name) else {
            continue;
        };
        let items: Vec<&str> = if param.array {
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            vec![value.as_str()]
        };
        if param.includes {
            let bad: Vec<&str> = items
                .iter()
                .copied()
                .filter(|item| !param.values.iter().any(|p| include_allowed(p, item)))
                .collect();
            if !bad.is_empty() {
                problems.push((
                    name.clone(),
                    format!("Requested include(s) [{}] are not allowed.", bad.join(", ")),
                ));
            }
            continue;
        }
        if let Some(message) = items.iter().find_map(|item| check_value(param, item)) {
            problems.push((name.clone(), message));
        }
    }
    problems
}

fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    serde_urlencoded::from_str::<Vec<(String, String)>>(query).unwrap_or_default()
}

/// Whether include `item` matches whitelist entry `pattern` (`author(.*)`, `rank.image`).
fn include_allowed(pattern: &str, item: &str) -> bool {
    match pattern.strip_suffix("(.*)") {
        Some(head) => item == head || item.strip_prefix(head).is_some_and(|r| r.starts_with('.')),
        None => item == pattern,
    }
}

/// What is wrong with one value, in Laravel's words.
fn check_value(param: &Param, value: &str) -> Option<String> {
    let name = param.name;
    match param.kind {
        "integer" => {
            let Ok(n) = value.parse::<i64>() else {
                return Some(format!("The {name} field must be an integer."));
            };
            if let Some(min) = param.minimum.filter(|m| n < *m) {
                return Some(format!("The {name} field must be at least {min}."));
            }
            if let Some(max) = param.maximum.filter(|m| n > *m) {
                return Some(format!("The {name} field must not be greater than {max}."));
            }
        }
        "number" if value.parse::<f64>().is_err() => {
            return Some(format!("The {name} field must be a number."));
        }
        "boolean" if !matches!(value, "true" | "false" | "1" | "0") => {
            return Some(format!("The {name} field must be true or false."));
        }
        "string" if param.format == "uuid" && uuid::Uuid::parse_str(value).is_err() => {
            return Some(format!("The {name} field must be a valid UUID."));
        }
        _ => {}
    }
    if !param.values.is_empty() && !param.values.contains(&value) {
        return Some(format!("The selected {name} is invalid."));
    }
    None
}

/// The API's validation error for `problems`: its status and body.
pub(crate) fn refusal(api: Api, problems: Vec<(String, String)>) -> (u16, Value) {
    match api {
        Api::Perscom => (422, super::perscom::validation_body(problems)),
        Api::PermissionAssist => (400, super::permission_assist::validation_body(problems)),
        Api::Intacct => (400, super::intacct::invalid_query_body(problems)),
        #[allow(unreachable_patterns)]
        _ => (400, serde_json::json!({"errors": problems})),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn include_patterns() {
        assert!(include_allowed("author(.*)", "author"));
        assert!(include_allowed("author(.*)", "author.rank"));
        assert!(!include_allowed("author(.*)", "authors"));
        assert!(include_allowed("rank.image", "rank.image"));
        assert!(!include_allowed("rank", "rank.image"));
    }

    #[test]
    fn perscom_queries() {
        assert!(
            check_query(
                Api::Perscom,
                "list_users",
                Some("page=2&limit=40&include=rank,unit")
            )
            .is_empty()
        );
        assert_eq!(
            check_query(Api::Perscom, "list_users", Some("page=0")),
            [(
                "page".to_string(),
                "The page field must be at least 1.".to_string()
            )]
        );
        assert_eq!(
            check_query(Api::Perscom, "list_users", Some("include=medals")).len(),
            1
        );
        assert_eq!(
            check_query(Api::Perscom, "list_users", Some("limit=ten")).len(),
            1
        );
        // A resource that whitelists no relation (`maxItems: 0`, no `x-perscom-includes`).
        assert_eq!(
            check_query(Api::Perscom, "list_announcements", Some("include=author")),
            [(
                "include".to_string(),
                "Requested include(s) [author] are not allowed.".to_string()
            )]
        );
    }

    #[test]
    fn permission_assist_queries() {
        assert!(
            check_query(
                Api::PermissionAssist,
                "list_access_requests",
                Some("status=Open&page=1")
            )
            .is_empty()
        );
        assert_eq!(
            check_query(
                Api::PermissionAssist,
                "list_access_requests",
                Some("status=Lost")
            ),
            [(
                "status".to_string(),
                "The selected status is invalid.".to_string()
            )]
        );
    }
}
