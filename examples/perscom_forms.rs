//! PERSCOM forms: the forms with their fields, and the submissions made to them; then (on the
//! sandbox, or a real server with `PERMKIT_TOUR_WRITES=1`) a form of the example's own created,
//! read and deleted.
//!
//! ```text
//! cargo run --example perscom_forms
//! ```
//!
//! Uses `PERSCOM_URL`, `PERSCOM_API_KEY` and optional `PERSCOM_ID` when set, the sandbox
//! otherwise.

mod common;

use common::Outcome;
use permkit::perscom::types::FormCreate;
use permkit_sandbox::Sandbox;

#[tokio::main]
async fn main() -> Outcome {
    let sandbox = Sandbox::start().await;
    let (client, run) = common::perscom(&sandbox)?;

    let forms = client.list_forms().send().await?;
    println!("{:?} forms", forms.total_count);
    for f in forms.items.iter().take(5) {
        let fields = client.list_form_fields(f.id).send().await?;
        let submissions = client.list_form_submissions(f.id).send().await?;
        println!(
            "  {} ({}): {} fields, {:?} submissions",
            f.name,
            f.slug,
            fields.items.len(),
            submissions.total_count
        );
    }
    let all = client.list_submissions().send().await?;
    println!("{:?} submissions in all", all.total_count);

    if !run.creates("a form of the example's own") {
        return Ok(());
    }
    let slug = format!("permkit-example-{}", common::stamp());
    let new = FormCreate::builder()
        .name("permkit example form")
        .slug(slug.clone())
        .is_public(false)
        .description(Some("Created by the permkit example".to_string()));
    let form = client.create_form().body(new).send().await?;
    let again = client.get_form(form.id).include("fields").send().await?;
    println!(
        "\ncreated form #{} {} ({})",
        again.id, again.name, again.slug
    );
    client.delete_form(form.id).send().await?;
    println!("deleted form #{}", form.id);
    Ok(())
}
