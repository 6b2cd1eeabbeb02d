//! Builders only for what is sent.
//!
//! The generator gives every type a builder (`types::User::builder()`), but a builder is for
//! making a request body: the types the API only answers with are read, not built (and stay
//! plain structs with public fields, for tests that need one). Keeping builders for the
//! request bodies and every type inside them, and dropping the rest, removes about half of
//! the builder code the compiler would otherwise check and compile on every build.

use crate::envelopes::module;
use std::collections::BTreeSet;
use syn::visit::Visit;
use syn::{Item, Type};

/// Removes the builders of the types no request body reaches; returns how many went.
pub fn keep_for_requests(file: &mut syn::File) -> usize {
    // The bodies: what the operation builders hold as `types::builder::X`.
    let mut roots = BuilderRefs::default();
    for item in &file.items {
        if let Item::Mod(m) = item
            && m.ident == "builder"
        {
            roots.visit_item_mod(m);
        }
    }
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    let names: BTreeSet<String> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => Some(s.ident.to_string()),
            Item::Enum(e) => Some(e.ident.to_string()),
            Item::Type(t) => Some(t.ident.to_string()),
            _ => None,
        })
        .collect();
    // Everything a body contains, to any depth.
    let mut keep: BTreeSet<String> = roots.0;
    let mut todo: Vec<String> = keep.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        for item in types.iter() {
            let Item::Struct(s) = item else { continue };
            if s.ident != name {
                continue;
            }
            let mut idents = Idents::default();
            idents.visit_fields(&s.fields);
            for i in idents.0 {
                if names.contains(&i) && keep.insert(i.clone()) {
                    todo.push(i);
                }
            }
        }
    }
    let dropped: BTreeSet<String> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) if !keep.contains(&s.ident.to_string()) => Some(s.ident.to_string()),
            _ => None,
        })
        .collect();
    let named = |ty: &Type| matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| dropped.contains(&s.ident.to_string())));
    // `impl X { pub fn builder() -> builder::X }`
    types.retain(|item| {
        !matches!(item, Item::Impl(imp) if imp.trait_.is_none()
            && named(&imp.self_ty)
            && imp.items.iter().all(|i| matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "builder")))
    });
    let Some(builders) = module(types, "builder") else {
        return 0;
    };
    builders.retain(|item| match item {
        Item::Struct(s) => !dropped.contains(&s.ident.to_string()),
        Item::Impl(imp) => !named(&imp.self_ty),
        _ => true,
    });
    dropped.len()
}

/// The `X` of every `types::builder::X` path.
#[derive(Default)]
struct BuilderRefs(BTreeSet<String>);

impl<'ast> Visit<'ast> for BuilderRefs {
    fn visit_path(&mut self, p: &'ast syn::Path) {
        let segs: Vec<String> = p.segments.iter().map(|s| s.ident.to_string()).collect();
        if let [.., t, b, name] = &segs[..]
            && t == "types"
            && b == "builder"
        {
            self.0.insert(name.clone());
        }
        syn::visit::visit_path(self, p);
    }
}

/// Every identifier in a path of a type.
#[derive(Default)]
struct Idents(BTreeSet<String>);

impl<'ast> Visit<'ast> for Idents {
    fn visit_path_segment(&mut self, s: &'ast syn::PathSegment) {
        self.0.insert(s.ident.to_string());
        syn::visit::visit_path_segment(self, s);
    }
}
