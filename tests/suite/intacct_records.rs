#![cfg(feature = "intacct")]
//! Typed records of the query objects (`permkit::intacct::objects`): each record's `query()`
//! run against the sandbox's query service and decoded into the record, lenient decoding of
//! odd rows, and every field a record asks for is a property of its object in
//! `openapi/intacct.yaml` and is named in the module's docs.

use permkit::intacct::objects::{
    RolePermissionAssignmentRecord, RoleRecord, RoleUserMapRecord, UserGroupRecord, UserRecord,
};
use permkit::intacct::query::{PERMISSION_FIELDS, Query};
use permkit::intacct::types::{
    AdminPrivileges, PermissionAccessRight, PermissionModule, PermissionName, RoleApplyTo,
    RoleType, UserStatus,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// `(object, spec schema, record fields, query)` of every typed record.
fn records() -> Vec<(&'static str, &'static str, &'static [&'static str], Query)> {
    vec![
        (
            RolePermissionAssignmentRecord::OBJECT,
            "RolePermissionAssignment",
            RolePermissionAssignmentRecord::FIELDS,
            RolePermissionAssignmentRecord::query(),
        ),
        (
            RoleUserMapRecord::OBJECT,
            "RoleUserMap",
            RoleUserMapRecord::FIELDS,
            RoleUserMapRecord::query(),
        ),
        (
            UserRecord::OBJECT,
            "User",
            UserRecord::FIELDS,
            UserRecord::query(),
        ),
        (
            UserGroupRecord::OBJECT,
            "UserGroup",
            UserGroupRecord::FIELDS,
            UserGroupRecord::query(),
        ),
        (
            RoleRecord::OBJECT,
            "Role",
            RoleRecord::FIELDS,
            RoleRecord::query(),
        ),
    ]
}

#[test]
fn each_query_asks_for_its_object_and_exactly_its_fields() {
    for (object, _, fields, query) in records() {
        assert_eq!(query.object(), object);
        assert_eq!(
            query.to_json().unwrap(),
            json!({"object": object, "fields": fields}),
            "{object}"
        );
    }
}

/// The schema a `$ref` points at (or the node itself).
fn resolve<'a>(
    schemas: &'a serde_yaml::Value,
    mut node: &'a serde_yaml::Value,
) -> &'a serde_yaml::Value {
    while let Some(r) = node["$ref"].as_str() {
        node = &schemas[r.trim_start_matches("#/components/schemas/")];
    }
    node
}

#[test]
fn every_field_asked_for_is_a_property_of_the_object_in_the_spec() {
    let text = std::fs::read_to_string("openapi/intacct.yaml").unwrap();
    let spec: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let schemas = &spec["components"]["schemas"];
    let mut all = records()
        .into_iter()
        .map(|(object, schema, fields, _)| (object, schema, fields))
        .collect::<Vec<_>>();
    all.push(("company-config/permission", "Permission", PERMISSION_FIELDS));
    for (object, schema, fields) in all {
        assert!(schemas[schema].is_mapping(), "no schema {schema}");
        for field in fields {
            let mut node = &schemas[schema];
            for part in field.split('.') {
                node = &resolve(schemas, node)["properties"][part];
                assert!(
                    !node.is_null(),
                    "{object}: `{field}` is not a property of {schema} in openapi/intacct.yaml"
                );
            }
        }
        // The object's list operation is in the spec, and sends readers to the query service.
        let path = format!("/objects/{object}");
        let list = &spec["paths"][path.as_str()]["get"]["description"];
        assert!(
            list.as_str().is_some_and(|d| d.contains("`query`")),
            "{path}"
        );
    }
}

#[test]
fn the_module_docs_name_every_field_of_every_record() {
    let source = std::fs::read_to_string("src/intacct/objects.rs").unwrap();
    let docs: String = source
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    for (object, _, fields, _) in records() {
        assert!(docs.contains(&format!("## `{object}`")), "{object}");
        for field in fields {
            assert!(docs.contains(&format!("`{field}`")), "{object}: `{field}`");
        }
    }
}

/// Decodes one row both from text and from a `Value` (rows arrive either way).
fn decode<T: DeserializeOwned + PartialEq + std::fmt::Debug>(row: Value) -> Result<T, String> {
    let from_text = serde_json::from_str::<T>(&row.to_string());
    let from_value = serde_json::from_value::<T>(row);
    match (from_text, from_value) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b);
            Ok(a)
        }
        (Err(_), Err(b)) => Err(b.to_string()),
        (a, b) => panic!("text and value disagree: {a:?} / {b:?}"),
    }
}

#[test]
fn records_read_numbers_as_ids_skip_unknown_fields_and_keep_unknown_values() {
    let a: RolePermissionAssignmentRecord = decode(json!({
        "key": 1748, "id": 1748.0, "role.key": "528", "role.id": null,
        "role": {"key": "528"}, "audit.createdByUser.id": "JohnDoe",
        "permission.key": [1, {"a": []}], "permission.id": "3295",
        "permission.module": "quantumLedger", "permission.name": "coverLetters",
        "accessRights": "list, readonly,,teleport", "href": true
    }))
    .unwrap();
    assert_eq!(a.key.as_deref(), Some("1748"));
    assert_eq!(a.id.as_deref(), Some("1748.0"));
    assert_eq!(a.role_key.as_deref(), Some("528"));
    assert_eq!(a.role_id, None);
    // An array where a key belongs reads as nothing, and what follows is still read.
    assert_eq!(a.permission_key, None);
    assert_eq!(a.permission_id.as_deref(), Some("3295"));
    assert_eq!(
        a.permission_module,
        Some(PermissionModule::UnknownValue("quantumLedger".into()))
    );
    assert_eq!(a.permission_name, Some(PermissionName::CoverLetters));
    assert_eq!(
        a.access_rights,
        [
            PermissionAccessRight::List,
            PermissionAccessRight::Readonly,
            PermissionAccessRight::UnknownValue("teleport".into())
        ]
    );
    assert_eq!(a.href, None);

    // An empty row decodes: every field is optional.
    let empty: RolePermissionAssignmentRecord = decode(json!({})).unwrap();
    assert!(empty.access_rights.is_empty() && empty.key.is_none());
    let empty: UserRecord = decode(json!({})).unwrap();
    assert_eq!((empty.id, empty.status), (None, None));

    // Access rights that are neither a list, a string nor null are an error, as for
    // PermissionRecord.
    for bad in [json!(5), json!(true), json!({"a": 1})] {
        let e = decode::<RolePermissionAssignmentRecord>(json!({"accessRights": bad})).unwrap_err();
        assert!(e.contains("accessRights"), "{e}");
    }

    let u: UserRecord = decode(json!({
        "key": 65, "id": "admin", "userType": "Business", "adminPrivileges": "FULL",
        "status": "suspended", "webServices.isEnabled": "TRUE",
        "webServices.isRestricted": "maybe", "entity.key": null, "entity.id": 313131,
        "contact.id": "Smith, John", "password.neverExpires": true
    }))
    .unwrap();
    assert_eq!(u.key.as_deref(), Some("65"));
    assert_eq!(u.admin_privileges, Some(AdminPrivileges::Full));
    assert_eq!(u.status, Some(UserStatus::UnknownValue("suspended".into())));
    assert_eq!(u.web_services_enabled, Some(true));
    assert_eq!(u.web_services_restricted, None);
    assert_eq!(
        (u.entity_key, u.entity_id.as_deref()),
        (None, Some("313131"))
    );

    let r: RoleRecord =
        decode(json!({"key": "1", "roleType": "multiEntityShared", "applyTo": null})).unwrap();
    assert_eq!(r.role_type, Some(RoleType::MultiEntityShared));
    assert_eq!(r.apply_to, None);

    let m: RoleUserMapRecord = decode(json!({"user.key": 4, "user.id": "BTI"})).unwrap();
    assert_eq!(m.user_key.as_deref(), Some("4"));
    let g: UserGroupRecord = decode(json!({"key": "41", "roles": [{"key": "7"}]})).unwrap();
    assert_eq!(g.key.as_deref(), Some("41"));
}

#[test]
fn records_serialize_with_the_query_field_names() {
    let r: RoleUserMapRecord =
        serde_json::from_value(json!({"key": "618", "role.id": "Admins"})).unwrap();
    let back = serde_json::to_value(&r).unwrap();
    assert_eq!(back["role.id"], "Admins");
    assert_eq!(
        serde_json::from_value::<RoleUserMapRecord>(back).unwrap(),
        r
    );
    let roles: RoleRecord = serde_json::from_value(json!({"applyTo": "loginOnly"})).unwrap();
    assert_eq!(
        serde_json::to_value(&roles).unwrap()["applyTo"],
        "loginOnly"
    );
    assert_eq!(roles.apply_to, Some(RoleApplyTo::LoginOnly));
}

/// Each record's `query()` against the sandbox's query service.
mod sandbox {
    use super::*;
    use futures::TryStreamExt;
    use permkit::intacct::Client;
    use permkit::intacct::query::QueryFilter;
    use permkit_sandbox::Sandbox;
    use std::collections::HashSet;

    async fn client(sandbox: &Sandbox) -> Client {
        Client::builder(sandbox.intacct_url())
            .client_credentials(
                Sandbox::INTACCT_CLIENT_ID,
                Sandbox::INTACCT_CLIENT_SECRET,
                Sandbox::INTACCT_USERNAME,
            )
            .build()
            .unwrap()
    }

    /// Every row of `query`, every page, decoded as `T`.
    async fn all<T: DeserializeOwned + Send + 'static>(client: &Client, query: Query) -> Vec<T> {
        client
            .query(query)
            .records::<T>()
            .try_collect()
            .await
            .unwrap()
    }

    fn href(object: &str, key: &Option<String>) -> Option<String> {
        key.as_ref()
            .map(|k| format!("/objects/company-config/{object}/{k}"))
    }

    #[tokio::test]
    async fn roles() {
        let sandbox = Sandbox::start().await;
        let client = client(&sandbox).await;
        let roles: Vec<RoleRecord> = all(&client, RoleRecord::query()).await;
        assert_eq!(roles.len(), 14);
        for r in &roles {
            assert!(
                r.key.is_some() && r.id.is_some() && r.description.is_some(),
                "{r:?}"
            );
            assert!(
                r.role_type.as_ref().is_some_and(RoleType::is_known),
                "{r:?}"
            );
            assert!(
                r.apply_to.as_ref().is_some_and(RoleApplyTo::is_known),
                "{r:?}"
            );
            assert_eq!(r.href, href("role", &r.key));
            if r.id.as_deref().is_some_and(|id| id.starts_with("::SYS::")) {
                assert_eq!(r.role_type, Some(RoleType::MultiEntityShared));
            }
        }
    }

    #[tokio::test]
    async fn role_permission_assignments() {
        let sandbox = Sandbox::start().await;
        let client = client(&sandbox).await;
        let roles: Vec<RoleRecord> = all(&client, RoleRecord::query()).await;
        let role_keys: HashSet<_> = roles.iter().filter_map(|r| r.key.clone()).collect();
        // More than one page of the pager's 4000 would be a lot: ask for 100 a page.
        let assignments: Vec<RolePermissionAssignmentRecord> =
            all(&client, RolePermissionAssignmentRecord::query().size(100)).await;
        assert!(assignments.len() > 14 * 12, "{}", assignments.len());
        let keys: HashSet<_> = assignments.iter().map(|a| a.key.clone()).collect();
        assert_eq!(keys.len(), assignments.len(), "no row twice across pages");
        for a in &assignments {
            assert_eq!(a.id, a.key);
            assert!(
                a.role_key.as_ref().is_some_and(|k| role_keys.contains(k)),
                "{a:?}"
            );
            assert!(a.role_id.is_some() && a.permission_key.is_some(), "{a:?}");
            assert_eq!(a.permission_id, a.permission_key);
            assert!(
                a.permission_module
                    .as_ref()
                    .is_some_and(PermissionModule::is_known)
            );
            assert!(
                a.permission_name
                    .as_ref()
                    .is_some_and(PermissionName::is_known)
            );
            assert!(!a.access_rights.is_empty(), "{a:?}");
            assert!(a.access_rights.iter().all(PermissionAccessRight::is_known));
            assert_eq!(a.href, href("role-permission-assignment", &a.key));
        }
        // A filter on a dotted field: the assignments of one role.
        let admin: Vec<RolePermissionAssignmentRecord> = all(
            &client,
            RolePermissionAssignmentRecord::query()
                .filter(QueryFilter::eq("role.id", "Administrator")),
        )
        .await;
        assert!(!admin.is_empty());
        assert!(
            admin
                .iter()
                .all(|a| a.role_id.as_deref() == Some("Administrator"))
        );
    }

    #[tokio::test]
    async fn users_and_their_role_user_maps() {
        let sandbox = Sandbox::start().await;
        let client = client(&sandbox).await;
        let users: Vec<UserRecord> = all(&client, UserRecord::query()).await;
        assert_eq!(users.len(), 48);
        for u in &users {
            assert!(
                u.key.is_some() && u.id.is_some() && u.user_name.is_some(),
                "{u:?}"
            );
            assert!(
                u.account_email.as_deref().is_some_and(|e| e.contains('@')),
                "{u:?}"
            );
            assert!(u.user_type.as_ref().is_some_and(|t| t.is_known()), "{u:?}");
            assert!(u.status.as_ref().is_some_and(UserStatus::is_known), "{u:?}");
            assert!(
                u.admin_privileges.is_some() && u.trusted_devices.is_some(),
                "{u:?}"
            );
            assert!(u.web_services_enabled.is_some(), "{u:?}");
            assert_eq!(u.web_services_restricted, Some(false));
            assert!(u.contact_key.is_some() && u.contact_id.is_some(), "{u:?}");
            assert_eq!(u.href, href("user", &u.key));
        }
        let admin = users
            .iter()
            .find(|u| u.id.as_deref() == Some("admin"))
            .unwrap();
        assert_eq!(admin.admin_privileges, Some(AdminPrivileges::Full));
        // Top-level users have a null entity; the others name theirs.
        assert!(
            users
                .iter()
                .any(|u| u.entity_id.is_none() && u.entity_key.is_none())
        );
        assert!(
            users
                .iter()
                .any(|u| u.entity_id.is_some() && u.entity_name.is_some())
        );

        let maps: Vec<RoleUserMapRecord> = all(&client, RoleUserMapRecord::query()).await;
        let user_keys: HashSet<_> = users.iter().filter_map(|u| u.key.clone()).collect();
        let mapped: HashSet<_> = maps.iter().filter_map(|m| m.user_key.clone()).collect();
        assert_eq!(mapped, user_keys, "every user has at least one role");
        for m in &maps {
            assert!(
                m.role_key.is_some() && m.role_id.is_some() && m.user_id.is_some(),
                "{m:?}"
            );
            assert_eq!(m.id, m.key);
            assert_eq!(m.href, href("role-user-map", &m.key));
        }
        // The roles of one user, through a dotted field.
        let mine: Vec<RoleUserMapRecord> = all(
            &client,
            RoleUserMapRecord::query().filter(QueryFilter::eq("user.id", "admin")),
        )
        .await;
        assert!(!mine.is_empty());
        assert!(mine.iter().all(|m| m.user_key == admin.key));
    }

    #[tokio::test]
    async fn user_groups() {
        let sandbox = Sandbox::start().await;
        let client = client(&sandbox).await;
        let groups: Vec<UserGroupRecord> = all(&client, UserGroupRecord::query()).await;
        assert_eq!(groups.len(), 6);
        let ids: HashSet<_> = groups.iter().filter_map(|g| g.id.as_deref()).collect();
        assert!(
            ids.contains("AP") && ids.contains("Bypass group"),
            "{ids:?}"
        );
        for g in &groups {
            assert!(g.key.is_some() && g.description.is_some(), "{g:?}");
            assert_eq!(g.href, href("user-group", &g.key));
        }
    }
}
