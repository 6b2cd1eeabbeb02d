//! One generic envelope instead of a generated struct per resource.
//!
//! PERSCOM wraps every single resource and every batch in `{"data": ...}`: the spec names one
//! schema per resource for it (`UserResponse`, `UserBatchResponse`, ...), and the generator
//! emits a struct, its serde impls and a builder for each, about a fifth of the PERSCOM types,
//! all the same but for the type inside. Each becomes an alias of one hand-written generic
//! struct (`pub type UserResponse = crate::perscom::Data<User>;`), so the names, the `data`
//! field and the serde behaviour stay, and the compiler checks the envelope once.
//!
//! A struct is shared when its only field is `pub data: T` with no serde attribute of its own.
//! Its builder (which only a response type would have had no use for) goes with it.

use std::collections::BTreeSet;
use syn::{Fields, Item, Type, parse_quote};

/// Replaces the one-field `data` envelopes of `types` with aliases of `generic`; returns how
/// many.
pub fn share(file: &mut syn::File, generic: &syn::Path) -> usize {
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    let mut shared = BTreeSet::new();
    for item in types.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let Fields::Named(fields) = &s.fields else {
            continue;
        };
        let [field] = fields.named.iter().collect::<Vec<_>>()[..] else {
            continue;
        };
        if field.ident.as_ref().is_none_or(|i| i != "data") || !field.attrs.is_empty() {
            continue;
        }
        if s.attrs.iter().any(|a| a.path().is_ident("serde")) {
            continue;
        }
        let name = s.ident.clone();
        let inner: Type = field.ty.clone();
        let docs: Vec<_> = s
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        shared.insert(name.to_string());
        *item = parse_quote! {
            #(#docs)*
            pub type #name = #generic<#inner>;
        };
    }
    let named = |ty: &Type| matches!(ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| shared.contains(&s.ident.to_string())));
    types.retain(|item| !matches!(item, Item::Impl(imp) if named(&imp.self_ty)));
    if let Some(builders) = module(types, "builder") {
        builders.retain(|item| match item {
            Item::Struct(s) => !shared.contains(&s.ident.to_string()),
            Item::Impl(imp) => !named(&imp.self_ty),
            _ => true,
        });
    }
    shared.len()
}

/// The items of the inline module `name` among `items`.
pub fn module<'a>(items: &'a mut [Item], name: &str) -> Option<&'a mut Vec<Item>> {
    items.iter_mut().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    })
}
