//! Generates one client per enabled API: read `openapi/<api>.yaml`, adapt it for the generator
//! (`adapt.rs`), run progenitor, rewrite its output (`surface.rs` and the steps after it),
//! write the client and its glue (`emit.rs`, `pages.rs`) to `OUT_DIR`. Everything an API's
//! generated code needs comes from this table and the spec: the module that includes it
//! defines nothing for it. A bad spec stops the build with the file and the JSON pointer it
//! is about.

mod adapt;
mod boxing;
mod builders;
mod emit;
mod envelopes;
mod headers;
mod newtypes;
mod pages;
mod spec;
mod surface;

use adapt::{Config, ListRule};
use pages::Paging;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use std::path::{Path, PathBuf};
use surface::Surface;

/// The APIs: cargo feature, spec file stem, Rust module, list rule (which operations list, and
/// the array of items in their envelopes), envelope shape (with where a list envelope says
/// which page it is: [`Paging`], in the spec's JSON names).
const APIS: &[(&str, &str, &str, ListRule, Surface)] = &[
    (
        "PERMISSION_ASSIST",
        "permission-assist",
        "permission_assist",
        ListRule {
            page_param: "page",
            items_field: "items",
        },
        Surface {
            unwrap_field: None,
            meta_field: None,
            paging: Paging::Numbered {
                number: "page",
                last: "totalPages",
                total: "totalCount",
                id: "id",
            },
        },
    ),
    (
        "PERSCOM",
        "perscom",
        "perscom",
        ListRule {
            page_param: "page",
            items_field: "data",
        },
        Surface {
            unwrap_field: Some(("data", "data")),
            meta_field: Some("meta"),
            paging: Paging::Numbered {
                number: "meta.current_page",
                last: "meta.last_page",
                total: "meta.total",
                id: "id",
            },
        },
    ),
    (
        "INTACCT",
        "intacct",
        "intacct",
        ListRule {
            page_param: "start",
            items_field: "ia::result",
        },
        Surface {
            unwrap_field: Some(("ia_result", "ia::result")),
            meta_field: Some("ia_meta"),
            // Collections are read through the query service (`intacct::query`): offsets,
            // and no list operation to give `.stream()`.
            paging: Paging::Offset {
                start: "ia::meta.start",
                next: "ia::meta.next",
                total: "ia::meta.totalCount",
            },
        },
    ),
];

/// A leading path segment the client fixes in its base URL, per Rust module (see `adapt::Config`).
const BASE_PATHS: &[(&str, &str)] = &[("perscom", "/{version}")];

/// The generic struct that stands for an API's one-field `data` envelopes, per Rust module
/// (see `envelopes`).
const ENVELOPES: &[(&str, &str)] = &[("perscom", "crate::perscom::Data")];

/// Operations that page through their request body (`start` and `size`, `ia::meta.next`),
/// per Rust module: Intacct's query service, whose hand-written pager is `intacct::query` (the
/// module named as the operation; its `MAX_SIZE` is the dynamic calls' default page size).
const BODY_PAGED: &[(&str, &str)] = &[("intacct", "query")];

fn main() {
    println!("cargo:rerun-if-changed=build");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let enabled: Vec<_> = APIS
        .iter()
        .filter(|(feature, ..)| std::env::var_os(format!("CARGO_FEATURE_{feature}")).is_some())
        .collect();
    // progenitor reports some limits by panicking: `generate` catches that and names the file,
    // and the panic itself stays quiet on the thread that is inside progenitor. Any other panic
    // is printed as always. The hook is global and the APIs are generated on threads of their
    // own (PERSCOM is most of the time; the others finish beside it on the second core), so it
    // is set once here.
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !IN_PROGENITOR.get() {
            previous(info);
        }
    }));
    let results: Vec<(String, Result<(), String>)> = std::thread::scope(|scope| {
        let threads: Vec<_> = enabled
            .iter()
            .map(|(_, stem, module, rule, surface)| {
                let file = format!("openapi/{stem}.yaml");
                let out_dir = &out_dir;
                let path = file.clone();
                // syn and prettyplease recurse deeply, unoptimised: the main thread's stack,
                // not a spawned thread's 2 MiB default.
                let thread = std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || {
                        generate(Path::new(&path), module, rule, *surface, out_dir)
                    })
                    .expect("a thread for the generator");
                (file, thread)
            })
            .collect();
        threads
            .into_iter()
            .map(|(file, thread)| {
                let result = thread.join().unwrap_or_else(|panic| {
                    Err(format!(
                        "the build script panicked: {}",
                        panic_message(&*panic)
                    ))
                });
                (file, result)
            })
            .collect()
    });
    for (file, result) in results {
        println!("cargo:rerun-if-changed={file}");
        if let Err(message) = result {
            eprintln!("error: {file}: {message}");
            println!("cargo:warning={file}: {message}");
            std::process::exit(1);
        }
    }
}

fn generate(
    file: &Path,
    module: &str,
    rule: &ListRule,
    surface: Surface,
    out_dir: &Path,
) -> Result<(), String> {
    let json = spec::load(file)?;
    let config = Config {
        list_rule: rule.clone(),
        base_path: BASE_PATHS
            .iter()
            .find(|(m, _)| *m == module)
            .map(|(_, p)| *p),
    };
    if let Some(table) = emit::scope_table(&json)? {
        write(out_dir, &format!("{module}_scopes.rs"), &table)?;
    }
    write(
        out_dir,
        &format!("{module}_read_only.rs"),
        &emit::read_only(&json)?,
    )?;
    let original = json.clone();
    let adapted = adapt::adapt(json, &config).map_err(|e| e.to_string())?;
    // What pages for `permkit::dynamic`: the list operations of a page-numbered API; in an
    // offset API, the operations that page through their body (`BODY_PAGED`).
    let list_ids = match surface.paging {
        Paging::Numbered { .. } => adapted
            .lists
            .iter()
            .map(|l| l.operation_id.clone())
            .collect(),
        Paging::Offset { .. } => BODY_PAGED
            .iter()
            .filter(|(m, _)| *m == module)
            .map(|(_, id)| id.to_string())
            .collect(),
    };
    write(
        out_dir,
        &format!("{module}_operations.rs"),
        &emit::operations_table(&original, &list_ids),
    )?;
    let body_paged = BODY_PAGED
        .iter()
        .find(|(m, _)| *m == module)
        .map(|(_, id)| *id);
    write(
        out_dir,
        &format!("{module}_shape.rs"),
        &emit::dynamic_shape(module, rule, &surface, config.base_path, body_paged)?,
    )?;
    let spec: openapiv3::OpenAPI = serde_json::from_value(adapted.spec.clone())
        .map_err(|e| format!("not an OpenAPI 3.0 document after adaptation: {e}"))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(
            "crate::transport::Inner"
                .parse::<proc_macro2::TokenStream>()
                .expect("tokens"),
        )
        .with_hooks(progenitor::HooksMode::Expected)
        .with_replacement(adapt::RAW_ERROR, "::serde_json::Value", std::iter::empty());
    for (format, rust_type) in adapt::CONVERSIONS {
        settings.with_conversion(
            serde_json::from_value::<schemars::schema::SchemaObject>(
                serde_json::json!({"type": "string", "format": format}),
            )
            .expect("schema"),
            *rust_type,
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for e in &adapted.enums {
        settings.with_replacement(
            &e.name,
            format!("crate::{module}::enums::{}", e.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    for e in &adapted.int_enums {
        settings.with_replacement(
            &e.name,
            format!("crate::{module}::enums::{}", e.name),
            [TypeImpl::Display].into_iter(),
        );
    }
    let mut generator = Generator::new(&settings);
    // progenitor reports some limits by panicking: turn that into a message naming the file
    // (`main`'s panic hook keeps it quiet while `IN_PROGENITOR` is set).
    IN_PROGENITOR.set(true);
    let tokens = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        generator.generate_tokens(&spec)
    }));
    IN_PROGENITOR.set(false);
    let tokens = match tokens {
        Ok(Ok(t)) => t,
        Ok(Err(e)) => return Err(format!("progenitor rejected the adapted spec: {e}")),
        Err(panic) => {
            return Err(format!(
                "progenitor panicked on the adapted spec: {}",
                panic_message(&*panic)
            ));
        }
    };
    let mut ast: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated code does not parse: {e}"))?;
    boxing::box_fields(&mut ast, &boxing::included_relations(&adapted.spec));
    boxing::thin_lists(&mut ast, &boxing::included_lists(&adapted.spec));
    let lists = adapted
        .lists
        .iter()
        .map(|l| (l.operation_id.clone(), (l.envelope.clone(), l.item.clone())))
        .collect();
    let specs = surface::op_specs(&adapted.spec);
    let rewritten = surface::rewrite(&mut ast, surface, &lists, &specs)
        .map_err(|e| format!("the surface rewrite failed: {e}"))?;
    // After the surface rewrite, which reads the envelopes' fields.
    if let Some((_, generic)) = ENVELOPES.iter().find(|(m, _)| *m == module) {
        let generic: syn::Path =
            syn::parse_str(generic).map_err(|e| format!("not a path: {generic}: {e}"))?;
        envelopes::share(&mut ast, &generic);
    }
    builders::keep_for_requests(&mut ast);
    // After the builders are pruned: it names the body builders that take each type.
    newtypes::document(&mut ast);
    let glue = pages::emit(&ast, &rewritten, rule.items_field, &surface.paging)
        .map_err(|e| format!("the page glue: {e}"))?;
    let glue: syn::File =
        syn::parse2(glue).map_err(|e| format!("the page glue does not parse: {e}"))?;
    let code = prettyplease::unparse(&ast);
    write(out_dir, &format!("{module}_client.rs"), &code)?;
    write(
        out_dir,
        &format!("{module}_enums.rs"),
        &(emit::open_enums(&adapted.enums) + &emit::int_enums(&adapted.int_enums)),
    )?;
    write(
        out_dir,
        &format!("{module}_lists.rs"),
        &prettyplease::unparse(&glue),
    )?;
    write(
        out_dir,
        &format!("{module}_set_aside.rs"),
        &emit::set_aside(&adapted),
    )?;
    Ok(())
}

thread_local! {
    /// Whether this thread is inside progenitor, whose panics `generate` reports itself.
    static IN_PROGENITOR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// What a panic said, if it said it in text.
fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn write(dir: &Path, name: &str, text: &str) -> Result<(), String> {
    let path = dir.join(name);
    // Unchanged output keeps its timestamp, so nothing downstream rebuilds.
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
