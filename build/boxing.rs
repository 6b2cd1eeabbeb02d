//! Keeps the relations a response carries only when asked for (`?include=`) to one word each
//! when they are absent.
//!
//! Held inline, every optional nested object makes each item as large as all its relations
//! together, present or not: PERSCOM's `User` was 2,712 bytes, and an item is moved several
//! times between the JSON decoder and the caller (`Vec` growth, the page, the stream). Behind a
//! `Box` an absent relation costs one word, and a present one one allocation.
//!
//! A field is boxed when its property is an optional or nullable single object of another
//! schema (`$ref`, or `allOf` of one `$ref`) whose description says it is included on request
//! (`Included with ?include=...`). The field becomes `Option<Box<T>>` in the type, and its
//! builder's field and setter follow.
//!
//! A list of such objects (an array whose items are a `$ref` to an object schema) becomes a
//! `ThinVec` (the thin-vec crate) instead of a `Vec`: one word instead of three, and no
//! allocation while empty. PERSCOM's `User` has 13 of them: 936 bytes with `Vec`s, 728 with
//! `ThinVec`s. Its builder's field and setter follow here too (a `Vec` still converts into it).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use syn::visit_mut::VisitMut;
use syn::{GenericArgument, Item, PathArguments, Type, parse_quote};

/// What marks a relation as included on request in a property's description.
const INCLUDED: &str = "Included with ?include=";

/// `schema name -> property names` of the relations to box.
pub fn included_relations(spec: &Value) -> BTreeMap<String, BTreeSet<String>> {
    included(spec, Shape::One)
}

/// `schema name -> property names` of the relation lists to make thin.
pub fn included_lists(spec: &Value) -> BTreeMap<String, BTreeSet<String>> {
    included(spec, Shape::List)
}

/// Which relations [`included`] looks for.
#[derive(Clone, Copy)]
enum Shape {
    /// One object: `$ref`, or `allOf` of one `$ref`.
    One,
    /// An array whose items are a `$ref`.
    List,
}

fn included(spec: &Value, shape: Shape) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let Some(schemas) = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object)
    else {
        return out;
    };
    let is_object = |reference: &str| {
        reference
            .strip_prefix("#/components/schemas/")
            .and_then(|name| schemas.get(name))
            .is_some_and(|s| s.get("properties").is_some_and(Value::is_object))
    };
    for (name, schema) in schemas {
        let Some(props) = schema.get("properties").and_then(Value::as_object) else {
            continue;
        };
        for (prop, p) in props {
            let included = p
                .get("description")
                .and_then(Value::as_str)
                .is_some_and(|d| d.starts_with(INCLUDED));
            let reference = match shape {
                Shape::One => p.get("$ref").and_then(Value::as_str).or_else(|| {
                    match p.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
                        Some([one]) => one.get("$ref").and_then(Value::as_str),
                        _ => None,
                    }
                }),
                Shape::List => (p.get("type").and_then(Value::as_str) == Some("array"))
                    .then(|| p.pointer("/items/$ref").and_then(Value::as_str))
                    .flatten(),
            };
            let plain_name = prop
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            if included && plain_name && reference.is_some_and(is_object) {
                out.entry(name.clone()).or_default().insert(prop.clone());
            }
        }
    }
    out
}

/// Wraps `T` of every `Option<T>` met (not descending into what it wrapped).
struct BoxOption;

impl VisitMut for BoxOption {
    fn visit_type_path_mut(&mut self, p: &mut syn::TypePath) {
        if let Some(last) = p.path.segments.last_mut()
            && last.ident == "Option"
            && let PathArguments::AngleBracketed(args) = &mut last.arguments
            && let Some(GenericArgument::Type(inner)) = args.args.first_mut()
        {
            let boxed: Type = parse_quote!(::std::boxed::Box<#inner>);
            *inner = boxed;
            return;
        }
        syn::visit_mut::visit_type_path_mut(self, p);
    }
}

/// Makes every `Vec<T>` met a `::thin_vec::ThinVec<T>` (not descending into what it held), and
/// a field's `skip_serializing_if = "::std::vec::Vec::is_empty"` follow.
struct ThinList;

/// The emptiness test serde's attribute names for a `Vec`, and the one for a `ThinVec`.
const VEC_IS_EMPTY: &str = "\"::std::vec::Vec::is_empty\"";
const THIN_IS_EMPTY: &str = "\"::thin_vec::ThinVec::is_empty\"";

impl VisitMut for ThinList {
    fn visit_type_path_mut(&mut self, p: &mut syn::TypePath) {
        if let Some(last) = p.path.segments.last()
            && last.ident == "Vec"
            && let PathArguments::AngleBracketed(args) = &last.arguments
        {
            let args = args.clone();
            *p = parse_quote!(::thin_vec::ThinVec #args);
            return;
        }
        syn::visit_mut::visit_type_path_mut(self, p);
    }

    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        for attr in field.attrs.iter_mut() {
            if let syn::Meta::List(list) = &mut attr.meta
                && list.path.is_ident("serde")
            {
                let text = list.tokens.to_string();
                if text.contains(VEC_IS_EMPTY) {
                    // The tokens came from a parse, and only a string literal changes.
                    list.tokens = text
                        .replace(VEC_IS_EMPTY, THIN_IS_EMPTY)
                        .parse()
                        .expect("the attribute with one string literal changed");
                }
            }
        }
        self.visit_type_mut(&mut field.ty);
    }
}

/// Boxes `fields` in the generated `types` module (structs) and `types::builder` (builder
/// structs and setters). Returns how many fields were boxed.
pub fn box_fields(file: &mut syn::File, fields: &BTreeMap<String, BTreeSet<String>>) -> usize {
    rewrite_fields(file, fields, &mut BoxOption)
}

/// Makes `fields` (lists) thin in the generated `types` module and `types::builder`, as
/// [`box_fields`] does. Returns how many fields changed.
pub fn thin_lists(file: &mut syn::File, fields: &BTreeMap<String, BTreeSet<String>>) -> usize {
    rewrite_fields(file, fields, &mut ThinList)
}

/// Runs `visitor` over `fields` of the structs in `types`, the same fields of their builders,
/// and the generics of the builders' setters of them. Returns how many struct fields it met.
fn rewrite_fields(
    file: &mut syn::File,
    fields: &BTreeMap<String, BTreeSet<String>>,
    visitor: &mut impl VisitMut,
) -> usize {
    let mut met = 0;
    let Some(types) = file.items.iter_mut().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_mut().map(|(_, items)| items),
        _ => None,
    }) else {
        return 0;
    };
    for item in types.iter_mut() {
        match item {
            Item::Struct(s) => {
                if let Some(names) = fields.get(&s.ident.to_string()) {
                    met += rewrite_struct(s, names, visitor);
                }
            }
            Item::Mod(m) if m.ident == "builder" => {
                for item in m.content.iter_mut().flat_map(|(_, items)| items.iter_mut()) {
                    match item {
                        Item::Struct(s) => {
                            if let Some(names) = fields.get(&s.ident.to_string()) {
                                rewrite_struct(s, names, visitor);
                            }
                        }
                        Item::Impl(imp) if imp.trait_.is_none() => {
                            let Type::Path(self_ty) = &*imp.self_ty else {
                                continue;
                            };
                            let Some(names) = self_ty
                                .path
                                .segments
                                .last()
                                .and_then(|seg| fields.get(&seg.ident.to_string()))
                            else {
                                continue;
                            };
                            for f in imp.items.iter_mut() {
                                if let syn::ImplItem::Fn(f) = f
                                    && names.contains(&f.sig.ident.to_string())
                                {
                                    visitor.visit_generics_mut(&mut f.sig.generics);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    met
}

fn rewrite_struct(
    s: &mut syn::ItemStruct,
    names: &BTreeSet<String>,
    visitor: &mut impl VisitMut,
) -> usize {
    let mut n = 0;
    for field in s.fields.iter_mut() {
        if field
            .ident
            .as_ref()
            .is_some_and(|i| names.contains(&i.to_string()))
        {
            visitor.visit_field_mut(field);
            n += 1;
        }
    }
    n
}
