//! Rust source the build script writes beside the generated client: open enums, list glue and
//! the table of operations set aside for the hand-written layer. Everything here is a macro
//! invocation; the macros live in `src/`, so this file only decides *what* is emitted.

use crate::adapt::{Adapted, IntEnum, OpenEnum, pascal};
use crate::surface::Rewritten;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Variant name for one vendor spelling.
pub fn variant_name(value: &str) -> String {
    // Comparison operators (PERSCOM's search `operator`) have no letters to name them by.
    let symbolic = match value.trim() {
        "<" => "Lt",
        "<=" => "Le",
        ">" => "Gt",
        ">=" => "Ge",
        "=" | "==" => "Eq",
        "!=" | "<>" => "Ne",
        _ => "",
    };
    if !symbolic.is_empty() {
        return symbolic.into();
    }
    let name = pascal(value);
    match name.as_str() {
        "" => "Empty".into(),
        // Reserved for the fallback variant.
        "UnknownValue" => "UnknownValueKnown".into(),
        "Self_" | "Self" => "SelfValue".into(),
        _ => name,
    }
}

/// Lowercase with white space removed: how the vendors' spellings drift.
pub fn normalize(value: &str) -> String {
    value
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// One `open_enum!` invocation per enum.
pub fn open_enums(enums: &[OpenEnum]) -> String {
    let mut out = String::new();
    for e in enums {
        let mut names = BTreeSet::new();
        let mut seen_norm = BTreeSet::new();
        let doc = e
            .description
            .clone()
            .unwrap_or_else(|| format!("The vendor's `{}` values.", e.name));
        let _ = writeln!(out, "crate::open_enum::open_enum! {{");
        let _ = writeln!(out, "    #[doc = {:?}]", doc);
        let _ = writeln!(out, "    {} {{", e.name);
        for v in &e.values {
            let mut n = variant_name(v);
            let mut i = 2;
            while !names.insert(n.clone()) {
                n = format!("{}{}", variant_name(v), i);
                i += 1;
            }
            // A normalised form shared by two spellings matches only exactly.
            let norm = normalize(v);
            let norm = if seen_norm.insert(norm.clone()) {
                norm
            } else {
                v.clone()
            };
            let _ = writeln!(out, "        {n} = {v:?} | {norm:?},");
        }
        let _ = writeln!(out, "    }}\n}}");
    }
    out
}

/// One `open_int_enum!` invocation per integer-coded enum.
pub fn int_enums(enums: &[IntEnum]) -> String {
    let mut out = String::new();
    for e in enums {
        let doc = e
            .description
            .clone()
            .unwrap_or_else(|| format!("The vendor's `{}` codes.", e.name));
        let _ = writeln!(out, "crate::open_enum::open_int_enum! {{");
        let _ = writeln!(out, "    #[doc = {:?}]", doc);
        let _ = writeln!(out, "    {} {{", e.name);
        for (n, v) in &e.values {
            let _ = writeln!(out, "        {v} = {n},");
        }
        let _ = writeln!(out, "    }}\n}}");
    }
    out
}

/// One `impl_page!` invocation per envelope that becomes a `Page`, one `impl_list!` per list
/// operation's builder.
pub fn lists(rewritten: &Rewritten) -> String {
    let mut out = String::new();
    for p in &rewritten.pages {
        let _ = writeln!(out, "impl_page!({}, {});", p.envelope, p.item);
    }
    for (builder, item) in &rewritten.lists {
        let _ = writeln!(out, "impl_list!({builder}, {item});");
    }
    out
}

/// The operations set aside, as a constant the hand layer's tests check against.
pub fn set_aside(adapted: &Adapted) -> String {
    let mut out = String::from(
        "/// Operations the generator cannot take (multipart bodies, paths outside the base path), served by the hand-written layer:\n/// `(operationId, method, path)`.\npub(crate) const SET_ASIDE: &[(&str, &str, &str)] = &[\n",
    );
    for s in &adapted.set_aside {
        let _ = writeln!(
            out,
            "    ({:?}, {:?}, {:?}),",
            s.operation_id, s.method, s.path
        );
    }
    out.push_str("];\n");
    out
}
