//! The Intacct query service: a filtered, sorted query with a filter expression, one page with
//! its status and headers, paging by hand and as a stream, pages fetched ahead, the JSON sent,
//! an object's model (`get_model`), and an `ia::error` decoded with its details.
//!
//! ```text
//! cargo run --example intacct_query
//! ```
//!
//! Uses `INTACCT_URL` with `INTACCT_TOKEN`, or with `INTACCT_CLIENT_ID`,
//! `INTACCT_CLIENT_SECRET` and `INTACCT_USERNAME`, when set; the sandbox otherwise.

use futures::TryStreamExt;
use permkit::intacct::query::{Order, Query, QueryFilter};
use permkit::intacct::{Client, ClientBuilder, types};
use permkit_sandbox::Sandbox;

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
        .filter(QueryFilter::in_(
            "module",
            ["accountsPayable", "accountsReceivable", "generalLedger"],
        ))
        .filter(QueryFilter::has("allowedAccessRights", "delete"))
        .filter(QueryFilter::is_null("permissionGroup"))
        .filter_expression("1 and (2 or 3)")
        .case_sensitive(false)
        .order_by("module", Order::Asc)
        .order_by("name", Order::Asc)
        .size(10);
    println!(
        "request body:\n{}\n",
        serde_json::to_string_pretty(&q.to_json()?)?
    );

    // One page, with the response's status and headers.
    let first = client.query(q.clone()).send_with_meta().await?;
    println!(
        "first page: status {}, request id {:?}",
        first.status(),
        first.request_id()
    );
    let first = first.into_inner();
    println!(
        "  {} rows at start={}, next {:?}, total {:?}",
        first.items.len(),
        first.cursor,
        first.next,
        first.total_count
    );

    // Every page, following ia::meta.next.
    let mut pages = client.query(q.clone()).pages();
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

    // Every row, with up to 4 pages in flight once the offsets are known.
    let groups: Vec<_> = client
        .query(
            Query::new("company-config/user-group")
                .fields(["key", "id"])
                .size(5),
        )
        .prefetch(4)
        .stream()
        .try_collect()
        .await?;
    println!(
        "\n{} user groups, {} query requests so far",
        groups.len(),
        client.request_counts().operation("query").sent
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
    let count = client
        .query(
            Query::new("company-config/user")
                .filter(QueryFilter::eq("status", "active"))
                .size(1),
        )
        .send()
        .await?;
    println!("\nactive users: {:?}", count.total_count);

    // Checked before sending.
    let e = client
        .query(Query::new("company-config/permission").size(5000))
        .send()
        .await
        .unwrap_err();
    println!("refused locally: {e}");

    // Decoded ia::error with its details.
    let e = client
        .query(Query::new("company-config/permission").fields(["key", "notAField"]))
        .send()
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
