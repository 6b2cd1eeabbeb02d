//! The page glue of each generated client (`OUT_DIR/<api>_lists.rs`), emitted whole: how each
//! list envelope becomes a `permkit::Page`, the `.stream()`, `.pages()`, `.pages_from(n)` and
//! `.prefetch(n)` of each list operation's builder, and the id a pager recognises a repeated
//! item by. It is plain Rust, made from the API's [`Paging`] (the table in `build/main.rs`) and
//! the fields of the generated types: the module that includes it defines nothing for it.
//!
//! Field names are the spec's, so the build follows what the generator made of them (the Rust
//! name of `totalPages`, an optional `ia::meta`, the integer type of a count); an envelope that
//! lacks one stops the build, naming the envelope and the field.

use crate::surface::{PageEnvelope, Rewritten, generic_arg, serde_rename, type_label};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use std::collections::{BTreeMap, BTreeSet};
use syn::{Item, Type};

/// How one API's list envelopes say where a page is. Each name is a JSON name as the spec
/// spells it; a `.` steps into a nested object (`meta.current_page`). The items are the
/// array the API's `ListRule` names (`items_field`).
#[derive(Debug, Clone, Copy)]
pub enum Paging {
    /// Numbered pages, from 1 (`?page=n`). Each list operation's builder gets `.stream()`,
    /// `.pages()`, `.pages_from(n)` and `.prefetch(n)`, which find a server going round in
    /// circles by the items' ids.
    Numbered {
        /// This page's number.
        number: &'static str,
        /// The last page's number.
        last: &'static str,
        /// How many items the whole list holds.
        total: &'static str,
        /// The items' id.
        id: &'static str,
    },
    /// Offsets: the first item's offset and the next page's. List operations get no helpers
    /// (Intacct reads whole collections through its query service, `permkit::intacct::query`);
    /// the build refuses one, rather than leave it without `.stream()`.
    Offset {
        /// The offset of this page's first item (from 1).
        start: &'static str,
        /// The offset of the next page, absent on the last.
        next: &'static str,
        /// How many items the whole list holds.
        total: &'static str,
    },
}

/// A struct of `mod types`: its fields as (Rust name, JSON name, type).
type Fields = Vec<(syn::Ident, String, Type)>;

/// The page glue of one API, as Rust source. `items` is the JSON name of the envelopes' array
/// of items (the `ListRule`'s `items_field`).
pub fn emit(
    file: &syn::File,
    rewritten: &Rewritten,
    items: &str,
    paging: &Paging,
) -> Result<TokenStream, String> {
    let structs = structs(file);
    let mut out = TokenStream::new();
    for page in &rewritten.pages {
        out.extend(into_page(page, &structs, items, paging)?);
    }
    let Paging::Numbered { id, .. } = paging else {
        if let Some((builder, _)) = rewritten.lists.first() {
            return Err(format!(
                "{builder}: a list operation of an API that pages by offset; the build emits list helpers for numbered pages only"
            ));
        }
        return Ok(out);
    };
    let mut paged_items = BTreeSet::new();
    for (builder, item) in &rewritten.lists {
        out.extend(list_helpers(builder, item));
        paged_items.insert(item.clone());
    }
    for item in paged_items {
        let fields = structs.get(&item).ok_or_else(|| {
            format!("the list item {item} is not a struct of the generated types")
        })?;
        let (field, ty) =
            field(fields, id).ok_or_else(|| format!("the list item {item} has no `{id}`"))?;
        if generic_arg(&ty, "Option").is_some() {
            return Err(format!(
                "the list item {item}'s `{id}` is optional: a pager could not tell its items apart"
            ));
        }
        let item = format_ident!("{item}");
        out.extend(quote! {
            impl crate::pagination::ItemId for types::#item {
                fn item_id(&self) -> crate::pagination::ItemKey {
                    crate::pagination::ItemKey::from(&self.#field)
                }
            }
        });
    }
    Ok(out)
}

/// `impl IntoPage for types::Envelope`: the numbers read first, then the items moved out.
fn into_page(
    page: &PageEnvelope,
    structs: &BTreeMap<String, Fields>,
    items: &str,
    paging: &Paging,
) -> Result<TokenStream, String> {
    let envelope = &page.envelope;
    let fields = structs.get(envelope).ok_or_else(|| {
        format!("the list envelope {envelope} is not a struct of the generated types")
    })?;
    let (items_field, items_ty) = field(fields, items)
        .ok_or_else(|| format!("the list envelope {envelope} has no `{items}`"))?;
    let (vec, optional) = match generic_arg(&items_ty, "Option") {
        Some(inner) => (inner, true),
        None => (items_ty.clone(), false),
    };
    let listed = generic_arg(&vec, "Vec").map(|t| type_label(&t));
    if listed.as_deref() != Some(page.item.as_str()) {
        return Err(format!(
            "the list envelope {envelope}'s `{items}` is not an array of {}",
            page.item
        ));
    }
    let items = if optional {
        quote!(self.#items_field.unwrap_or_default())
    } else {
        quote!(self.#items_field)
    };
    let number = |path: &str| number(structs, envelope, path);
    let body = match paging {
        Paging::Numbered {
            number: at,
            last,
            total,
            ..
        } => {
            let (at, last, total) = (number(at)?, number(last)?, number(total)?);
            quote! {
                let number = #at;
                let last = #last;
                let total = #total;
                crate::Page::numbered(#items, number.unwrap_or(1), last)
                    .with_total_count(total)
                    .with_reported(number)
            }
        }
        Paging::Offset { start, next, total } => {
            let (start, next, total) = (number(start)?, number(next)?, number(total)?);
            quote! {
                let start = #start;
                let next = #next;
                let total = #total;
                crate::Page::offset(#items, start.unwrap_or(1), next).with_total_count(total)
            }
        }
    };
    let (envelope, item) = (format_ident!("{envelope}"), format_ident!("{}", page.item));
    Ok(quote! {
        impl crate::pagination::IntoPage for types::#envelope {
            type Item = types::#item;
            fn into_page(self) -> crate::Page<types::#item> {
                #body
            }
        }
    })
}

/// `.prefetch(n)`, `.stream()`, `.pages()` and `.pages_from(n)` for one list operation's
/// builder, whose `send()` returns one `Page` and whose `page(n)` selects page `n`.
fn list_helpers(builder: &str, item: &str) -> TokenStream {
    let (builder, item) = (format_ident!("{builder}"), format_ident!("{item}"));
    quote! {
        impl<'a> builder::#builder<'a> {
            /// Reads the list with up to `n` pages in flight once the total is known (see
            /// [`Pager::prefetch`](crate::pagination::Pager::prefetch)); then `.stream()`,
            /// `.pages()` or `.pages_from(n)`. Set the filters before.
            #[inline]
            pub fn prefetch(self, n: usize) -> crate::pagination::Pager<'a, types::#item> {
                self.into_pager().prefetch(n)
            }

            /// Every item of every page, in order. The filters, `limit`, `include` or search
            /// body set on this builder are sent with every page.
            #[inline]
            pub fn stream(self) -> crate::pagination::ResultStream<'a, types::#item> {
                self.into_pager().stream()
            }

            /// One page at a time, with its metadata; ends at the last page or an empty one.
            #[inline]
            pub fn pages(self) -> crate::pagination::ResultStream<'a, crate::Page<types::#item>> {
                self.into_pager().pages()
            }

            /// Like [`pages`](Self::pages), starting at page `first` (to resume).
            #[inline]
            pub fn pages_from(
                self,
                first: u64,
            ) -> crate::pagination::ResultStream<'a, crate::Page<types::#item>> {
                self.into_pager().pages_from(first)
            }

            #[inline]
            fn into_pager(self) -> crate::pagination::Pager<'a, types::#item> {
                crate::pagination::Pager::numbered(
                    self,
                    crate::pagination::Repeats::ById(
                        <types::#item as crate::pagination::ItemId>::item_id,
                    ),
                    |list, n| list.page(n).send(),
                )
            }
        }
    }
}

/// An expression of type `Option<u64>` that reads the integer at `path` (JSON names, `.`
/// between them) of `self`, a `struct` named `envelope`: through optional objects, and
/// `None` where the value is absent or does not fit.
fn number(
    structs: &BTreeMap<String, Fields>,
    envelope: &str,
    path: &str,
) -> Result<TokenStream, String> {
    let missing = |at: &str| format!("the list envelope {envelope} has no `{path}` (no `{at}`)");
    let segments: Vec<&str> = path.split('.').collect();
    let mut owner = envelope.to_string();
    let mut expr = quote!(self);
    // Whether `expr` is an `Option` of what was read so far.
    let mut in_option = false;
    let mut leaf = None;
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        let fields = structs.get(&owner).ok_or_else(|| missing(segment))?;
        let (name, ty) = field(fields, segment).ok_or_else(|| missing(segment))?;
        let (ty, optional) = match generic_arg(&ty, "Option") {
            Some(inner) => (inner, true),
            None => (ty, false),
        };
        let ty = generic_arg(&ty, "Box").unwrap_or(ty);
        expr = match (in_option, optional, last) {
            (false, false, _) => quote!(#expr.#name),
            (false, true, true) => quote!(#expr.#name),
            (false, true, false) => quote!(#expr.#name.as_ref()),
            (true, false, true) => quote!(#expr.map(|v| v.#name)),
            (true, false, false) => quote!(#expr.map(|v| &v.#name)),
            (true, true, true) => quote!(#expr.and_then(|v| v.#name)),
            (true, true, false) => quote!(#expr.and_then(|v| v.#name.as_ref())),
        };
        in_option |= optional;
        if last {
            leaf = Some(ty);
        } else {
            owner = type_label(&ty);
        }
    }
    let ty = leaf.ok_or_else(|| missing(path))?;
    Ok(match (type_label(&ty).as_str(), in_option) {
        ("u64", false) => quote!(Some(#expr)),
        ("u64", true) => expr,
        ("u8" | "u16" | "u32", false) => quote!(Some(u64::from(#expr))),
        ("u8" | "u16" | "u32", true) => quote!(#expr.map(u64::from)),
        ("i8" | "i16" | "i32" | "i64" | "i128" | "u128" | "isize" | "usize", false) => {
            quote!(u64::try_from(#expr).ok())
        }
        ("i8" | "i16" | "i32" | "i64" | "i128" | "u128" | "isize" | "usize", true) => {
            quote!(#expr.and_then(|n| u64::try_from(n).ok()))
        }
        (other, _) => return Err(format!("{envelope}: `{path}` is a {other}, not an integer")),
    })
}

/// The field of `fields` whose JSON name is `json`: its Rust name and type.
fn field(fields: &Fields, json: &str) -> Option<(syn::Ident, Type)> {
    fields
        .iter()
        .find(|(_, name, _)| name == json)
        .map(|(ident, _, ty)| (ident.clone(), ty.clone()))
}

/// The structs of `mod types` with named fields, by name.
fn structs(file: &syn::File) -> BTreeMap<String, Fields> {
    let mut out = BTreeMap::new();
    let types = file.items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
        _ => None,
    });
    for item in types.iter().flat_map(|c| c.1.iter()) {
        let Item::Struct(s) = item else { continue };
        let fields =
            s.fields
                .iter()
                .filter_map(|f| {
                    let ident = f.ident.clone()?;
                    let json =
                        f.attrs.iter().find_map(serde_rename).unwrap_or_else(|| {
                            ident.to_string().trim_start_matches("r#").to_string()
                        });
                    Some((ident, json, f.ty.clone()))
                })
                .collect();
        out.insert(s.ident.to_string(), fields);
    }
    out
}
