//! The Intacct query service: a filtered, sorted query with a filter expression, paging by
//! hand and as a stream, the JSON sent, the raw `query` operation, an object's model
//! (`get_model`), and an `ia::error` decoded with its details.
//!
//! ```text
//! cargo run --example intacct_query
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise.

use futures::TryStreamExt;
use permkit::intacct::query::{Filter, Order, Query};
use permkit::intacct::{Client, ClientBuilder, types};
use permkit::sandbox::Sandbox;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await;
    let client = match ClientBuilder::from_env() {
        Some(builder) => builder.build()?,
        None => Client::builder(sandbox.intacct_url())
            .client_credentials(
                Sandbox::INTACCT_CLIENT_ID,
                Sandbox::INTACCT_CLIENT_SECRET,
                Sandbox::INTACCT_USERNAME,
            )
            .build()?,
    };

    let q = Query::new("company-config/permission")
        .fields([
            "key",
            "module",
            "name",
            "permissionGroup",
            "allowedAccessRights",
        ])
        .filter(Filter::in_(
            "module",
            ["accountsPayable", "accountsReceivable", "generalLedger"],
        ))
        .filter(Filter::has("allowedAccessRights", "delete"))
        .filter(Filter::is_null("permissionGroup"))
        .filter_expression("1 and (2 or 3)")
        .case_sensitive(false)
        .order_by("module", Order::Asc)
        .order_by("name", Order::Asc)
        .size(10);
    println!(
        "request body:\n{}\n",
        serde_json::to_string_pretty(&q.to_json()?)?
    );

    // One page by hand.
    let first = q.send(&client).await?;
    println!(
        "first page: {} rows, meta {:?}",
        first.rows.len(),
        first.meta
    );

    // Every page, following ia::meta.next.
    let mut pages = q.pages(&client);
    while let Some(page) = pages.try_next().await? {
        println!(
            "start={} rows={} next={:?}",
            page.cursor,
            page.items.len(),
            page.next
        );
        for row in &page.items {
            println!("  {} {} {}", row["key"], row["module"], row["name"]);
        }
    }

    // The same service without the builder: the generated `query` operation and its body.
    let raw = client
        .query()
        .body(
            types::QueryRequest::builder()
                .object("company-config/user-group")
                .fields(vec!["key".to_string(), "id".to_string()])
                .size(Some(5)),
        )
        .send()
        .await?;
    println!(
        "\nquery(): {} user groups of {:?}",
        raw.items.len(),
        raw.total_count
    );

    // The model service: which fields an object has.
    match client
        .get_model()
        .name("company-config/user-group")
        .send()
        .await?
    {
        types::ModelResult::ResourceModel(m) => {
            let fields: Vec<&str> = m.fields.keys().map(String::as_str).collect();
            println!("model of company-config/user-group: {}", fields.join(", "));
        }
        types::ModelResult::Array(list) => println!("{} resources match", list.len()),
    }

    // Counting: size 1 and read totalCount.
    let count = Query::new("company-config/user")
        .filter(Filter::eq("status", "active"))
        .size(1)
        .send(&client)
        .await?;
    println!("\nactive users: {:?}", count.meta.total_count);

    // Checked before sending.
    let e = Query::new("company-config/permission")
        .size(5000)
        .send(&client)
        .await
        .unwrap_err();
    println!("refused locally: {e}");

    // Decoded ia::error with its details.
    let e = Query::new("company-config/permission")
        .fields(["key", "notAField"])
        .send(&client)
        .await
        .unwrap_err();
    println!("server error: {e}");
    for d in e.field_errors() {
        println!(
            "  detail: target={:?} message={:?} code={:?}",
            d.field, d.message, d.code
        );
    }
    Ok(())
}
