#![cfg(feature = "intacct")]
//! Every Intacct operation against wiremock: method, path, query, headers (bearer, entity,
//! content type) and body on the wire, and the decoding of Sage's documented samples.

use permkit::intacct::{Client, types};
use serde_json::{Value, json};
use wiremock::matchers::{
    body_json, body_string_contains, header, header_exists, method, path, query_param,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "eyJhbGciOi.static.token";
const CC: &str = "/objects/company-config";

async fn setup() -> (MockServer, Client) {
    let server = MockServer::start().await;
    let client = Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token(TOKEN)
        .build()
        .unwrap();
    (server, client)
}

fn auth() -> wiremock::matchers::HeaderExactMatcher {
    header("authorization", format!("Bearer {TOKEN}").as_str())
}

fn entity(e: &str) -> wiremock::matchers::HeaderExactMatcher {
    header("x-ia-api-param-entity", e)
}

fn p(rest: &str) -> wiremock::matchers::PathExactMatcher {
    path(format!("/ia/api/v1{rest}"))
}

fn refs(object: &str, keys: &[&str]) -> Value {
    let items: Vec<Value> = keys.iter().map(|k| json!({"key": k, "id": format!("ID{k}"), "href": format!("/objects/company-config/{object}/{k}")})).collect();
    json!({"ia::result": items, "ia::meta": {"totalCount": keys.len(), "start": 1, "pageSize": 100, "next": null, "previous": null}})
}

fn written(object: &str, key: &str) -> Value {
    json!({"ia::result": {"key": key, "id": format!("ID{key}"), "href": format!("/objects/company-config/{object}/{key}")},
           "ia::meta": {"totalCount": 1, "totalSuccess": 1, "totalError": 0}})
}

fn one(v: Value) -> Value {
    json!({"ia::result": v, "ia::meta": {"totalCount": 1, "totalSuccess": 1, "totalError": 0}})
}

/// No request body on GET and DELETE.
fn no_body(r: &Request) -> bool {
    r.body.is_empty()
}

macro_rules! list_test {
    ($name:ident, $op:ident, $object:literal) => {
        #[tokio::test]
        async fn $name() {
            let (server, client) = setup().await;
            Mock::given(method("GET"))
                .and(p(&format!("{CC}/{}", $object)))
                .and(auth())
                .and(header("accept", "application/json"))
                .and(no_body)
                .respond_with(
                    ResponseTemplate::new(200).set_body_json(refs($object, &["1", "2", "3"])),
                )
                .expect(1)
                .mount(&server)
                .await;
            let list = client.$op().send().await.unwrap();
            assert_eq!(list.items.len(), 3);
            assert_eq!(list.items[2].key.as_deref(), Some("3"));
            assert_eq!(
                list.items[0].href.as_deref(),
                Some(concat!("/objects/company-config/", $object, "/1"))
            );
            assert_eq!((list.total_count, list.next), (Some(3), None));
            assert_eq!(list.cursor, 1);
        }
    };
}

list_test!(list_permissions, list_permissions, "permission");
list_test!(list_roles, list_roles, "role");
list_test!(
    list_role_permission_assignments,
    list_role_permission_assignments,
    "role-permission-assignment"
);
list_test!(list_role_user_maps, list_role_user_maps, "role-user-map");
list_test!(
    list_role_user_group_maps,
    list_role_user_group_maps,
    "role-user-group-map"
);
list_test!(list_user_groups, list_user_groups, "user-group");
list_test!(
    list_user_group_members,
    list_user_group_members,
    "user-group-member"
);
list_test!(list_users, list_users, "user");

#[tokio::test]
async fn list_with_entity_header_per_call() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/role")))
        .and(entity("US-East"))
        .respond_with(ResponseTemplate::new(200).set_body_json(refs("role", &["7"])))
        .expect(1)
        .mount(&server)
        .await;
    let list = client
        .list_roles()
        .x_ia_api_param_entity("US-East")
        .send()
        .await
        .unwrap();
    assert_eq!(list.items[0].key.as_deref(), Some("7"));
}

#[tokio::test]
async fn get_permission_decodes_sage_sample_and_unknown_enum_values() {
    let (server, client) = setup().await;
    let sample = one(
        json!({"key": "1", "id": "1", "module": "myAccounting", "name": "switchToMyAccounting",
        "permissionGroup": "activitiesAndLists", "allowedAccessRights": ["list", "teleport"], "href": "/objects/company-config/permission/1"}),
    );
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/permission/1")))
        .and(auth())
        .and(no_body)
        .respond_with(ResponseTemplate::new(200).set_body_json(sample))
        .expect(1)
        .mount(&server)
        .await;
    let p = client.get_permission("1").send().await.unwrap();
    assert_eq!(p.module, Some(types::PermissionModule::MyAccounting));
    assert_eq!(p.name, Some(types::PermissionName::SwitchToMyAccounting));
    assert_eq!(
        p.permission_group,
        Some(types::PermissionGroup::ActivitiesAndLists)
    );
    assert_eq!(
        p.allowed_access_rights,
        [
            types::PermissionAccessRight::List,
            types::PermissionAccessRight::UnknownValue("teleport".into())
        ]
    );
}

#[tokio::test]
async fn get_permission_with_null_group_and_path_encoding() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/permission/10%2F2")))
        .respond_with(ResponseTemplate::new(200).set_body_json(one(
            json!({"key": "10", "permissionGroup": null, "module": "brandNewModule"}),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let p = client.get_permission("10/2").send().await.unwrap();
    assert_eq!(p.permission_group, None);
    assert_eq!(
        p.module,
        Some(types::PermissionModule::UnknownValue(
            "brandNewModule".into()
        ))
    );
}

#[tokio::test]
async fn get_role() {
    let (server, client) = setup().await;
    let role = json!({"key": "24", "id": "Employee", "description": "Full employee permissions including approvals",
        "roleType": "enterprise", "applyTo": "loginAndSlideIn",
        "rolePermissionAssignments": [{"key": "1748", "id": "1748", "permission": {"key": "3295", "id": "3295", "module": "accountsPayable", "name": "vendors"}, "accessRights": ["list", "readonly"]}],
        "roleUsers": [{"key": "618", "id": "618", "role": {"key": "24", "id": "Employee"}, "user": {"key": "189", "id": "Admin"}}],
        "roleGroups": [],
        "audit": {"createdDateTime": "2024-01-05T10:00:00Z", "modifiedDateTime": "2025-02-01T08:00:00Z", "createdBy": "1", "modifiedBy": null},
        "href": "/objects/company-config/role/24"});
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/role/24")))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(one(role)))
        .expect(1)
        .mount(&server)
        .await;
    let r = client.get_role("24").send().await.unwrap();
    assert_eq!(r.id.as_deref(), Some("Employee"));
    assert_eq!(r.role_type, Some(types::RoleType::Enterprise));
    assert_eq!(r.apply_to, Some(types::RoleApplyTo::LoginAndSlideIn));
    assert_eq!(r.role_permission_assignments[0].access_rights.len(), 2);
    assert_eq!(r.role_users.len(), 1);
    assert!(r.audit.unwrap().created_date_time.is_some());
}

#[tokio::test]
async fn create_role() {
    let (server, client) = setup().await;
    let body = json!({"id": "AP Clerk", "description": "Bills", "roleType": "enterprise", "applyTo": "loginOnly",
        "rolePermissionAssignments": [{"permission": {"key": "3295"}, "accessRights": ["list", "readonly", "add"]}]});
    Mock::given(method("POST"))
        .and(p(&format!("{CC}/role")))
        .and(auth())
        .and(header("content-type", "application/json"))
        .and(body_json(&body))
        .respond_with(
            ResponseTemplate::new(201)
                .insert_header("X-Request-Id", "req-470")
                .set_body_json(written("role", "470")),
        )
        .expect(1)
        .mount(&server)
        .await;
    let req: types::RoleCreateRequest = serde_json::from_value(body.clone()).unwrap();
    let r = client
        .create_role()
        .body(req)
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(r.request_id(), Some("req-470"));
    assert_eq!(
        r.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    assert_eq!(r.value().id.as_deref(), Some("ID470"));
    assert_eq!(r.into_inner().key.as_deref(), Some("470"));
}

#[tokio::test]
async fn a_success_without_ia_result_is_a_decode_error() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/role/24")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ia::meta": {"totalCount": 0}})),
        )
        .expect(1)
        .mount(&server)
        .await;
    let e = client.get_role("24").send().await.unwrap_err();
    assert_eq!(e.kind(), permkit::ErrorKind::Decode);
    assert!(e.message().contains("ia::result"), "{e}");
}

#[tokio::test]
async fn update_role() {
    let (server, client) = setup().await;
    let body = json!({"description": "Changed", "rolePermissionAssignments": [{"key": "1748", "accessRights": ["list"]}]});
    Mock::given(method("PATCH"))
        .and(p(&format!("{CC}/role/470")))
        .and(auth())
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(200).set_body_json(written("role", "470")))
        .expect(1)
        .mount(&server)
        .await;
    let req: types::RoleUpdateRequest = serde_json::from_value(body).unwrap();
    let r = client.update_role("470").body(req).send().await.unwrap();
    assert_eq!(r.key.as_deref(), Some("470"));
}

#[tokio::test]
async fn delete_role() {
    let (server, client) = setup().await;
    Mock::given(method("DELETE"))
        .and(p(&format!("{CC}/role/470")))
        .and(auth())
        .and(no_body)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(
        client
            .delete_role("470")
            .send_with_meta()
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn get_role_permission_assignment() {
    let (server, client) = setup().await;
    let rpa = json!({"key": "1748", "id": "1748", "role": {"key": "528", "id": "::SYS::Multi Entity Shared-ROLE-FOR - EMP4-US", "href": "/objects/company-config/role/528"},
        "permission": {"key": "3295", "id": "3295", "module": "accountsPayable", "name": "vendors"}, "accessRights": ["list", "readonly", "add", "modify", "delete"]});
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/role-permission-assignment/1748")))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(one(rpa)))
        .expect(1)
        .mount(&server)
        .await;
    let r = client
        .get_role_permission_assignment("1748")
        .send()
        .await
        .unwrap();
    assert_eq!(r.access_rights.len(), 5);
    assert!(r.role.unwrap().id.unwrap().starts_with("::SYS::"));
    assert_eq!(
        r.permission.unwrap().name,
        Some(types::PermissionName::Vendors)
    );
}

#[tokio::test]
async fn update_role_permission_assignment() {
    let (server, client) = setup().await;
    let body = json!({"accessRights": ["list", "readonly"]});
    Mock::given(method("PATCH"))
        .and(p(&format!("{CC}/role-permission-assignment/1748")))
        .and(auth())
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(200).set_body_json(written("role", "528")))
        .expect(1)
        .mount(&server)
        .await;
    let req: types::RolePermissionAssignmentUpdateRequest = serde_json::from_value(body).unwrap();
    let r = client
        .update_role_permission_assignment("1748")
        .body(req)
        .send()
        .await
        .unwrap();
    assert_eq!(r.href.as_deref(), Some("/objects/company-config/role/528"));
}

#[tokio::test]
async fn get_role_user_map() {
    let (server, client) = setup().await;
    let m = json!({"key": "618", "id": "618", "role": {"key": "469", "id": "Admin role"}, "user": {"key": "189", "id": "Admin"}});
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/role-user-map/618")))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(one(m)))
        .expect(1)
        .mount(&server)
        .await;
    let r = client.get_role_user_map("618").send().await.unwrap();
    assert_eq!(r.user.unwrap().id.as_deref(), Some("Admin"));
}

#[tokio::test]
async fn get_role_user_group_map() {
    let (server, client) = setup().await;
    let m = json!({"key": "761", "id": "761", "role": {"key": "805", "id": "::SYS::Multi Entity Shared-ROLE-FOR - Aaron"}, "userGroup": {"key": "1", "id": "Bypass group"}});
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/role-user-group-map/761")))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(one(m)))
        .expect(1)
        .mount(&server)
        .await;
    let r = client.get_role_user_group_map("761").send().await.unwrap();
    assert_eq!(r.user_group.unwrap().id.as_deref(), Some("Bypass group"));
}

#[tokio::test]
async fn user_group_crud() {
    let (server, client) = setup().await;
    let create = json!({"id": "AP", "description": "Accounts Payable", "roles": [{"key": "7"}]});
    let update = json!({"roles": [{"key": "7"}, {"id": "Warehouse users"}]});
    Mock::given(method("POST"))
        .and(p(&format!("{CC}/user-group")))
        .and(auth())
        .and(body_json(&create))
        .respond_with(ResponseTemplate::new(201).set_body_json(written("user-group", "21")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/user-group/21")))
        .and(auth())
        .respond_with(ResponseTemplate::new(200).set_body_json(one(json!({"key": "21", "id": "AP", "description": "Accounts Payable",
            "roles": [{"key": "7", "id": "Warehouse users", "href": "/objects/company-config/role/7"}]}))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(p(&format!("{CC}/user-group/21")))
        .and(auth())
        .and(body_json(&update))
        .respond_with(ResponseTemplate::new(200).set_body_json(written("user-group", "21")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(p(&format!("{CC}/user-group/21")))
        .and(auth())
        .and(no_body)
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let created = client
        .create_user_group()
        .body(serde_json::from_value::<types::UserGroupCreateRequest>(create).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(created.key.as_deref(), Some("21"));
    let g = client.get_user_group("21").send().await.unwrap();
    assert_eq!(g.roles[0].id.as_deref(), Some("Warehouse users"));
    client
        .update_user_group("21")
        .body(serde_json::from_value::<types::UserGroupUpdateRequest>(update).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(
        client
            .delete_user_group("21")
            .send_with_meta()
            .await
            .unwrap()
            .status(),
        204
    );
}

#[tokio::test]
async fn user_group_member_create_get_delete() {
    let (server, client) = setup().await;
    let create = json!({"userGroup": {"key": "21"}, "user": {"key": "159"}});
    Mock::given(method("POST"))
        .and(p(&format!("{CC}/user-group-member")))
        .and(auth())
        .and(body_json(&create))
        .respond_with(
            ResponseTemplate::new(201).set_body_json(written("user-group-member", "2354")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/user-group-member/2354")))
        .respond_with(ResponseTemplate::new(200).set_body_json(one(json!({"key": "2354", "id": "2354",
            "userGroup": {"key": "21", "id": "AP"}, "user": {"key": "159", "id": "tsmith", "userName": "Tony Smith"},
            "audit": {"createdDateTime": "2024-03-01T10:00:00Z"}}))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(p(&format!("{CC}/user-group-member/2354")))
        .and(auth())
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let req: types::UserGroupMemberCreateRequest = serde_json::from_value(create).unwrap();
    client
        .create_user_group_member()
        .body(req)
        .send()
        .await
        .unwrap();
    let m = client.get_user_group_member("2354").send().await.unwrap();
    assert_eq!(m.user.unwrap().user_name.as_deref(), Some("Tony Smith"));
    client
        .delete_user_group_member("2354")
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn user_crud() {
    let (server, client) = setup().await;
    let create = json!({"id": "john.doe", "userName": "John Doe", "accountEmail": "john.doe@company.com", "userType": "business",
        "adminPrivileges": "off", "status": "active", "contact": {"id": "Doe, John"}, "roles": [{"key": "7"}]});
    let update = json!({"status": "inactive", "webServices": {"isRestricted": true}});
    Mock::given(method("POST"))
        .and(p(&format!("{CC}/user")))
        .and(auth())
        .and(body_json(&create))
        .respond_with(ResponseTemplate::new(201).set_body_json(written("user", "65")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(p(&format!("{CC}/user/65")))
        .respond_with(ResponseTemplate::new(200).set_body_json(one(json!({"key": "65", "id": "john.doe", "userType": "employee",
            "adminPrivileges": "off", "status": "lockedOut", "trustedDevices": "always",
            "entity": {"key": null, "id": null, "name": null}, "webServices": {"isEnabled": true, "isRestricted": false}}))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(p(&format!("{CC}/user/65")))
        .and(body_json(&update))
        .respond_with(ResponseTemplate::new(200).set_body_json(written("user", "65")))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .and(p(&format!("{CC}/user/65")))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    client
        .create_user()
        .body(serde_json::from_value::<types::UserCreateRequest>(create).unwrap())
        .send()
        .await
        .unwrap();
    let u = client.get_user("65").send().await.unwrap();
    assert_eq!(u.status, Some(types::UserStatus::LockedOut));
    assert_eq!(u.admin_privileges, Some(types::AdminPrivileges::Off));
    assert_eq!(u.entity.unwrap().key, None);
    client
        .update_user("65")
        .body(serde_json::from_value::<types::UserUpdateRequest>(update).unwrap())
        .send()
        .await
        .unwrap();
    client.delete_user("65").send().await.unwrap();
}

#[tokio::test]
async fn query_operation() {
    let (server, client) = setup().await;
    let body = json!({"object": "company-config/permission", "fields": ["key", "name"], "filters": [{"$eq": {"module": "accountsPayable"}}],
        "filterParameters": {"caseSensitiveComparison": false}, "orderBy": [{"key": "asc"}], "start": 1, "size": 2});
    Mock::given(method("POST"))
        .and(p("/services/core/query"))
        .and(auth())
        .and(entity("UK"))
        .and(body_json(&body))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"ia::result": [{"key": "1", "name": "vendors"}, {"key": "2", "name": "bills"}],
            "ia::meta": {"totalCount": 9, "start": 1, "pageSize": 2, "next": 3, "previous": null}}),
        ))
        .expect(2)
        .mount(&server)
        .await;
    let q = permkit::intacct::query::Query::new("company-config/permission")
        .fields(["key", "name"])
        .filter(permkit::intacct::query::QueryFilter::eq(
            "module",
            "accountsPayable",
        ))
        .case_sensitive(false)
        .order_by("key", permkit::intacct::query::Order::Asc)
        .start(1)
        .size(2)
        .entity("UK");
    assert_eq!(q.to_json().unwrap(), body);
    let rows = client.query(q.clone()).send().await.unwrap();
    assert_eq!(rows.items.len(), 2);
    assert_eq!(rows.items[0]["key"], "1");
    assert_eq!(rows.items[1]["name"], "bills");
    // `ia::meta` becomes the page's cursor, next offset and total.
    assert_eq!(
        (rows.cursor, rows.next, rows.total_count),
        (1, Some(3), Some(9))
    );
    let response = client.query(q).send_with_meta().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.value().items.len(), 2);
    assert_eq!(client.request_counts().operation("query").sent, 2);
}

#[tokio::test]
async fn get_model_sends_query_parameters() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(p("/services/core/model"))
        .and(auth())
        .and(query_param("name", "company-config/permission"))
        .and(query_param("schema", "true"))
        .and(query_param("version", "v1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ia::result": {"apiObject": "company-config/permission", "type": "object",
            "fields": {"key": {"type": "string", "readOnly": true}, "module": {"type": "string", "enum": ["myAccounting"]}}, "httpMethods": "GET"},
            "ia::meta": {"totalCount": 1}})))
        .expect(1)
        .mount(&server)
        .await;
    let m = client
        .get_model()
        .name("company-config/permission")
        .schema(true)
        .version("v1")
        .send()
        .await
        .unwrap();
    match m {
        types::ModelResult::ResourceModel(r) => assert_eq!(r.fields["key"].read_only, Some(true)),
        other => panic!("expected a model, got {other:?}"),
    }
}

#[tokio::test]
async fn get_model_list_of_resources() {
    let (server, client) = setup().await;
    Mock::given(method("GET"))
        .and(p("/services/core/model"))
        .and(query_param("filter", ".*company-config.*"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ia::result": [{"apiObject": "company-config/role", "type": "object"}], "ia::meta": {"totalCount": 1}})))
        .expect(1)
        .mount(&server)
        .await;
    let m = client
        .get_model()
        .filter(".*company-config.*")
        .send()
        .await
        .unwrap();
    assert!(matches!(m, types::ModelResult::Array(ref v) if v.len() == 1));
}

#[tokio::test]
async fn create_token_operation_is_form_encoded() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(p("/oauth2/token"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string_contains("grant_type=client_credentials"))
        .and(body_string_contains("username=ws_user%40ACME%7CUS"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "at-1", "token_type": "Bearer", "expires_in": 3600}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let req: types::TokenRequest = serde_json::from_value(
        json!({"grant_type": "client_credentials", "client_id": "cid",
        "client_secret": "cs", "username": "ws_user@ACME|US"}),
    )
    .unwrap();
    let t = client.create_token().body(req).send().await.unwrap();
    assert_eq!(t.expires_in, Some(3600));
}

#[tokio::test]
async fn create_token_error_is_unauthorized() {
    let (server, client) = setup().await;
    Mock::given(method("POST"))
        .and(p("/oauth2/token"))
        .and(header_exists("content-type"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error": "invalid_grant", "error_description": "bad refresh token"}),
        ))
        .mount(&server)
        .await;
    let req: types::TokenRequest =
        serde_json::from_value(json!({"grant_type": "refresh_token", "refresh_token": "old"}))
            .unwrap();
    let e = client.create_token().body(req).send().await.unwrap_err();
    assert_eq!(e.kind(), permkit::ErrorKind::Unauthorized);
    assert_eq!(e.code(), Some("invalid_grant"));
    assert_eq!(e.operation(), Some("create_token"));
}

#[tokio::test]
async fn create_token_carries_no_bearer_and_no_entity() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(p("/oauth2/token"))
        .and(|r: &Request| {
            !r.headers.contains_key("authorization")
                && !r.headers.contains_key("x-ia-api-param-entity")
        })
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "at-1"})))
        .expect(1)
        .mount(&server)
        .await;
    let client = Client::builder(format!("{}/ia/api/v1", server.uri()))
        .token(TOKEN)
        .entity("UK")
        .build()
        .unwrap();
    let req: types::TokenRequest =
        serde_json::from_value(json!({"grant_type": "refresh_token", "refresh_token": "r"}))
            .unwrap();
    client.create_token().body(req).send().await.unwrap();
}
