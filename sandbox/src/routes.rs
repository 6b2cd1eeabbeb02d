//! Which API and operation a request to the sandbox is for: each API's path prefix on the
//! sandbox, and its route table (method, path template, `operationId`), which the build script
//! writes from the API's spec.

use permkit_core::Api;

mod intacct {
    include!(concat!(env!("OUT_DIR"), "/intacct_routes.rs"));
}
mod permission_assist {
    include!(concat!(env!("OUT_DIR"), "/permission_assist_routes.rs"));
}
mod perscom {
    include!(concat!(env!("OUT_DIR"), "/perscom_routes.rs"));
}

/// One route: (method, path template, `operationId`).
type Route = (&'static str, &'static str, &'static str);

/// Each enabled API with its prefix on the sandbox and its route table.
fn apis() -> &'static [(Api, &'static str, &'static [Route])] {
    &[
        (
            Api::PermissionAssist,
            super::permission_assist::PREFIX,
            permission_assist::ROUTES,
        ),
        (Api::Perscom, super::perscom::PREFIX, perscom::ROUTES),
        (Api::Intacct, super::intacct::PREFIX, intacct::ROUTES),
    ]
}

/// The API `path` (a path on the sandbox) belongs to, and the path under the API's prefix.
pub(crate) fn api_of(path: &str) -> Option<(Api, &str)> {
    apis().iter().find_map(|(api, prefix, _)| {
        let rest = path.strip_prefix(prefix)?;
        (rest.is_empty() || rest.starts_with('/')).then_some((*api, rest))
    })
}

/// The `operationId` of `method path` in `api` (`path` under the API's prefix): the template
/// that matches with the most literal segments wins (`/users/search` over `/users/{user}`).
pub(crate) fn operation(api: Api, method: &str, path: &str) -> Option<&'static str> {
    let (_, _, routes) = apis().iter().find(|(a, _, _)| *a == api)?;
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    routes
        .iter()
        .filter(|(m, _, _)| m.eq_ignore_ascii_case(method))
        .filter_map(|(_, template, id)| Some((literal_matches(template, &segments)?, *id)))
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, id)| id)
}

/// The methods `api` has a route for at `path` (under the API's prefix), in the order
/// `GET, POST, PUT, PATCH, DELETE` (others after): empty when no route has this path, so a
/// request for a known path with another method is a 405 and one for an unknown path is not.
pub(crate) fn allowed_methods(api: Api, path: &str) -> Vec<&'static str> {
    const ORDER: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];
    let Some((_, _, routes)) = apis().iter().find(|(a, _, _)| *a == api) else {
        return Vec::new();
    };
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let mut methods: Vec<&'static str> = routes
        .iter()
        .filter(|(_, template, _)| literal_matches(template, &segments).is_some())
        .map(|(method, _, _)| *method)
        .collect();
    let rank = |m: &str| ORDER.iter().position(|o| *o == m).unwrap_or(ORDER.len());
    methods.sort_by_key(|m| (rank(m), *m));
    methods.dedup();
    methods
}

/// How many literal segments of `template` match `segments`, if the template matches them all
/// (a `{parameter}` matches any non-empty segment).
fn literal_matches(template: &str, segments: &[&str]) -> Option<usize> {
    let parts: Vec<&str> = template.trim_matches('/').split('/').collect();
    if parts.len() != segments.len() {
        return None;
    }
    let mut literal = 0;
    for (part, segment) in parts.iter().zip(segments) {
        if part.starts_with('{') && part.ends_with('}') {
            if segment.is_empty() {
                return None;
            }
        } else if part == segment {
            literal += 1;
        } else {
            return None;
        }
    }
    Some(literal)
}

/// Every `operationId` of every API's route table (an id two APIs share comes twice).
pub(crate) fn operation_ids() -> impl Iterator<Item = &'static str> {
    apis()
        .iter()
        .flat_map(|(_, _, routes)| routes.iter().map(|(_, _, id)| *id))
}

/// The sandbox's own origin (`http://127.0.0.1:PORT`) as the client reached it, for the URLs a
/// mock writes into its answers (pagination links, callbacks): wiremock's `request.url` names
/// the mocks' internal server (`http://localhost/...`), so it is read from the `Host` header the
/// front passes on, or from `X-Forwarded-Proto`/`X-Forwarded-Host` when a proxy in front of the
/// sandbox sets them.
pub(crate) fn origin(request: &wiremock::Request) -> String {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    };
    match header("x-forwarded-host").or_else(|| header("host")) {
        Some(host) => format!("{}://{host}", header("x-forwarded-proto").unwrap_or("http")),
        None => request.url.origin().ascii_serialization(),
    }
}

#[cfg(test)]
mod tests {
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn names_permission_assist_operations() {
        let (api, rest) = api_of("/permission-assist/api/identities/42").unwrap();
        assert_eq!(api, Api::PermissionAssist);
        assert_eq!(operation(api, "GET", rest), Some("get_identity"));
        assert_eq!(
            operation(api, "POST", "/application-imports/stage"),
            Some("stage_application_import")
        );
        assert_eq!(operation(api, "DELETE", "/identities/42"), None);
    }

    #[test]
    fn literal_segments_win() {
        assert_eq!(
            operation(Api::Perscom, "POST", "/v2/users/search"),
            Some("search_users")
        );
        assert_eq!(
            operation(Api::Perscom, "GET", "/v2/users/7"),
            Some("get_user")
        );
        assert_eq!(api_of("/perscomx/v2/users"), None);
    }

    #[test]
    fn allowed_methods_of_a_path() {
        assert_eq!(allowed_methods(Api::Perscom, "/v2/users"), ["GET", "POST"]);
        assert_eq!(
            allowed_methods(Api::Perscom, "/v2/ranks/7"),
            ["GET", "PUT", "PATCH", "DELETE"]
        );
        // With the multipart update (`_method=PUT`) of a user's photos.
        assert_eq!(
            allowed_methods(Api::Perscom, "/v2/users/7"),
            ["GET", "POST", "PUT", "PATCH", "DELETE"]
        );
        assert_eq!(
            allowed_methods(Api::Perscom, "/v2/users/batch"),
            ["GET", "POST", "PUT", "PATCH", "DELETE"]
        );
        assert_eq!(
            allowed_methods(Api::PermissionAssist, "/identities"),
            ["GET"]
        );
        assert!(allowed_methods(Api::PermissionAssist, "/nothing/here").is_empty());
        assert!(allowed_methods(Api::Intacct, "/objects/company-config/role").contains(&"POST"));
    }
}
