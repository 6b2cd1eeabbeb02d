//! The designed surface: rewrites progenitor's output so that every call ends in permkit's own
//! types, once, for every operation of every API.
//!
//! | rewrite | what the user sees |
//! |---|---|
//! | each builder's `send` is split: the generated request-building statements move into a private `request()`; `send()` and `send_with_meta()` hand the request to permkit's transport | `send()` returns a `permkit::Pending` that gives `permkit::Result<T>`, `send_with_meta()` one that gives `permkit::Result<permkit::Response<T>>`; both are `#[inline]`, so only the operations a crate calls are compiled, in that crate |
//! | the success type is unwrapped per API ([`Surface`]) | PERSCOM `data` and Intacct `ia::result` unwrapped; list operations and Intacct collection GETs return `permkit::Page<T>`; 204 returns `()`; raw bytes return `permkit::ByteStream` |
//! | required path parameters become arguments of the `Client` method, in URL order; their builder setters and every builder's `new` become crate-private | `pa.get_identity(id)`, `pc.create_user_rank_record(user_id)` |
//! | conversion messages of the setters are plain words; a body setter names its field by the JSON name | "`page` must be a number of 1 or more"; a refused body value is a `Validation` error on `identity.firstName` |
//! | the `ClientInfo` impl becomes crate-private inherent methods; the generated constructors become crate-private | no progenitor type in rustdoc |
//! | setters get the spec's parameter descriptions | documented setters |
//! | each operation's usage example is the call as it is made now, in a `text` block | `client.get_identity(id).send().await?`, not an ignored doc test |
//! | setter bodies call one shared generic function ([`SharedSetters`]); `Accept` goes into the request's header map | nothing: the same values, less to compile |
//! | each JSON success type gets its decoder compiled once, in permkit (`crate::generated::decoded_here!`), and `send_with_meta()` calls it | nothing: the same values and errors; a crate that calls operations no longer compiles serde's deserializers for their types (PERSCOM's relations reach most of its types from any one) |
//! | the header map is made by one call ([`crate::headers`]) | nothing: the same headers, less generated code |
//! | `request()` returns the request alone, and its `?`s are written out as `match`es naming their conversion; the body setter calls one shared function ([`PlainTries`], [`shared_body_setter`]) | nothing: the same values and errors, less to infer (PERSCOM's 693 builders: 3.1 s of type and borrow checking instead of 7.3 s) |

use crate::pages::Paging;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use syn::punctuated::Punctuated;
use syn::visit_mut::VisitMut;
use syn::{
    Expr, GenericArgument, ImplItem, Item, ItemImpl, ItemMod, LitStr, PathArguments, ReturnType,
    Stmt, Token, Type, Visibility, parse_quote,
};

/// How one API wraps its success bodies.
#[derive(Debug, Clone, Copy)]
pub struct Surface {
    /// The Rust field of an envelope that holds the value (`data`, `ia_result`), if any.
    pub unwrap_field: Option<(&'static str, &'static str)>,
    /// The Rust field of an envelope that holds paging metadata (`meta`, `ia_meta`), if any.
    pub meta_field: Option<&'static str>,
    /// Where a list envelope says which page it is, for the page glue (`build/pages.rs`).
    pub paging: Paging,
}

/// What the spec says about one operation, for docs and shapes.
#[derive(Debug, Clone, Default)]
pub struct OpSpec {
    pub method: String,
    /// The path template, relative to the base URL (`/identities/{id}`).
    pub path: String,
    /// Parameter descriptions by normalised name (lowercase, letters and digits only).
    pub params: BTreeMap<String, String>,
    pub body: Option<String>,
}

/// Reads the method and parameter descriptions of every operation of an (adapted) spec.
pub fn op_specs(spec: &Value) -> BTreeMap<String, OpSpec> {
    let mut out = BTreeMap::new();
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return out;
    };
    let resolve = |v: &Value| -> Value {
        match v.get("$ref").and_then(Value::as_str) {
            Some(r) => spec
                .pointer(r.trim_start_matches('#'))
                .cloned()
                .unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    for (path, item) in paths {
        let shared: Vec<Value> = item
            .get("parameters")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(resolve).collect())
            .unwrap_or_default();
        for method in crate::adapt::METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let Some(id) = op.get("operationId").and_then(Value::as_str) else {
                continue;
            };
            let mut o = OpSpec {
                method: method.to_string(),
                path: path.clone(),
                ..OpSpec::default()
            };
            let own: Vec<Value> = op
                .get("parameters")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(resolve).collect())
                .unwrap_or_default();
            for p in shared.iter().chain(own.iter()) {
                let (Some(name), Some(desc)) = (
                    p.get("name").and_then(Value::as_str),
                    p.get("description").and_then(Value::as_str),
                ) else {
                    continue;
                };
                o.params.insert(norm(name), desc.trim().to_string());
            }
            o.body = op.get("requestBody").map(resolve).and_then(|b| {
                b.get("description")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            });
            out.insert(id.to_string(), o);
        }
    }
    out
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// An envelope that becomes a `permkit::Page`: its Rust type name and its item's.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PageEnvelope {
    pub envelope: String,
    pub item: String,
}

/// What the rewrite found: the envelopes that need a page conversion, and per builder of a
/// list operation its item type.
#[derive(Debug, Default)]
pub struct Rewritten {
    pub pages: BTreeSet<PageEnvelope>,
    /// `(builder, item)` of each list operation.
    pub lists: Vec<(String, String)>,
    pub operations: usize,
}

/// The shape of one operation's result.
enum Shape {
    Unit,
    Bytes,
    Whole(Type),
    Field {
        field: syn::Ident,
        vendor: &'static str,
        ty: Type,
        optional: bool,
    },
    Page {
        item: Type,
    },
}

/// Rewrites the generated file in place. `lists` maps list operation ids to (envelope, item).
pub fn rewrite(
    file: &mut syn::File,
    surface: Surface,
    lists: &BTreeMap<String, (String, String)>,
    specs: &BTreeMap<String, OpSpec>,
) -> Result<Rewritten, String> {
    let type_names = type_names(file);
    let structs = struct_fields(file);
    let mut out = Rewritten::default();
    let mut plain_tries = PlainTries::default();
    // builder name -> (operation id, path parameters in URL order with their types)
    let mut path_params: BTreeMap<String, (String, Vec<(syn::Ident, Type)>)> = BTreeMap::new();
    // The generated types that JSON success bodies decode as, by their printed path: each gets
    // its decoder compiled here, once (`crate::generated::Decode`).
    let mut decoded: BTreeMap<String, Type> = BTreeMap::new();

    let builder_mod = file
        .items
        .iter_mut()
        .find_map(|i| match i {
            Item::Mod(m) if m.ident == "builder" => Some(m),
            _ => None,
        })
        .ok_or("no `builder` module in the generated code")?;
    let builder_fields = builder_struct_fields(builder_mod);
    let items = &mut builder_mod
        .content
        .as_mut()
        .ok_or("empty builder module")?
        .1;
    for item in items.iter_mut() {
        let Item::Impl(imp) = item else { continue };
        let Some(name) = self_name(imp) else { continue };
        let Some(send_at) = imp
            .items
            .iter()
            .position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            continue;
        };
        let ImplItem::Fn(send) = imp.items.remove(send_at) else {
            unreachable!()
        };
        let op = operation_id(&send.block.stmts)
            .ok_or_else(|| format!("{name}::send: no operation id"))?;
        let success = success_type(&send.sig.output)
            .ok_or_else(|| format!("{name}::send: unexpected return type"))?;
        let info_at = send
            .block
            .stmts
            .iter()
            .position(|s| is_let(s, "info"))
            .ok_or_else(|| format!("{name}::send: no `let info`"))?;
        let params = url_params(&send.block.stmts[..info_at])
            .ok_or_else(|| format!("{name}::send: no URL"))?;
        // Every path parameter is one segment: `.`, `..` and the empty string would change the
        // URL (`/role/..` is the collection), so they are refused before the URL is made.
        let mut prefix: Vec<Stmt> = Vec::new();
        for stmt in &send.block.stmts[..info_at] {
            if is_let(stmt, "url") {
                for p in &params {
                    let pname = LitStr::new(&p.to_string(), Span::call_site());
                    prefix.push(parse_quote! {
                        crate::generated::path_segment(&#p.to_string(), #pname)
                            .map_err(Error::InvalidRequest)?;
                    });
                }
            }
            prefix.push(stmt.clone());
        }
        accept_in_header_map(&mut prefix);
        crate::headers::compact(&mut prefix);
        for stmt in &mut prefix {
            plain_tries.visit_stmt_mut(stmt);
        }
        let fields = builder_fields.get(&name).cloned().unwrap_or_default();
        let typed: Vec<(syn::Ident, Type)> = params
            .iter()
            .map(|p| {
                let ty = fields
                    .iter()
                    .find(|(f, _)| f == p)
                    .map(|(_, t)| t.clone())
                    .ok_or_else(|| format!("{name}: no field for path parameter {p}"))?;
                Ok((p.clone(), ty))
            })
            .collect::<Result<_, String>>()?;
        let method = specs.get(&op).map(|s| s.method.clone()).unwrap_or_default();
        let shape = shape(
            &success,
            &op,
            &method,
            surface,
            lists,
            &structs,
            &type_names,
            &mut out,
        );
        let op_lit = LitStr::new(&op, Span::call_site());
        let template = LitStr::new(
            &specs.get(&op).map(|s| s.path.clone()).unwrap_or_default(),
            Span::call_site(),
        );
        let (out_ty, convert, what): (TokenStream, TokenStream, String) = match &shape {
            Shape::Unit => (
                quote!(()),
                quote!(Ok(env)),
                "nothing (the server answers without a body)".into(),
            ),
            Shape::Bytes => (
                quote!(crate::ByteStream),
                quote!(Ok(env)),
                "the body as a stream of bytes".into(),
            ),
            Shape::Whole(t) => (
                quote!(#t),
                quote!(Ok(env)),
                format!("the {} the server answers with", type_link(t)),
            ),
            Shape::Field {
                field,
                vendor,
                ty,
                optional,
            } => {
                let conv = if *optional {
                    quote!(env.#field.ok_or(#vendor))
                } else {
                    quote!(Ok(env.#field))
                };
                (
                    quote!(#ty),
                    conv,
                    format!("the {} in the response's `{vendor}`", type_link(ty)),
                )
            }
            Shape::Page { item } => (
                quote!(crate::Page<#item>),
                quote!(Ok(crate::pagination::IntoPage::into_page(env))),
                format!("one [`Page`](crate::Page) of {}", type_link(item)),
            ),
        };
        let args = quote!(&client.client, &client.inner, request, (#op_lit, #template));
        let receive = match &shape {
            Shape::Unit => quote!(crate::generated::unit(#args)),
            Shape::Bytes => quote!(crate::generated::bytes(#args)),
            _ => {
                if is_generated_type(&success) {
                    decoded.insert(quote!(#success).to_string(), success.clone());
                }
                quote!(crate::generated::json(#args, |env: #success| #convert))
            }
        };
        let send_doc = format!(
            "Sends the request; returns {what}.\n\nAny failure is a [`permkit::Error`](crate::Error): the vendor's error body decoded, a transport failure, or a value refused before sending."
        );
        let meta_doc = "Like [`send`](Self::send), with the response's status, headers and request id beside the value.";
        // The statements go in as they are: quoting them into `parse_quote!` would print and
        // parse every builder's body again (about a second of the build script for PERSCOM).
        let mut request: syn::ImplItemFn = parse_quote! {
            #[inline]
            fn request(self) -> ::std::result::Result<::reqwest::Request, Error<()>> {
                Ok(request)
            }
        };
        request.block.stmts.splice(0..0, prefix);
        let new_items: Vec<ImplItem> = vec![
            ImplItem::Fn(request),
            parse_quote! {
                #[doc = #meta_doc]
                #[inline]
                pub fn send_with_meta(self) -> crate::Pending<'a, crate::Response<#out_ty>> {
                    let client = self.client;
                    let request = self.request();
                    #receive
                }
            },
            parse_quote! {
                #[doc = #send_doc]
                #[inline]
                pub fn send(self) -> crate::Pending<'a, #out_ty> {
                    self.send_with_meta().value()
                }
            },
        ];
        imp.items.splice(send_at..send_at, new_items);
        // `new` and the path parameters' setters are reached only through the Client method.
        let spec = specs.get(&op);
        for it in imp.items.iter_mut() {
            let ImplItem::Fn(f) = it else { continue };
            let fname = f.sig.ident.to_string();
            if fname == "new" || params.contains(&f.sig.ident) {
                f.vis = parse_quote!(pub(crate));
            } else if matches!(f.vis, Visibility::Public(_))
                && !matches!(fname.as_str(), "send" | "send_with_meta")
                && !f.attrs.iter().any(|a| a.path().is_ident("doc"))
            {
                let doc = setter_doc(&fname, spec);
                f.attrs.insert(0, parse_quote!(#[doc = #doc]));
            }
        }
        if lists.contains_key(&op)
            && let Shape::Page { item } = &shape
        {
            out.lists.push((name.clone(), type_label(item)));
        }
        out.operations += 1;
        path_params.insert(name, (op, typed));
    }
    PlainMessages.visit_item_mod_mut(builder_mod_mut(file)?);
    SharedSetters {
        json_names: json_names(file),
        builder: None,
    }
    .visit_file_mut(file);

    // The Client: operation methods take the path parameters; progenitor's traits go.
    let mut kept = Vec::new();
    for mut item in std::mem::take(&mut file.items) {
        match &mut item {
            Item::Impl(imp)
                if imp.trait_.as_ref().is_some_and(|(_, p, _)| {
                    p.segments.last().is_some_and(|s| s.ident == "ClientInfo")
                }) =>
            {
                imp.trait_ = None;
                imp.generics = Default::default();
                for it in imp.items.iter_mut() {
                    if let ImplItem::Fn(f) = it {
                        f.vis = parse_quote!(pub(crate));
                    }
                }
            }
            Item::Const(c) if c.ident == "_" => continue,
            Item::Use(u) if matches!(u.vis, Visibility::Public(_)) => u.vis = Visibility::Inherited,
            Item::Mod(m) if m.ident == "prelude" => continue,
            Item::Impl(imp)
                if imp.trait_.is_none() && self_name(imp).as_deref() == Some("Client") =>
            {
                imp.items
                    .retain(|it| !matches!(it, ImplItem::Fn(f) if f.sig.ident == "new"));
                for it in imp.items.iter_mut() {
                    let ImplItem::Fn(f) = it else { continue };
                    if f.sig.ident == "new_with_client" {
                        f.vis = parse_quote!(pub(crate));
                        continue;
                    }
                    let Some(builder) = returned_builder(&f.sig.output) else {
                        continue;
                    };
                    let Some((_, params)) = path_params.get(&builder) else {
                        continue;
                    };
                    let bident = format_ident!("{}", builder);
                    let mut call = quote!(builder::#bident::new(self));
                    for (p, ty) in params {
                        f.sig
                            .inputs
                            .push(parse_quote!(#p: impl ::std::convert::TryInto<#ty>));
                        call = quote!(#call.#p(#p));
                    }
                    f.block = parse_quote!({ #call });
                    rewrite_method_doc(&mut f.attrs, &f.sig.ident.to_string(), params);
                }
            }
            _ => {}
        }
        kept.push(item);
    }
    file.items = kept;
    if !decoded.is_empty() {
        let types = decoded.values();
        file.items
            .push(parse_quote!(crate::generated::decoded_here!(#(#types),*);));
    }
    Ok(out)
}

/// Whether `ty` is one of the generated types (`types::X`): those get their decoder compiled
/// in permkit. Others (a JSON object as a map) are implemented by hand, once, in
/// `src/generated.rs`.
fn is_generated_type(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none()
        && p.path.segments.len() == 2
        && p.path.segments[0].ident == "types")
}

fn builder_mod_mut(file: &mut syn::File) -> Result<&mut ItemMod, String> {
    file.items
        .iter_mut()
        .find_map(|i| match i {
            Item::Mod(m) if m.ident == "builder" => Some(m),
            _ => None,
        })
        .ok_or_else(|| "no builder module".to_string())
}

#[allow(clippy::too_many_arguments)]
fn shape(
    success: &Type,
    op: &str,
    method: &str,
    surface: Surface,
    lists: &BTreeMap<String, (String, String)>,
    structs: &BTreeMap<String, Vec<(syn::Ident, Type)>>,
    type_names: &BTreeSet<String>,
    out: &mut Rewritten,
) -> Shape {
    let label = type_label(success);
    if label == "()" {
        return Shape::Unit;
    }
    if label == "ByteStream" {
        return Shape::Bytes;
    }
    if let Some((envelope, item)) = lists.get(op) {
        out.pages.insert(PageEnvelope {
            envelope: envelope.clone(),
            item: item.clone(),
        });
        return Shape::Page {
            item: qualify(&syn::parse_str(item).expect("item type"), type_names),
        };
    }
    let Some((field, vendor)) = surface.unwrap_field else {
        return Shape::Whole(success.clone());
    };
    let Some(fields) = structs.get(&label) else {
        return Shape::Whole(success.clone());
    };
    let Some((ident, ty)) = fields.iter().find(|(f, _)| f == field) else {
        return Shape::Whole(success.clone());
    };
    let (inner, optional) = match generic_arg(ty, "Option") {
        Some(t) => (t, true),
        None => (ty.clone(), false),
    };
    let meta = surface
        .meta_field
        .and_then(|m| fields.iter().find(|(f, _)| f == m))
        .map(|(_, t)| generic_arg(t, "Option").unwrap_or_else(|| t.clone()));
    // A GET of a collection, or any operation whose metadata names the next page (Intacct's
    // query service), answers a page.
    let pages_on = meta.as_ref().is_some_and(|t| {
        method == "get"
            || structs
                .get(&type_label(t))
                .is_some_and(|f| f.iter().any(|(name, _)| name == "next"))
    });
    if let Some(item) = generic_arg(&inner, "Vec")
        && pages_on
        && !optional
        && type_names.contains(&type_label(&item))
    {
        out.pages.insert(PageEnvelope {
            envelope: label,
            item: type_label(&item),
        });
        return Shape::Page {
            item: qualify(&item, type_names),
        };
    }
    Shape::Field {
        field: ident.clone(),
        vendor,
        ty: qualify(&inner, type_names),
        optional,
    }
}

/// Names of the items of `mod types`.
fn type_names(file: &syn::File) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for item in &file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        for i in m.content.iter().flat_map(|c| c.1.iter()) {
            match i {
                Item::Struct(s) => names.insert(s.ident.to_string()),
                Item::Enum(e) => names.insert(e.ident.to_string()),
                Item::Type(t) => names.insert(t.ident.to_string()),
                Item::Use(_) => false,
                _ => false,
            };
        }
    }
    names
}

/// Fields of the structs of `mod types`, by struct name.
fn struct_fields(file: &syn::File) -> BTreeMap<String, Vec<(syn::Ident, Type)>> {
    let mut out = BTreeMap::new();
    for item in &file.items {
        let Item::Mod(m) = item else { continue };
        if m.ident != "types" {
            continue;
        }
        for i in m.content.iter().flat_map(|c| c.1.iter()) {
            if let Item::Struct(s) = i {
                let fields = s
                    .fields
                    .iter()
                    .filter_map(|f| Some((f.ident.clone()?, f.ty.clone())))
                    .collect();
                out.insert(s.ident.to_string(), fields);
            }
        }
    }
    out
}

/// Fields of the builder structs: `name -> [(field, T)]` where the field is `Result<T, String>`.
fn builder_struct_fields(m: &ItemMod) -> BTreeMap<String, Vec<(syn::Ident, Type)>> {
    let mut out = BTreeMap::new();
    for i in m.content.iter().flat_map(|c| c.1.iter()) {
        if let Item::Struct(s) = i {
            let fields = s
                .fields
                .iter()
                .filter_map(|f| Some((f.ident.clone()?, generic_arg(&f.ty, "Result")?)))
                .collect();
            out.insert(s.ident.to_string(), fields);
        }
    }
    out
}

fn self_name(imp: &ItemImpl) -> Option<String> {
    match &*imp.self_ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The first generic argument of `ty` when its last path segment is `name`.
pub fn generic_arg(ty: &Type, name: &str) -> Option<Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != name {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    args.args.iter().find_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    })
}

/// `T` of `Result<ResponseValue<T>, _>`.
fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    generic_arg(&generic_arg(ty, "Result")?, "ResponseValue")
}

/// `X` of `-> builder::X<'_>`.
fn returned_builder(output: &ReturnType) -> Option<String> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let Type::Path(p) = &**ty else { return None };
    let segs: Vec<_> = p.path.segments.iter().collect();
    (segs.len() == 2 && segs[0].ident == "builder").then(|| segs[1].ident.to_string())
}

/// A rustdoc link to a plain type path, or the type in code.
fn type_link(ty: &Type) -> String {
    let text: String = quote!(#ty).to_string().split_whitespace().collect();
    let label = type_label(ty);
    match ty {
        Type::Path(p) if p.path.segments.iter().all(|s| s.arguments.is_none()) => {
            format!("[`{label}`]({})", text.trim_start_matches("::"))
        }
        _ => format!("`{text}`"),
    }
}

/// The last path segment's name, or `()`.
pub fn type_label(ty: &Type) -> String {
    match ty {
        Type::Tuple(t) if t.elems.is_empty() => "()".into(),
        Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn is_let(stmt: &Stmt, name: &str) -> bool {
    matches!(stmt, Stmt::Local(l) if matches!(&l.pat, syn::Pat::Ident(i) if i.ident == name))
}

fn operation_id(stmts: &[Stmt]) -> Option<String> {
    stmts.iter().find_map(|s| {
        let Stmt::Local(l) = s else { return None };
        let Expr::Struct(st) = &*l.init.as_ref()?.expr else {
            return None;
        };
        st.fields.iter().find_map(|f| match (&f.member, &f.expr) {
            (syn::Member::Named(n), Expr::Lit(lit)) if n == "operation_id" => match &lit.lit {
                syn::Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
    })
}

/// The path parameters of `let url = format!("...", client.baseurl, encode_path(&p.to_string()), ...)`.
fn url_params(stmts: &[Stmt]) -> Option<Vec<syn::Ident>> {
    let mac = stmts.iter().find_map(|s| {
        let Stmt::Local(l) = s else { return None };
        if !is_let(s, "url") {
            return None;
        }
        match &*l.init.as_ref()?.expr {
            Expr::Macro(m) => Some(m.mac.clone()),
            _ => None,
        }
    })?;
    let args = mac
        .parse_body_with(Punctuated::<Expr, Token![,]>::parse_terminated)
        .ok()?;
    let mut params = Vec::new();
    for arg in args.iter().skip(2) {
        let mut found = None;
        FindIdent(&mut found).visit_expr_mut(&mut arg.clone());
        params.push(found?);
    }
    Some(params)
}

/// Finds the receiver of `x.to_string()` inside `encode_path(&x.to_string())`.
struct FindIdent<'a>(&'a mut Option<syn::Ident>);

impl VisitMut for FindIdent<'_> {
    fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
        if m.method == "to_string"
            && let Expr::Path(p) = &*m.receiver
            && let Some(i) = p.path.get_ident()
        {
            *self.0 = Some(i.clone());
            return;
        }
        syn::visit_mut::visit_expr_method_call_mut(self, m);
    }
}

/// Prefixes `types::` to paths that name an item of `mod types`.
fn qualify(ty: &Type, names: &BTreeSet<String>) -> Type {
    struct Q<'a>(&'a BTreeSet<String>);
    impl VisitMut for Q<'_> {
        fn visit_type_path_mut(&mut self, p: &mut syn::TypePath) {
            if p.qself.is_none()
                && p.path.leading_colon.is_none()
                && p.path.segments.len() == 1
                && self.0.contains(&p.path.segments[0].ident.to_string())
            {
                p.path.segments.insert(0, parse_quote!(types));
            }
            syn::visit_mut::visit_type_path_mut(self, p);
        }
    }
    let mut t = ty.clone();
    Q(names).visit_type_mut(&mut t);
    t
}

/// The setters' conversion messages, in plain words (the operation is added by the caller).
struct PlainMessages;

impl VisitMut for PlainMessages {
    fn visit_lit_str_mut(&mut self, lit: &mut LitStr) {
        let v = lit.value();
        if let Some(rest) = v.strip_prefix("conversion to `")
            && let Some((ty, tail)) = rest.split_once("` for ")
            && let Some(name) = tail.strip_suffix(" failed")
        {
            *lit = LitStr::new(&format!("`{name}` must be {}", friendly(ty)), lit.span());
        } else if let Some(name) = v.strip_suffix(" was not initialized") {
            *lit = LitStr::new(&format!("`{name}` is required"), lit.span());
        }
    }
}

/// Progenitor sets `Accept` with `RequestBuilder::header`, whose generic conversions are the
/// dearest line of every `request()` to type-check; where the request has a header map anyway,
/// `Accept` goes into it (the same header: `.headers(map)` adds the map's headers).
fn accept_in_header_map(stmts: &mut Vec<Stmt>) {
    let Some(at) = stmts.iter().position(|s| is_let(s, "header_map")) else {
        return;
    };

    let mut accept = None;
    for stmt in stmts.iter_mut() {
        if let Stmt::Local(local) = stmt
            && let Some(init) = &mut local.init
            && accept.is_none()
        {
            accept = take_accept(&mut init.expr);
        }
    }
    if let Some(value) = accept {
        stmts.insert(
            at + 1,
            parse_quote!(header_map.insert(::reqwest::header::ACCEPT, #value);),
        );
    }
}

fn take_accept(e: &mut Expr) -> Option<Expr> {
    if let Expr::Try(t) = e {
        return take_accept(&mut t.expr);
    }
    let Expr::MethodCall(m) = e else {
        return None;
    };
    if m.method == "header"
        && m.args.len() == 2
        && quote_expr(&m.args[0]) == ":: reqwest :: header :: ACCEPT"
    {
        let value = m.args[1].clone();
        *e = (*m.receiver).clone();
        return Some(value);
    }
    take_accept(&mut m.receiver)
}

fn quote_expr(e: &Expr) -> String {
    quote!(#e).to_string()
}

/// Setter bodies call one shared generic function instead of each holding a `try_into()`
/// chain and a closure of its own: the same values, and far less for the compiler to check
/// (every setter of every operation builder and body builder has this shape).
///
/// | generated | becomes |
/// |---|---|
/// | `value.try_into().map_err(\|_\| "m".to_string())` | `crate::generated::set(value, "m")` |
/// | `value.try_into().map(Some).map_err(\|_\| "m".to_string())` | `crate::generated::set_some(value, "m")` |
/// | `value.try_into().map_err(\|e\| format!("error converting supplied value for f: {e}"))` | `crate::generated::convert(value, "json")` |
///
/// A body builder's setter names its field by the JSON name (`first_name` becomes `firstName`),
/// so that a refused value is reported on the path the server would name.
struct SharedSetters {
    /// `(struct, Rust field) -> JSON name`, where they differ ([`json_names`]).
    json_names: BTreeMap<(String, String), String>,
    /// The builder whose `impl` is being visited.
    builder: Option<String>,
}

impl VisitMut for SharedSetters {
    fn visit_item_impl_mut(&mut self, imp: &mut ItemImpl) {
        let outer = std::mem::replace(&mut self.builder, self_name(imp));
        syn::visit_mut::visit_item_impl_mut(self, imp);
        self.builder = outer;
    }

    fn visit_expr_assign_mut(&mut self, a: &mut syn::ExprAssign) {
        if let Some(call) = shared_body_setter(&a.right) {
            *a.right = call;
            return;
        }
        let json = |field: &str| {
            self.builder
                .as_ref()
                .and_then(|b| self.json_names.get(&(b.clone(), field.to_string())))
                .cloned()
                .unwrap_or_else(|| field.to_string())
        };
        if let Some(call) = shared_setter(&a.right, json) {
            *a.right = call;
        }
    }
}

/// The JSON name of every field of `mod types` whose Rust name differs (`#[serde(rename =
/// "firstName")] first_name`), by struct and Rust field.
fn json_names(file: &syn::File) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let types = file.items.iter().find_map(|i| match i {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
        _ => None,
    });
    for item in types.iter().flat_map(|c| c.1.iter()) {
        let Item::Struct(s) = item else { continue };
        for f in &s.fields {
            let Some(ident) = &f.ident else { continue };
            if let Some(name) = f.attrs.iter().find_map(serde_rename) {
                out.insert((s.ident.to_string(), ident.to_string()), name);
            }
        }
    }
    out
}

/// `name` of `#[serde(rename = "name", ...)]`.
pub fn serde_rename(attr: &syn::Attribute) -> Option<String> {
    if !attr.path().is_ident("serde") {
        return None;
    }
    let mut name = None;
    let _ = attr.parse_nested_meta(|meta| {
        if meta.input.peek(Token![=]) {
            let value: Expr = meta.value()?.parse()?;
            if meta.path.is_ident("rename")
                && let Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) = value
            {
                name = Some(s.value());
            }
        }
        Ok(())
    });
    name
}

/// The body setter's conversion, `value.try_into().map(From::from).map_err(|s| format!("conversion
/// to `T` for body failed: {}", s))`, becomes `crate::generated::body::<_, T, _>(value, "conversion
/// to `T` for body failed")`: the same value and message, one shared generic function. `T` is
/// read from the message, which names the body's type in `types`.
pub fn shared_body_setter(rhs: &Expr) -> Option<Expr> {
    let Expr::MethodCall(map_err) = rhs else {
        return None;
    };
    // Shapes first, then the one comparison of text: this runs on every setter's assignment.
    if map_err.method != "map_err"
        || map_err.args.len() != 1
        || !matches!(&*map_err.receiver, Expr::MethodCall(m) if m.method == "map")
        || quote_expr(&map_err.receiver) != "value . try_into () . map (From :: from)"
    {
        return None;
    }
    let Expr::Closure(closure) = &map_err.args[0] else {
        return None;
    };
    // `|s| format!(..)`, or `|s| { format!(..) }` as progenitor writes it.
    let format = match &*closure.body {
        Expr::Macro(m) => &m.mac,
        Expr::Block(b) => match b.block.stmts.as_slice() {
            [Stmt::Expr(Expr::Macro(m), None)] => &m.mac,
            [Stmt::Macro(m)] => &m.mac,
            _ => return None,
        },
        _ => return None,
    };
    if !format.path.is_ident("format") {
        return None;
    }
    let message: LitStr = format
        .parse_body_with(|input: syn::parse::ParseStream| {
            let lit: LitStr = input.parse()?;
            let _: TokenStream = input.parse()?;
            Ok(lit)
        })
        .ok()?;
    let text = message.value();
    let refused = text.strip_suffix(": {}")?;
    let ty = refused
        .strip_prefix("conversion to `")?
        .strip_suffix("` for body failed")?;
    if ty.is_empty() || !ty.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    let ty = format_ident!("{ty}");
    let refused = LitStr::new(refused, message.span());
    Some(parse_quote!(crate::generated::body::<_, types::#ty, _>(value, #refused)))
}

/// The `?`s of a `request()` written out as `match`es that name their conversion. A `?` leaves
/// the compiler to find the `From` impl behind it, and `.try_into()?` the target type as well;
/// in every one of hundreds of builders, that search is the dearest part of checking
/// `request()`.
///
/// | generated | becomes |
/// |---|---|
/// | `x.map_err(Error::InvalidRequest)?` | `match x { Ok(v) => v, Err(e) => return Err(Error::InvalidRequest(e)) }` |
/// | `header_map.append(name, value.to_string().try_into()?)` | the value made by `HeaderValue::try_from(value.to_string())`, its error by `Error::from` |
/// | any other `x?` | `match x { Ok(v) => v, Err(e) => return Err(Error::from(e)) }`, which is what `?` does |
///
/// Closures are left alone: there, `return` would leave the closure, not `request()`.
pub struct PlainTries {
    /// The two `match`es, parsed once and cloned for each `?` (`parse_quote!` per `?` was most
    /// of this step's time): `Err(e) => return Err(Error::InvalidRequest(e))`, and
    /// `Err(e) => return Err(Error::from(e))`.
    invalid_request: syn::ExprMatch,
    from: syn::ExprMatch,
}

impl Default for PlainTries {
    fn default() -> Self {
        Self {
            invalid_request: parse_quote! {
                match x {
                    Ok(v) => v,
                    Err(e) => return Err(Error::InvalidRequest(e)),
                }
            },
            from: parse_quote! {
                match x {
                    Ok(v) => v,
                    Err(e) => return Err(Error::from(e)),
                }
            },
        }
    }
}

impl PlainTries {
    /// `template` with `x` moved in as the matched value.
    fn written_out(template: &syn::ExprMatch, x: Expr) -> Expr {
        let mut m = template.clone();
        *m.expr = x;
        Expr::Match(m)
    }
}

impl VisitMut for PlainTries {
    fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}

    fn visit_expr_method_call_mut(&mut self, m: &mut syn::ExprMethodCall) {
        if m.method == "append"
            && m.args.len() == 2
            && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("header_map"))
            && let Expr::Try(t) = &mut m.args[1]
            && let Expr::MethodCall(into) = &mut *t.expr
            && into.method == "try_into"
            && into.args.is_empty()
        {
            let value = std::mem::replace(&mut *into.receiver, Expr::Verbatim(TokenStream::new()));
            let mut convert: syn::ExprCall =
                parse_quote!(::reqwest::header::HeaderValue::try_from());
            convert.args.push(value);
            m.args[1] = Self::written_out(&self.from, Expr::Call(convert));
        }
        syn::visit_mut::visit_expr_method_call_mut(self, m);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let Expr::Try(t) = e else { return };
        let inner = std::mem::replace(&mut *t.expr, Expr::Verbatim(TokenStream::new()));
        *e = match inner {
            Expr::MethodCall(m)
                if m.method == "map_err"
                    && m.args.len() == 1
                    && matches!(&m.args[0], Expr::Path(p)
                        if p.path.segments.len() == 2
                            && p.path.segments[0].ident == "Error"
                            && p.path.segments[1].ident == "InvalidRequest") =>
            {
                Self::written_out(&self.invalid_request, *m.receiver)
            }
            other => Self::written_out(&self.from, other),
        };
    }
}

fn shared_setter(rhs: &Expr, json: impl Fn(&str) -> String) -> Option<Expr> {
    let Expr::MethodCall(map_err) = rhs else {
        return None;
    };
    if map_err.method != "map_err" || map_err.args.len() != 1 {
        return None;
    }
    let Expr::Closure(closure) = &map_err.args[0] else {
        return None;
    };
    let (converted, some) = match &*map_err.receiver {
        Expr::MethodCall(m) if m.method == "map" && quote!(#m).to_string().ends_with("(Some)") => {
            (&*m.receiver, true)
        }
        other => (other, false),
    };
    let Expr::MethodCall(try_into) = converted else {
        return None;
    };
    if try_into.method != "try_into" || quote!(#try_into).to_string() != "value . try_into ()" {
        return None;
    }
    let body = quote!(#closure).to_string();
    let lit = |e: &Expr| match e {
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(l),
            ..
        }) => Some(l.clone()),
        _ => None,
    };
    match &*closure.body {
        // `|_| "message".to_string()`
        Expr::MethodCall(m) if m.method == "to_string" && body.starts_with("| _ |") => {
            let message = lit(&m.receiver)?;
            Some(if some {
                parse_quote!(crate::generated::set_some(value, #message))
            } else {
                parse_quote!(crate::generated::set(value, #message))
            })
        }
        // `|e| format!("error converting supplied value for field: {e}")`
        _ if !some => {
            let field = body
                .split("error converting supplied value for ")
                .nth(1)?
                .split(": {e}")
                .next()?;
            if !field.chars().all(|c| c.is_alphanumeric() || c == '_') {
                return None;
            }
            let field = LitStr::new(&json(field), Span::call_site());
            Some(parse_quote!(crate::generated::convert(value, #field)))
        }
        _ => None,
    }
}

/// A type as a user would name the values it takes.
fn friendly(ty: &str) -> String {
    let t: String = ty.split_whitespace().collect();
    let inner = t
        .strip_prefix("::std::option::Option<")
        .and_then(|s| s.strip_suffix('>'))
        .unwrap_or(&t);
    match inner {
        "::std::num::NonZeroU64" | "::std::num::NonZeroU32" | "::std::num::NonZeroI64" => {
            "a number of 1 or more".into()
        }
        "::uuid::Uuid" => "a UUID".into(),
        "i64" | "i32" | "u64" | "u32" | "i16" | "u16" => format!("a number that fits in {inner}"),
        "f64" | "f32" => "a number".into(),
        "::std::string::String" => "text".into(),
        other => format!(
            "a valid `{}`",
            other
                .rsplit("::")
                .next()
                .unwrap_or(other)
                .trim_end_matches('>')
        ),
    }
}

fn setter_doc(name: &str, spec: Option<&OpSpec>) -> String {
    let described = spec.and_then(|s| {
        if name == "body" || name == "body_map" {
            s.body.clone()
        } else {
            s.params.get(&norm(name)).cloned()
        }
    });
    match (name, described) {
        ("body", Some(d)) => format!("The request body: {d}"),
        ("body", None) => "The request body (a typed value, or its builder).".into(),
        ("body_map", _) => {
            "Changes the request body already set, through its builder (`|b| b.field(value)`)."
                .into()
        }
        (_, Some(d)) => d,
        (n, None) => format!("Sets `{n}`."),
    }
}

/// The generated usage example shows the call as it is made now: path parameters as
/// arguments, the optional parameters and the body as setters, `send().await?` (the future
/// gives a `permkit::Result`). It is a `text` block: a doc test per operation would compile
/// hundreds of snippets whose names (`page`, `body`) stand for the caller's values, and an
/// `ignore` block shows as an ignored test.
fn rewrite_method_doc(attrs: &mut [syn::Attribute], method: &str, params: &[(syn::Ident, Type)]) {
    let names: Vec<String> = params.iter().map(|(p, _)| p.to_string()).collect();
    for a in attrs.iter_mut() {
        let syn::Meta::NameValue(nv) = &mut a.meta else {
            continue;
        };
        let Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &mut nv.value
        else {
            continue;
        };
        let text = s.value();
        let mut lines: Vec<String> = Vec::new();
        for line in text.lines() {
            let t = line.trim();
            if names.iter().any(|n| t == format!(".{n}({n})").as_str()) {
                continue;
            }
            if t == format!("let response = client.{method}()") {
                lines.push(line.replace(
                    &format!("{method}()"),
                    &format!("{method}({})", names.join(", ")),
                ));
                continue;
            }
            if t == "```ignore" {
                lines.push(line.replace("```ignore", "```text"));
                continue;
            }
            if t == ".await;" {
                lines.push(line.replace(".await;", ".await?;"));
                continue;
            }
            lines.push(line.to_string());
        }
        let mut text = lines.join("\n");
        if names.len() > 1 && text.contains("Sends a `") {
            text.push_str(&format!(
                "\n\nThe path parameters are arguments, in URL order: {}.",
                names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        *s = LitStr::new(&text, s.span());
    }
}
