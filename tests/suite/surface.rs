#![cfg(all(
    feature = "permission-assist",
    feature = "perscom",
    feature = "intacct"
))]
//! The designed surface, as the 0.2 migration promises it: `send()` returns permkit's own
//! types for every API, required path parameters are arguments, `?` in an `anyhow` function
//! keeps a downcastable `permkit::Error`.

use permkit::{ErrorKind, intacct, permission_assist, perscom};
use permkit_sandbox::Sandbox;

async fn clients(
    sandbox: &Sandbox,
) -> (permission_assist::Client, perscom::Client, intacct::Client) {
    let pa = permission_assist::Client::builder(sandbox.permission_assist_url())
        .token(Sandbox::PERMISSION_ASSIST_TOKEN)
        .build()
        .unwrap();
    let pc = perscom::Client::builder(sandbox.perscom_url())
        .api_key(Sandbox::PERSCOM_API_KEY)
        .perscom_id("1")
        .build()
        .unwrap();
    let ia = intacct::Client::builder(sandbox.intacct_url())
        .client_credentials(
            Sandbox::INTACCT_CLIENT_ID,
            Sandbox::INTACCT_CLIENT_SECRET,
            Sandbox::INTACCT_USERNAME,
        )
        .build()
        .unwrap();
    (pa, pc, ia)
}

#[tokio::test]
async fn every_api_returns_its_own_types() -> anyhow::Result<()> {
    let sandbox = Sandbox::start().await;
    let (pa, pc, ia) = clients(&sandbox).await;

    let page: permkit::Page<permission_assist::types::Identity> =
        pa.list_identities().send().await?;
    let one: permission_assist::types::Identity = pa.get_identity(page.items[0].id).send().await?;
    assert_eq!(one.id, page.items[0].id);
    let e: permkit::Error = pa.get_identity(uuid::Uuid::nil()).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(e.status(), Some(404));

    let user: perscom::types::User = pc.get_user(1).include("rank").send().await?;
    assert_eq!(user.id, 1);
    assert!(user.rank.is_some(), "include=rank is honoured");

    let role: intacct::types::Role = ia.get_role("1").send().await?;
    assert_eq!(role.key.as_deref(), Some("1"));
    let roles: permkit::Page<intacct::types::ObjectReference> = ia.list_roles().send().await?;
    assert!(!roles.items.is_empty());
    Ok(())
}

async fn missing_identity(pa: &permission_assist::Client) -> anyhow::Result<()> {
    pa.get_identity(uuid::Uuid::nil()).send().await?;
    Ok(())
}

#[tokio::test]
async fn question_mark_in_anyhow_keeps_a_downcastable_error() {
    let sandbox = Sandbox::start().await;
    let (pa, _, _) = clients(&sandbox).await;
    let e = missing_identity(&pa).await.unwrap_err();
    let e = e
        .downcast_ref::<permkit::Error>()
        .expect("a permkit::Error inside anyhow");
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert!(!format!("{e}").contains("RawErrorBody"), "{e}");
}

#[tokio::test]
async fn send_with_meta_gives_status_and_headers() {
    let sandbox = Sandbox::start().await;
    let (pa, _, _) = clients(&sandbox).await;
    let response = pa.list_identities().send_with_meta().await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("content-type"));
    assert!(!response.value().items.is_empty());
}

#[tokio::test]
async fn refused_values_name_the_operation_and_the_parameter() {
    let sandbox = Sandbox::start().await;
    let (pa, pc, _) = clients(&sandbox).await;
    // A value the spec does not allow is refused as the server would: a validation error on
    // the parameter, before anything is sent.
    let e = pa.list_identities().page(0).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.status(), None, "nothing was sent");
    assert_eq!(e.operation(), Some("list_identities"));
    assert_eq!(
        e.field_errors()[0].to_string(),
        "page: must be a number of 1 or more",
        "{e}"
    );
    assert!(
        e.to_string().starts_with("list_identities: validation"),
        "{e}"
    );
    let e = pc.get_user(u64::MAX).send().await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Validation);
    assert_eq!(e.field_errors()[0].field.as_deref(), Some("user"), "{e}");
}

#[test]
fn integer_coded_enums_are_named_and_open() {
    use perscom::types::RankRecordType;
    assert_eq!(RankRecordType::from(0), RankRecordType::Promotion);
    assert_eq!(RankRecordType::Demotion.value(), 1);
    assert_eq!(RankRecordType::from(7), RankRecordType::UnknownValue(7));
    let decoded: RankRecordType = serde_json::from_str("3").unwrap();
    assert_eq!(decoded, RankRecordType::Transfer);
}
