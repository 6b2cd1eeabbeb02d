//! Writes the sandbox's tables (routes, query parameters, JSON bodies) from each API's spec in
//! the repository's `openapi/`, with the same code permkit's build script uses to read them
//! (`build/spec.rs`, `build/tables.rs`): one set of specs, one reader.

#[path = "../build/spec.rs"]
#[allow(dead_code)]
mod spec;
#[path = "../build/tables.rs"]
mod tables;

use std::path::{Path, PathBuf};

/// (spec file stem, module name of its tables).
const APIS: &[(&str, &str)] = &[
    ("permission-assist", "permission_assist"),
    ("perscom", "perscom"),
    ("intacct", "intacct"),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../build/spec.rs");
    println!("cargo:rerun-if-changed=../build/tables.rs");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    for (stem, module) in APIS {
        let file = format!("../openapi/{stem}.yaml");
        println!("cargo:rerun-if-changed={file}");
        if let Err(message) = write_tables(Path::new(&file), module, &out_dir) {
            println!("cargo:warning={file}: {message}");
            std::process::exit(1);
        }
    }
}

fn write_tables(file: &Path, module: &str, out_dir: &Path) -> Result<(), String> {
    let json = spec::load(file)?;
    for (name, text) in [
        ("routes", tables::routes(&json)),
        ("params", tables::params(&json)),
        ("bodies", tables::bodies(&json)),
    ] {
        let path = out_dir.join(format!("{module}_{name}.rs"));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    if module == "perscom" {
        // The mock's resource catalogue.
        let path = out_dir.join(format!("{module}_kinds.rs"));
        std::fs::write(&path, tables::perscom_kinds(&json))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        // PERSCOM serves its own OpenAPI document (`GET /spec.json`): the whole spec, as JSON.
        let text = format!(
            "/// The PERSCOM OpenAPI document (`openapi/perscom.yaml`), as JSON.\n\
             pub(crate) const SPEC_JSON: &str = {:?};\n",
            json.to_string()
        );
        let path = out_dir.join(format!("{module}_spec.rs"));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
