//! One call for a request's headers.
//!
//! Progenitor builds each operation's header map statement by statement: a map, `Accept`
//! (moved there by the surface rewrite), `api-version`, then each header parameter converted
//! with `try_into()?`. PERSCOM's 693 operations each repeat that block. Here it becomes one
//! call to `crate::generated::header_map` with the same names and values in the same order,
//! which builds the same map: 4,800 lines fewer of generated PERSCOM code. (The crate's build
//! time measured the same, within noise, before and after.)
//!
//! | generated | becomes an entry of |
//! |---|---|
//! | `header_map.insert(::reqwest::header::ACCEPT, HeaderValue::from_static("v"))` | the fixed list: `("accept", "v")` |
//! | `header_map.append(HeaderName::from_static("n"), HeaderValue::from_static(v))` | the fixed list: `("n", v)` |
//! | `header_map.append("N", x.to_string().try_into()?)` (required) | the parameters: `("N", Some(x.to_string()))` |
//! | `if let Some(value) = x { header_map.append("N", value.to_string().try_into()?); }` | the parameters: `("N", match x { Some(value) => Some(value.to_string()), None => None })` |
//!
//! A block with any other statement that touches the map is left as generated.

use proc_macro2::Span;
use quote::quote;
use syn::{Expr, LitStr, Stmt, parse_quote};

/// Replaces the header block of one `request()`'s statements with one call; returns whether
/// it did.
pub fn compact(stmts: &mut Vec<Stmt>) -> bool {
    let Some(at) = stmts.iter().position(is_new_map) else {
        return false;
    };
    let mut fixed: Vec<(LitStr, Expr)> = Vec::new();
    let mut params: Vec<(LitStr, Expr)> = Vec::new();
    let mut end = at + 1;
    while let Some(stmt) = stmts.get(end) {
        match entry(stmt) {
            Some(Entry::Fixed(name, value)) => fixed.push((name, value)),
            Some(Entry::Param(name, value)) => params.push((name, value)),
            None => break,
        }
        end += 1;
    }
    // Anything else that touches the map, before `.headers(header_map)` takes it, stays.
    if stmts[end..].iter().any(touches_map) {
        return false;
    }
    let fixed = fixed.iter().map(|(n, v)| quote!((#n, #v)));
    let params = params.iter().map(|(n, v)| quote!((#n, #v)));
    let call: Stmt = parse_quote! {
        let header_map = match crate::generated::header_map(&[#(#fixed),*], &[#(#params),*]) {
            Ok(v) => v,
            Err(e) => return Err(e),
        };
    };
    stmts.splice(at..end, [call]);
    true
}

enum Entry {
    Fixed(LitStr, Expr),
    Param(LitStr, Expr),
}

/// `let mut header_map = ::reqwest::header::HeaderMap::with_capacity(n);`
fn is_new_map(stmt: &Stmt) -> bool {
    let Stmt::Local(local) = stmt else {
        return false;
    };
    matches!(&local.pat, syn::Pat::Ident(i) if i.ident == "header_map")
        && local.init.as_ref().is_some_and(|init| {
            flat(&init.expr).starts_with("::reqwest::header::HeaderMap::with_capacity(")
        })
}

fn entry(stmt: &Stmt) -> Option<Entry> {
    match stmt {
        Stmt::Expr(Expr::MethodCall(call), Some(_)) => map_call(call, None),
        // `if let Some(value) = x { header_map.append("N", value.to_string().try_into()?); }`
        Stmt::Expr(Expr::If(if_), _) if if_.else_branch.is_none() => {
            let Expr::Let(let_) = &*if_.cond else {
                return None;
            };
            let Expr::Path(scrutinee) = &*let_.expr else {
                return None;
            };
            let x = scrutinee.path.get_ident()?;
            if flat(&let_.pat) != "Some(value)" {
                return None;
            }
            let [Stmt::Expr(Expr::MethodCall(call), Some(_))] = if_.then_branch.stmts.as_slice()
            else {
                return None;
            };
            map_call(call, Some(x))
        }
        _ => None,
    }
}

/// One `header_map.insert(..)` or `header_map.append(..)`; `optional` is the `x` of an
/// enclosing `if let Some(value) = x`.
fn map_call(call: &syn::ExprMethodCall, optional: Option<&syn::Ident>) -> Option<Entry> {
    if flat(&call.receiver) != "header_map" || call.args.len() != 2 {
        return None;
    }
    let (name, value) = (&call.args[0], &call.args[1]);
    match (call.method.to_string().as_str(), optional) {
        ("insert", None) if flat(name) == "::reqwest::header::ACCEPT" => {
            let value = from_static(value, "::reqwest::header::HeaderValue::from_static")?;
            Some(Entry::Fixed(
                LitStr::new("accept", Span::call_site()),
                value,
            ))
        }
        ("append", None) => {
            if let Some(Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(name),
                ..
            })) = from_static(name, "::reqwest::header::HeaderName::from_static")
            {
                let value = from_static(value, "::reqwest::header::HeaderValue::from_static")?;
                return Some(Entry::Fixed(name, value));
            }
            // A required header parameter: `x.to_string().try_into()?`.
            let name = lit_str(name)?;
            let x = converted(value)?;
            if x == "value" {
                return None;
            }
            let x = syn::Ident::new(&x, Span::call_site());
            Some(Entry::Param(name, parse_quote!(Some(#x.to_string()))))
        }
        ("append", Some(x)) => {
            let name = lit_str(name)?;
            (converted(value)? == "value").then(|| {
                let shown =
                    parse_quote!(match #x { Some(value) => Some(value.to_string()), None => None });
                Entry::Param(name, shown)
            })
        }
        _ => None,
    }
}

/// `v` of `<path>(v)`.
fn from_static(e: &Expr, path: &str) -> Option<Expr> {
    let Expr::Call(call) = e else { return None };
    (flat(&call.func) == path && call.args.len() == 1).then(|| call.args[0].clone())
}

fn lit_str(e: &Expr) -> Option<LitStr> {
    match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.clone()),
        _ => None,
    }
}

/// `x` of `x.to_string().try_into()?`.
fn converted(e: &Expr) -> Option<String> {
    let Expr::Try(t) = e else { return None };
    let Expr::MethodCall(into) = &*t.expr else {
        return None;
    };
    let Expr::MethodCall(shown) = &*into.receiver else {
        return None;
    };
    if into.method != "try_into" || shown.method != "to_string" || !shown.args.is_empty() {
        return None;
    }
    let Expr::Path(p) = &*shown.receiver else {
        return None;
    };
    Some(p.path.get_ident()?.to_string())
}

fn touches_map(stmt: &Stmt) -> bool {
    let text = quote!(#stmt).to_string();
    text.contains("header_map .")
        || text.contains("header_map,")
        || text.contains("& mut header_map")
}

/// The tokens of `t` without spaces, to compare with a path or pattern written out.
fn flat(t: &impl quote::ToTokens) -> String {
    quote!(#t).to_string().split_whitespace().collect()
}
