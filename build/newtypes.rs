//! The rustdoc of the constrained strings.
//!
//! The generator makes a newtype of every string the spec limits (`maxLength`, `minLength`,
//! `pattern`): `NewIdentityFirstName(String)`, checked by its `FromStr`, whose rustdoc says
//! nothing of the limits (its name in backticks, or the spec's description). Each such type
//! gets, after the spec's description, its limits as the generated check enforces them (read
//! from that check, so the words cannot drift from the code), how to make one, and how the
//! body builders that hold one take it.

use crate::envelopes::module;
use crate::surface::{generic_arg, type_label};
use std::collections::{BTreeMap, BTreeSet};
use syn::visit::Visit;
use syn::{Expr, Fields, ImplItem, Item, Lit, parse_quote};

/// What a newtype's `FromStr` checks.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Limits {
    /// At most this many characters.
    pub max: Option<u64>,
    /// At least this many characters.
    pub min: Option<u64>,
    /// The regular expression the text must match.
    pub pattern: Option<String>,
}

impl Limits {
    fn any(&self) -> bool {
        self.max.is_some() || self.min.is_some() || self.pattern.is_some()
    }
}

/// A field of a request body type that holds a constrained string.
struct Use {
    /// The body type (`NewIdentity`).
    owner: String,
    /// Its setter, the Rust field name (`first_name`).
    setter: String,
    optional: bool,
}

/// Documents every constrained string newtype of `mod types`; returns how many.
pub fn document(file: &mut syn::File) -> usize {
    let Some(types) = module(&mut file.items, "types") else {
        return 0;
    };
    // `pub struct X(String);`
    let newtypes: BTreeSet<String> = types
        .iter()
        .filter_map(|item| match item {
            Item::Struct(s) => match &s.fields {
                Fields::Unnamed(f)
                    if f.unnamed.len() == 1 && type_label(&f.unnamed[0].ty) == "String" =>
                {
                    Some(s.ident.to_string())
                }
                _ => None,
            },
            _ => None,
        })
        .collect();
    let mut limits: BTreeMap<String, Limits> = BTreeMap::new();
    for item in types.iter() {
        let Item::Impl(imp) = item else { continue };
        let is_from_str = imp
            .trait_
            .as_ref()
            .is_some_and(|(_, p, _)| p.segments.last().is_some_and(|s| s.ident == "FromStr"));
        let name = type_label(&imp.self_ty);
        if !is_from_str || !newtypes.contains(&name) {
            continue;
        }
        let mut found = Limits::default();
        for it in &imp.items {
            if let ImplItem::Fn(f) = it {
                Checks(&mut found).visit_block(&f.block);
            }
        }
        if found.any() {
            limits.insert(name, found);
        }
    }
    let builders: BTreeSet<String> = module(types, "builder")
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match i {
                    Item::Struct(s) => Some(s.ident.to_string()),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut uses: BTreeMap<String, Vec<Use>> = BTreeMap::new();
    for item in types.iter() {
        let Item::Struct(s) = item else { continue };
        if !builders.contains(&s.ident.to_string()) {
            continue;
        }
        for f in &s.fields {
            let Some(ident) = &f.ident else { continue };
            let (ty, optional) = match generic_arg(&f.ty, "Option") {
                Some(inner) => (inner, true),
                None => (f.ty.clone(), false),
            };
            let name = type_label(&ty);
            if limits.contains_key(&name) {
                uses.entry(name).or_default().push(Use {
                    owner: s.ident.to_string(),
                    setter: ident.to_string(),
                    optional,
                });
            }
        }
    }
    let mut documented = 0;
    for item in types.iter_mut() {
        let Item::Struct(s) = item else { continue };
        let name = s.ident.to_string();
        let Some(l) = limits.get(&name) else { continue };
        let placeholder = format!("`{name}`");
        // The spec's description stays; the generator's placeholder (the name) goes.
        let mut docs: Vec<String> = Vec::new();
        s.attrs.retain(|a| match doc_text(a) {
            Some(text) => {
                if text.trim() != placeholder {
                    docs.push(text);
                }
                false
            }
            None => true,
        });
        let mut text = docs.join("\n");
        if !text.trim().is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(&describe(
            &name,
            l,
            uses.get(&name).map_or(&[][..], Vec::as_slice),
        ));
        s.attrs.insert(0, parse_quote!(#[doc = #text]));
        documented += 1;
    }
    documented
}

/// The text of a `#[doc = "..."]`.
fn doc_text(attr: &syn::Attribute) -> Option<String> {
    let syn::Meta::NameValue(nv) = &attr.meta else {
        return None;
    };
    if !nv.path.is_ident("doc") {
        return None;
    }
    match &nv.value {
        Expr::Lit(syn::ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.value()),
        _ => None,
    }
}

/// The added paragraphs: the limits, how to make one, how the body builders take one.
fn describe(name: &str, l: &Limits, uses: &[Use]) -> String {
    let chars = |n: u64| {
        if n == 1 {
            "1 character".to_string()
        } else {
            format!("{n} characters")
        }
    };
    let length = match (l.min, l.max) {
        (Some(min), Some(max)) if min == max => Some(format!("Exactly {}", chars(max))),
        (Some(min), Some(max)) => Some(format!("From {min} to {}", chars(max))),
        (None, Some(max)) => Some(format!("At most {}", chars(max))),
        (Some(min), None) => Some(format!("At least {}", chars(min))),
        (None, None) => None,
    }
    .map(|l| format!("{l} (as `str::chars` counts them)"));
    // The generated check searches the text: only an anchored pattern says what all of it is.
    let pattern = l.pattern.as_ref().map(|p| {
        let anywhere = if p.starts_with('^') && p.ends_with('$') {
            ""
        } else {
            " somewhere in it"
        };
        format!("the regular expression {}{anywhere}", code(p))
    });
    let limits = match (length, pattern) {
        (Some(length), Some(p)) => format!("{length}, matching {p}"),
        (Some(length), None) => length,
        (None, Some(p)) => format!("Matches {p}"),
        (None, None) => String::new(),
    };
    // A value that passes, to show the calls with (none is made up for a pattern).
    let sample = match (&l.pattern, l.min, l.max) {
        (Some(_), _, _) => None,
        (None, min, max) => {
            let n = 4u64.max(min.unwrap_or(0)).min(max.unwrap_or(u64::MAX));
            Some(if n == 4 {
                "text".to_string()
            } else {
                "x".repeat(n as usize)
            })
        }
    };
    let (arg, parsed) = match &sample {
        Some(s) => (format!("{s:?}"), format!("{s:?}.parse::<{name}>()?")),
        None => ("text".to_string(), format!("text.parse::<{name}>()?")),
    };
    let mut out =
        format!("{limits}. Every way of making one checks it: `try_from`, `parse`, deserializing.");
    if sample.is_none() {
        out.push_str(" (In the calls below, `text` is a `&str` that matches.)");
    }
    out.push_str(&format!(
        "\n\nMake one from text: `{name}::try_from({arg})?` or `{parsed}`; a refused text is a \
         [`ConversionError`](error::ConversionError) (a `std::error::Error`) that says why. \
         It derefs to `String`, and `String::from(value)` gives the text back."
    ));
    if !uses.is_empty() {
        let calls: Vec<String> = uses
            .iter()
            .map(|u| {
                if u.optional {
                    format!(
                        "`{}::builder().{}({name}::try_from({arg})?)`",
                        u.owner, u.setter
                    )
                } else {
                    format!("`{}::builder().{}({arg})`", u.owner, u.setter)
                }
            })
            .collect();
        let required = uses.iter().any(|u| !u.optional);
        let optional = uses.iter().any(|u| u.optional);
        let how = match (required, optional) {
            (true, false) => "takes the text (`&str` or `String`) and checks it",
            (false, true) => "takes a checked value (or `Some` of one)",
            _ => {
                "takes the text (`&str` or `String`) where the field is required, and a checked value (or `Some` of one) where it is optional"
            }
        };
        out.push_str(&format!(
            "\n\nIn a request body, the body builder's setter {how}: {}. A value the builder \
             refuses fails the call before anything is sent, as a \
             [`Validation`](crate::ErrorKind::Validation) error on the field's JSON path.",
            calls.join(", ")
        ));
    }
    out
}

/// `text` as inline code, whatever backticks it holds.
fn code(text: &str) -> String {
    let mut fence = "`".to_string();
    while text.contains(&fence) {
        fence.push('`');
    }
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// Finds the checks of a generated `from_str`: `value.chars().count() > N` (at most N),
/// `value.chars().count() < N` (at least N), `Regex::new("pattern")`.
struct Checks<'a>(&'a mut Limits);

impl<'ast> Visit<'ast> for Checks<'_> {
    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        let counted = matches!(&*b.left, Expr::MethodCall(m) if m.method == "count"
            && matches!(&*m.receiver, Expr::MethodCall(c) if c.method == "chars"));
        let n = match &*b.right {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Int(i), ..
            }) => i.base10_parse::<u64>().ok(),
            _ => None,
        };
        if counted && let Some(n) = n {
            match b.op {
                syn::BinOp::Gt(_) => self.0.max = Some(n),
                syn::BinOp::Lt(_) => self.0.min = Some(n),
                _ => {}
            }
        }
        syn::visit::visit_expr_binary(self, b);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            if segs.ends_with(&["Regex".to_string(), "new".to_string()])
                && let Some(Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                })) = c.args.first()
            {
                self.0.pattern = Some(s.value());
            }
        }
        syn::visit::visit_expr_call(self, c);
    }
}
