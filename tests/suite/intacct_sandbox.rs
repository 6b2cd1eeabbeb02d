#![cfg(feature = "intacct")]
//! The Intacct sandbox through the client: OAuth, 600 permissions paged through the query
//! service, filters, writes that change state, and Sage-shaped errors.

use futures::TryStreamExt;
use permkit::ErrorKind;
use permkit::intacct::query::{Order, PermissionRecord, Query, QueryFilter, Row};
use permkit::intacct::{Client, MemoryTokenStore, types};
use permkit_sandbox::Sandbox;
use serde_json::json;
use std::sync::Arc;

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

#[tokio::test]
async fn six_hundred_permissions_across_pages() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let pages: Vec<_> = client
        .query(Query::permissions().size(250))
        .record_pages::<PermissionRecord>()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.items.len()).collect();
    assert_eq!(sizes, [250, 250, 100]);
    assert_eq!(pages[0].total_count, Some(600));
    let keys: std::collections::HashSet<_> = pages
        .iter()
        .flat_map(|p| p.items.iter().map(|r| r.key.clone().unwrap()))
        .collect();
    assert_eq!(keys.len(), 600);
    assert!(
        pages[0]
            .items
            .iter()
            .all(|p| p.module.as_ref().is_some_and(|m| m.is_known()))
    );
}

#[tokio::test]
async fn the_query_has_the_shape_of_every_call_on_the_sandbox() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let q = Query::permissions().size(250);

    let page: permkit::Page<Row> = client.query(q.clone()).send().await.unwrap();
    assert_eq!(
        (page.cursor, page.items.len(), page.next, page.total_count),
        (1, 250, Some(251), Some(600))
    );
    let response = client
        .query(q.clone().start(501))
        .send_with_meta()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.value().cursor, 501);
    assert_eq!(response.value().items.len(), 100);
    assert_eq!(response.into_inner().next, None);

    let rows: Vec<Row> = client
        .query(q.clone())
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(rows.len(), 600);
    let pages: Vec<permkit::Page<Row>> =
        client.query(q.clone()).pages().try_collect().await.unwrap();
    assert_eq!(
        pages.iter().map(|p| p.cursor).collect::<Vec<_>>(),
        [1, 251, 501]
    );
    let ahead: Vec<Row> = client
        .query(q.clone())
        .prefetch(4)
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ahead, rows);
    let perms: Vec<PermissionRecord> = client
        .query(q)
        .records::<PermissionRecord>()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(perms.len(), 600);
    assert_eq!(perms[0].key.as_deref(), rows[0]["key"].as_str());
    assert_eq!(client.request_counts().operation("query").sent, 2 + 3 * 4);
}

#[tokio::test]
async fn filters_order_and_expression() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let q = Query::new("company-config/permission")
        .fields(["key", "module", "permissionGroup"])
        .filter(QueryFilter::eq("module", "ACCOUNTSPAYABLE"))
        .filter(QueryFilter::is_null("permissionGroup"))
        .case_sensitive(false)
        .order_by("key", Order::Desc);
    let rows: Vec<_> = client.query(q).stream().try_collect().await.unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["module"] == "accountsPayable" && r["permissionGroup"].is_null())
    );
    let keys: Vec<u64> = rows
        .iter()
        .map(|r| r["key"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(keys.windows(2).all(|w| w[0] > w[1]));

    let either = Query::new("company-config/permission")
        .filter(QueryFilter::between("key", 1, 10))
        .filter(QueryFilter::in_("key", ["500", "501"]))
        .filter(QueryFilter::has("allowedAccessRights", "void"))
        .filter_expression("(1 or 2) and 3")
        .size(4000);
    let either = client.query(either).send().await.unwrap();
    assert!(either.items.len() <= 12);
    assert_eq!(either.next, None);

    let sys = Query::new("company-config/role")
        .fields(["id", "roleType"])
        .filter(QueryFilter::starts_with("id", "::SYS::"));
    let sys = client.query(sys).send().await.unwrap();
    assert_eq!(sys.items.len(), 2);
}

#[tokio::test]
async fn query_errors_are_sage_shaped() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let e = client
        .query(Query::new("company-config/permission").field("noSuchField"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.error_id(), Some("REST-1064"));
    assert_ne!(e.request_id(), Some("REST-1064"));
    assert!(e.support_id().is_some());
    assert_eq!(e.field_errors()[0].field.as_deref(), Some("/fields/0"));
    let e = client
        .query(Query::new("company-config/nothing"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.field_errors()[0].field.as_deref(), Some("/object"));
}

#[tokio::test]
async fn role_lifecycle_and_maps() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let create: types::RoleCreateRequest = serde_json::from_value(
        json!({"id": "Tour role", "description": "made by a test", "roleType": "enterprise"}),
    )
    .unwrap();
    let key = client
        .create_role()
        .body(create.clone())
        .send()
        .await
        .unwrap()
        .key
        .unwrap();
    let dup = client.create_role().body(create).send().await.unwrap_err();
    assert_eq!(dup.kind(), ErrorKind::Conflict);
    let update: types::RoleUpdateRequest =
        serde_json::from_value(json!({"description": "changed"})).unwrap();
    client.update_role(&key).body(update).send().await.unwrap();
    let role = client.get_role(&key).send().await.unwrap();
    assert_eq!(role.description.as_deref(), Some("changed"));
    client.delete_role(&key).send().await.unwrap();
    let gone = client.get_role(&key).send().await.unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
    assert_eq!(gone.code(), Some("notFound"));

    let maps = client.list_role_user_maps().send().await.unwrap();
    assert!(!maps.items.is_empty());
    let first = maps.items[0].key.clone().unwrap();
    let m = client.get_role_user_map(first).send().await.unwrap();
    assert!(m.role.is_some() && m.user.is_some());
}

#[tokio::test]
async fn invalid_writes_name_their_targets() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let body: types::UserGroupUpdateRequest =
        serde_json::from_value(json!({"description": "x"})).unwrap();
    let groups = client.list_user_groups().send().await.unwrap();
    let key = groups.items[0].key.clone().unwrap();
    client
        .update_user_group(&key)
        .body(body)
        .send()
        .await
        .unwrap();
    // A logged-in user cannot be deleted: 422 with the business-rule detail.
    let users: Vec<_> = client
        .query(Query::new("company-config/user").fields(["key"]))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(users.len(), 48);
    let e = client
        .delete_user(users[0]["key"].as_str().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unprocessable);
    assert_eq!(e.field_errors()[0].code.as_deref(), Some("BL01001973"));
}

#[tokio::test]
async fn wrong_credentials_and_rotating_refresh_tokens() {
    let sandbox = Sandbox::start().await;
    let bad = Client::builder(sandbox.intacct_url())
        .client_credentials(
            Sandbox::INTACCT_CLIENT_ID,
            "wrong",
            Sandbox::INTACCT_USERNAME,
        )
        .build()
        .unwrap();
    let e = bad.list_permissions().send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Unauthorized);
    assert_eq!(e.code(), Some("invalid_client"));
    assert!(!e.to_string().contains("wrong"));

    // Get a refresh token with the client credentials grant, then use it twice with rotation.
    let http = reqwest::Client::new();
    let first: serde_json::Value = http
        .post(format!("{}/oauth2/token", sandbox.intacct_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", Sandbox::INTACCT_CLIENT_ID),
            ("client_secret", Sandbox::INTACCT_CLIENT_SECRET),
            ("username", Sandbox::INTACCT_USERNAME),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rt = first["refresh_token"].as_str().unwrap().to_string();
    let store = Arc::new(MemoryTokenStore::new(rt.clone()));
    let client = Client::builder(sandbox.intacct_url())
        .refresh_token(
            Sandbox::INTACCT_CLIENT_ID,
            Sandbox::INTACCT_CLIENT_SECRET,
            store.clone(),
        )
        .build()
        .unwrap();
    client.list_roles().send().await.unwrap();
    assert_ne!(store.current().unwrap().expose(), rt);
    // The old refresh token was consumed by the rotation.
    let stale = Client::builder(sandbox.intacct_url())
        .refresh_token_in_memory(
            Sandbox::INTACCT_CLIENT_ID,
            Sandbox::INTACCT_CLIENT_SECRET,
            rt,
        )
        .build()
        .unwrap();
    let e = stale.list_roles().send().await.unwrap_err();
    assert_eq!(e.code(), Some("invalid_grant"));
}

#[tokio::test]
async fn entities_are_checked() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    client
        .with_entity("UK")
        .unwrap()
        .list_roles()
        .send()
        .await
        .unwrap();
    let e = client
        .with_entity("Atlantis")
        .unwrap()
        .list_roles()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(
        e.field_errors()[0].field.as_deref(),
        Some("X-IA-API-Param-Entity")
    );
    let entity_token = Client::builder(sandbox.intacct_url())
        .client_credentials(
            Sandbox::INTACCT_CLIENT_ID,
            Sandbox::INTACCT_CLIENT_SECRET,
            format!("{}|US-West", Sandbox::INTACCT_USERNAME),
        )
        .build()
        .unwrap();
    entity_token.list_users().send().await.unwrap();
}

#[tokio::test]
async fn model_service() {
    let sandbox = Sandbox::start().await;
    let client = client(&sandbox).await;
    let m = client
        .get_model()
        .name("company-config/permission")
        .send()
        .await
        .unwrap();
    match m {
        types::ModelResult::ResourceModel(r) => assert!(r.fields.contains_key("module")),
        other => panic!("expected a model, got {other:?}"),
    }
}
