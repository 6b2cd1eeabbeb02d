//! Unit tests of the build script's steps (`build/adapt.rs`, `build/surface.rs` and the
//! rewrites after it) and emitters (`build/emit.rs`, `build/pages.rs`), included here because
//! cargo does not run a build script's tests.

#[path = "../build/adapt.rs"]
#[allow(dead_code)]
mod adapt;
#[path = "../build/boxing.rs"]
mod boxing;
#[path = "../build/builders.rs"]
mod builders;
#[path = "../build/emit.rs"]
#[allow(dead_code)]
mod emit;
#[path = "../build/envelopes.rs"]
mod envelopes;
#[path = "../build/headers.rs"]
mod headers;
#[path = "../build/newtypes.rs"]
mod newtypes;
#[path = "../build/pages.rs"]
mod pages;
#[path = "../build/spec.rs"]
#[allow(dead_code)]
mod spec;
#[path = "../build/surface.rs"]
#[allow(dead_code)]
mod surface;

use adapt::{Config, ListRule, RAW_ERROR, adapt as run, pascal};
use serde_json::{Value, json};

fn config() -> Config {
    Config {
        list_rule: ListRule {
            page_param: "page",
            items_field: "items",
        },
        base_path: None,
    }
}

fn spec(paths: Value, schemas: Value) -> Value {
    json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": paths, "components": {"schemas": schemas}})
}

fn ok_response(schema: Value) -> Value {
    json!({"description": "ok", "content": {"application/json": {"schema": schema}}})
}

#[test]
fn rejects_openapi_3_1_with_the_pointer() {
    let mut s = spec(json!({}), json!({}));
    s["openapi"] = json!("3.1.0");
    let e = run(s, &config()).unwrap_err();
    assert_eq!(e.pointer, "/openapi");
    assert!(e.message.contains("3.1.0"), "{}", e.message);
    assert!(e.to_string().contains("check_version"));
}

#[test]
fn missing_and_duplicate_operation_ids_are_named() {
    let s = spec(
        json!({"/a": {"get": {"responses": {"200": {"description": "x"}}}}}),
        json!({}),
    );
    let e = run(s, &config()).unwrap_err();
    assert_eq!(e.pointer, "/paths/~1a/get");
    let s = spec(
        json!({
            "/a": {"get": {"operationId": "x", "responses": {"200": {"description": "x"}}}},
            "/b/{id}": {"get": {"operationId": "x", "responses": {"200": {"description": "x"}}}}
        }),
        json!({}),
    );
    let e = run(s, &config()).unwrap_err();
    assert_eq!(e.pointer, "/paths/~1b~1{id}/get");
    assert!(e.message.contains("used again"));
}

#[test]
fn multipart_operations_are_set_aside() {
    let s = spec(
        json!({
            "/up": {"post": {"operationId": "upload", "requestBody": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}},
                             "responses": {"201": {"description": "x"}}}},
            "/both": {
                "get": {"operationId": "keep", "responses": {"200": {"description": "x"}}},
                "put": {"operationId": "put_file", "requestBody": {"$ref": "#/components/requestBodies/F"}, "responses": {"200": {"description": "x"}}}
            }
        }),
        json!({}),
    );
    let mut s = s;
    s["components"]["requestBodies"] =
        json!({"F": {"content": {"multipart/form-data": {"schema": {"type": "object"}}}}});
    let out = run(s, &config()).unwrap();
    let ids: Vec<&str> = out
        .set_aside
        .iter()
        .map(|s| s.operation_id.as_str())
        .collect();
    assert_eq!(ids, ["put_file", "upload"]);
    assert!(
        out.spec.pointer("/paths/~1up").is_none(),
        "an empty path item is dropped"
    );
    assert!(out.spec.pointer("/paths/~1both/get").is_some());
    assert!(out.spec.pointer("/paths/~1both/put").is_none());
    assert_eq!(out.set_aside[1].method, "POST");
}

#[test]
fn error_responses_become_one_raw_shape() {
    let s = spec(
        json!({"/a": {"get": {"operationId": "a", "responses": {
            "200": ok_response(json!({"type": "string"})),
            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}},
            "500": {"description": "boom", "content": {"text/html": {"schema": {"type": "string"}}}},
            "default": {"description": "other"}
        }}}}),
        json!({}),
    );
    let out = run(s, &config()).unwrap();
    let responses = out
        .spec
        .pointer("/paths/~1a/get/responses")
        .unwrap()
        .as_object()
        .unwrap();
    let mut codes: Vec<&String> = responses.keys().collect();
    codes.sort();
    assert_eq!(codes, ["200", "4XX", "5XX"]);
    assert_eq!(
        responses["4XX"]["$ref"],
        format!("#/components/responses/{RAW_ERROR}")
    );
    assert!(
        out.spec
            .pointer(&format!("/components/schemas/{RAW_ERROR}"))
            .is_some()
    );
    assert!(
        out.spec
            .pointer(&format!("/components/responses/{RAW_ERROR}"))
            .is_some()
    );
}

#[test]
fn one_success_type_per_operation() {
    let s = spec(
        json!({"/h": {"get": {"operationId": "health", "responses": {
            "200": ok_response(json!({"type": "object"})),
            "201": ok_response(json!({"type": "object"})),
            "204": {"description": "empty"}
        }}}}),
        json!({}),
    );
    let out = run(s, &config()).unwrap();
    let responses = out
        .spec
        .pointer("/paths/~1h/get/responses")
        .unwrap()
        .as_object()
        .unwrap();
    assert!(responses.contains_key("200"));
    assert!(responses.contains_key("201"), "the same body is kept");
    assert!(
        !responses.contains_key("204"),
        "a body-less 204 beside a 200 body is dropped"
    );
}

#[test]
fn string_enums_are_opened_and_inline_ones_hoisted() {
    let s = spec(
        json!({"/e": {"get": {"operationId": "list_events",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string", "enum": ["Open", "Closed"]}}],
            "responses": {"200": ok_response(json!({"$ref": "#/components/schemas/Event"}))}}}}),
        json!({
            "Color": {"type": "string", "enum": ["Red", "Dark Blue"], "description": "A colour."},
            "Event": {"type": "object", "properties": {
                "kind": {"type": "string", "enum": ["A", "B"], "nullable": true},
                "count": {"type": "integer", "enum": [1, 2]}
            }}
        }),
    );
    let out = run(s, &config()).unwrap();
    let names: Vec<&str> = out.enums.iter().map(|e| e.name.as_str()).collect();
    assert!(names.contains(&"Color"));
    assert!(names.contains(&"EventKind"));
    assert!(names.contains(&"ListEventsStatus"));
    assert_eq!(
        out.spec
            .pointer("/paths/~1e/get/parameters/0/schema/$ref")
            .unwrap(),
        "#/components/schemas/ListEventsStatus"
    );
    let kind = out
        .spec
        .pointer("/components/schemas/Event/properties/kind")
        .unwrap();
    assert_eq!(
        kind["nullable"], true,
        "a nullable inline enum stays nullable"
    );
    assert_eq!(kind["allOf"][0]["$ref"], "#/components/schemas/EventKind");
    assert!(
        out.spec
            .pointer("/components/schemas/Event/properties/count/enum")
            .is_some(),
        "integer enums are left alone"
    );
    let color = out.enums.iter().find(|e| e.name == "Color").unwrap();
    assert_eq!(color.values, ["Red", "Dark Blue"]);
    assert_eq!(color.description.as_deref(), Some("A colour."));
}

#[test]
fn date_times_are_normalised_and_objects_opened() {
    let s = spec(
        json!({}),
        json!({"T": {"type": "object", "additionalProperties": false, "properties": {
            "at": {"type": "string", "format": "date-time", "pattern": "^x$", "example": "2020", "nullable": true}
        }}}),
    );
    let out = run(s, &config()).unwrap();
    let t = out.spec.pointer("/components/schemas/T").unwrap();
    assert!(t.get("additionalProperties").is_none());
    assert_eq!(
        t["properties"]["at"],
        json!({"type": "string", "format": "date-time", "nullable": true})
    );
}

#[test]
fn offset_optional_date_times_convert_like_date_times() {
    // Permission Assist's responses: `2020-08-02T04:24:00` as well as `...Z`, which
    // `format: date-time` refuses; the spec names the wire form, the type stays `Timestamp`.
    assert!(
        adapt::CONVERSIONS.contains(&("iso8601-date-time", "crate::Timestamp")),
        "{:?}",
        adapt::CONVERSIONS
    );
    let s = spec(
        json!({}),
        json!({"T": {"type": "object", "properties": {
            "at": {"type": "string", "format": "iso8601-date-time", "nullable": true,
                   "pattern": "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})?$",
                   "example": "2020-08-02T04:24:00", "description": "When."}
        }}}),
    );
    let out = run(s, &config()).unwrap();
    assert_eq!(
        out.spec
            .pointer("/components/schemas/T/properties/at")
            .unwrap(),
        &json!({"type": "string", "format": "iso8601-date-time", "nullable": true, "description": "When."}),
        "only what the conversion match reads is kept"
    );
}

#[test]
fn narrowing_components_become_the_schema_they_narrow() {
    let body = |name: &str| json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
    let op = |id: &str, schema: &str| {
        json!({"post": {"operationId": id, "requestBody": body(schema),
            "responses": {"200": ok_response(json!({"type": "string"}))}}})
    };
    let s = spec(
        json!({
            "/a/search": op("search_a", "ASearch"),
            "/b/search": op("search_b", "NoScopes"),
            "/c/search": op("search_c", "Search"),
            "/d": op("create_d", "Strict"),
        }),
        json!({
            "Scope": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Search": {"type": "object", "properties": {
                "scopes": {"type": "array", "items": {"$ref": "#/components/schemas/Scope"}},
                "text": {"type": "string"}
            }},
            "AScope": {"description": "A's scopes.", "allOf": [{"$ref": "#/components/schemas/Scope"},
                {"type": "object", "properties": {"name": {"type": "string", "enum": ["hidden", "visible"]}}}]},
            "ASearch": {"allOf": [{"$ref": "#/components/schemas/Search"},
                {"type": "object", "properties": {"scopes": {"type": "array", "items": {"$ref": "#/components/schemas/AScope"}}}}]},
            "NoScopes": {"allOf": [{"$ref": "#/components/schemas/Search"},
                {"properties": {"scopes": {"type": "array", "maxItems": 0}}}]},
            // Not narrowings: a new property, a `required`.
            "Strict": {"allOf": [{"$ref": "#/components/schemas/Search"},
                {"type": "object", "properties": {"extra": {"type": "string"}}}]},
            "Required": {"allOf": [{"$ref": "#/components/schemas/Search"},
                {"type": "object", "required": ["text"]}]}
        }),
    );
    let out = run(s, &config()).unwrap();
    let schemas = out.spec.pointer("/components/schemas").unwrap();
    for gone in ["AScope", "ASearch", "NoScopes"] {
        assert!(schemas.get(gone).is_none(), "{gone} is dropped");
    }
    for kept in ["Scope", "Search", "Strict", "Required"] {
        assert!(schemas.get(kept).is_some(), "{kept} stays");
    }
    for id in ["a", "b", "c"] {
        assert_eq!(
            out.spec
                .pointer(&format!(
                    "/paths/~1{id}~1search/post/requestBody/content/application~1json/schema/$ref"
                ))
                .unwrap(),
            "#/components/schemas/Search",
            "search_{id} takes the one search body"
        );
    }
    assert_eq!(
        out.spec
            .pointer("/paths/~1d/post/requestBody/content/application~1json/schema/$ref")
            .unwrap(),
        "#/components/schemas/Strict"
    );
    assert!(
        !out.enums.iter().any(|e| e.name.starts_with('A')),
        "the narrowed scope names make no Rust enum: {:?}",
        out.enums
    );
    assert!(
        adapt::narrowed_base(
            &out.spec,
            &json!({"allOf": [{"$ref": "#/components/schemas/Missing"}, {"properties": {}}]})
        )
        .is_none()
    );
}

#[test]
fn list_operations_are_found() {
    let s = spec(
        json!({
            "/things": {"get": {"operationId": "list_things",
                "parameters": [{"$ref": "#/components/parameters/Page"}],
                "responses": {"200": ok_response(json!({"$ref": "#/components/schemas/ThingPage"}))}}},
            "/things/{id}": {"get": {"operationId": "get_thing",
                "responses": {"200": ok_response(json!({"$ref": "#/components/schemas/Thing"}))}}}
        }),
        json!({
            "Thing": {"type": "object"},
            "ThingPage": {"type": "object", "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}}}}
        }),
    );
    let mut s = s;
    s["components"]["parameters"] =
        json!({"Page": {"name": "page", "in": "query", "schema": {"type": "integer"}}});
    let out = run(s, &config()).unwrap();
    assert_eq!(out.lists.len(), 1);
    assert_eq!(out.lists[0].operation_id, "list_things");
    assert_eq!(out.lists[0].envelope, "ThingPage");
    assert_eq!(out.lists[0].item, "Thing");
}

#[test]
fn names_follow_the_generator() {
    assert_eq!(pascal("list_identities"), "ListIdentities");
    assert_eq!(pascal("IdentityPage"), "IdentityPage");
    assert_eq!(pascal("ia::result"), "IaResult");
    assert_eq!(pascal("APIError"), "ApiError");
    assert_eq!(pascal("Role Transition"), "RoleTransition");
    assert_eq!(pascal("view:user"), "ViewUser");
    assert_eq!(pascal("2fa"), "V2fa");
}

#[test]
fn open_enum_source_keeps_spellings_folds_drifts_and_avoids_collisions() {
    let src = emit::open_enums(&[adapt::OpenEnum {
        name: "Kind".into(),
        values: vec![
            "API".into(),
            "Api".into(),
            "Role Transition".into(),
            "UnknownValue".into(),
            "".into(),
        ],
        description: None,
    }]);
    assert!(src.contains("Api = \"API\" | \"api\","), "{src}");
    assert!(
        !src.contains("Api2") && !src.contains("\"Api\""),
        "a second spelling with the same normal form is the same variant (matched by the normal form): {src}"
    );
    assert!(src.contains("RoleTransition = \"Role Transition\" | \"roletransition\","));
    assert!(
        src.contains("UnknownValueKnown = \"UnknownValue\""),
        "the fallback variant's name is reserved"
    );
    assert!(src.contains("Empty = \"\""));
}

#[test]
fn every_checked_in_spec_adapts() {
    for (file, rule) in [
        (
            "openapi/permission-assist.yaml",
            ListRule {
                page_param: "page",
                items_field: "items",
            },
        ),
        (
            "openapi/perscom.yaml",
            ListRule {
                page_param: "page",
                items_field: "data",
            },
        ),
        (
            "openapi/intacct.yaml",
            ListRule {
                page_param: "start",
                items_field: "ia::result",
            },
        ),
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let value = serde_json::to_value(yaml).unwrap();
        let ops = adapt::operations(&value).len();
        let out = run(
            value,
            &Config {
                list_rule: rule,
                base_path: if file.contains("perscom") {
                    Some("/{version}")
                } else {
                    None
                },
            },
        )
        .unwrap_or_else(|e| panic!("{file}: {e}"));
        let left = adapt::operations(&out.spec).len();
        assert_eq!(
            left + out.set_aside.len(),
            ops,
            "{file}: every operation is generated or set aside"
        );
        if file.contains("permission-assist") {
            assert_eq!(ops, 17);
            assert_eq!(out.set_aside.len(), 1);
            assert_eq!(out.lists.len(), 5);
        }
    }
}

#[test]
fn base_path_moves_into_the_base_url() {
    let version =
        json!({"name": "version", "in": "path", "required": true, "schema": {"type": "string"}});
    let op = |id: &str| json!({"operationId": id, "responses": {"200": ok_response(json!({"type": "string"}))}});
    let mut s = spec(
        json!({
            "/{version}/users": {"parameters": [{"$ref": "#/components/parameters/Version"}], "get": op("list_users")},
            "/{version}/users/{user}": {"get": {"operationId": "get_user", "parameters": [version.clone(), {"name": "user", "in": "path", "required": true, "schema": {"type": "integer"}}], "responses": {"200": ok_response(json!({"type": "string"}))}}},
            "/health": {"get": op("get_health")}
        }),
        json!({}),
    );
    s["components"]["parameters"] = json!({"Version": version});
    let cfg = Config {
        base_path: Some("/{version}"),
        ..config()
    };
    let out = run(s, &cfg).unwrap();
    let paths: Vec<&String> = out.spec["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/users", "/users/{user}"]);
    assert_eq!(out.spec["paths"]["/users"]["parameters"], json!([]));
    assert_eq!(
        out.spec["paths"]["/users/{user}"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(out.set_aside.len(), 1);
    assert_eq!(out.set_aside[0].operation_id, "get_health");
    assert_eq!(adapt::operations(&out.spec).len(), 2);
}

#[test]
fn symbolic_enum_values_get_names() {
    assert_eq!(emit::variant_name("<="), "Le");
    assert_eq!(emit::variant_name("!="), "Ne");
    assert_eq!(emit::variant_name("not like"), "NotLike");
}

#[test]
fn unexploded_query_arrays_become_strings() {
    let include = json!({"name": "include", "in": "query", "style": "form", "explode": false, "schema": {"type": "array", "items": {"type": "string"}}});
    let tags = json!({"name": "tag", "in": "query", "schema": {"type": "array", "items": {"type": "string"}}});
    let mut s = spec(
        json!({"/x": {"get": {"operationId": "x", "parameters": [{"$ref": "#/components/parameters/Include"}, tags],
                               "responses": {"200": ok_response(json!({"type": "string"}))}}}}),
        json!({}),
    );
    s["components"]["parameters"] = json!({"Include": include});
    let out = run(s, &config()).unwrap();
    assert_eq!(
        out.spec["components"]["parameters"]["Include"]["schema"]["type"],
        "string"
    );
    assert!(
        out.spec["components"]["parameters"]["Include"]
            .get("explode")
            .is_none()
    );
    // An exploded array is left alone.
    assert_eq!(
        out.spec["paths"]["/x"]["get"]["parameters"][1]["schema"]["type"],
        "array"
    );
}

#[test]
fn integer_enums_get_names_from_their_description() {
    let s = spec(
        json!({}),
        json!({
            "RankRecordType": {"type": "integer", "enum": [0, 1, 2, 3], "description": "0 Promotion, 1 Demotion, 2 Lateral, 3 Transfer."},
            "Named": {"type": "integer", "enum": [1, 2], "x-enum-varnames": ["low", "high"]},
            "Bare": {"type": "integer", "enum": [5, 7]}
        }),
    );
    let out = run(s, &config()).unwrap();
    let by_name = |n: &str| {
        out.int_enums
            .iter()
            .find(|e| e.name == n)
            .unwrap()
            .values
            .clone()
    };
    assert_eq!(
        by_name("RankRecordType"),
        [
            (0, "Promotion".to_string()),
            (1, "Demotion".into()),
            (2, "Lateral".into()),
            (3, "Transfer".into())
        ]
    );
    assert_eq!(
        by_name("Named"),
        [(1, "Low".to_string()), (2, "High".into())]
    );
    assert_eq!(
        by_name("Bare"),
        [(5, "Value5".to_string()), (7, "Value7".into())]
    );
    let code = emit::int_enums(&out.int_enums);
    assert!(code.contains("open_int_enum!"), "{code}");
    assert!(code.contains("Promotion = 0,"), "{code}");
}

/// A file shaped like progenitor's output for one operation `GET /things/{id}` answering
/// `{data: Thing}`.
fn generated_like() -> syn::File {
    syn::parse_str(
        r#"
        pub mod types {
            pub struct Thing { pub id: i64 }
            pub struct ThingEnvelope { pub data: Thing }
        }
        pub struct Client { pub(crate) baseurl: String }
        impl Client {
            pub fn new(baseurl: &str) -> Self { todo!() }
            pub fn new_with_client(baseurl: &str) -> Self { todo!() }
        }
        impl ClientInfo<crate::transport::Inner> for Client {
            fn baseurl(&self) -> &str { self.baseurl.as_str() }
        }
        const _: () = {};
        impl Client {
            /**Get a thing

```ignore
let response = client.get_thing()
    .id(id)
    .send()
    .await;
```*/
            pub fn get_thing(&self) -> builder::GetThing<'_> { builder::GetThing::new(self) }
        }
        pub mod builder {
            pub struct GetThing<'a> { client: &'a super::Client, id: Result<i64, String> }
            impl<'a> GetThing<'a> {
                pub fn new(client: &'a super::Client) -> Self {
                    Self { client, id: Err("id was not initialized".to_string()) }
                }
                pub fn id<V>(mut self, value: V) -> Self where V: std::convert::TryInto<i64> {
                    self.id = value.try_into().map_err(|_| "conversion to `i64` for id failed".to_string());
                    self
                }
                pub async fn send(self) -> Result<ResponseValue<types::ThingEnvelope>, Error<()>> {
                    let Self { client, id } = self;
                    let id = id.map_err(Error::InvalidRequest)?;
                    let url = format!("{}/things/{}", client.baseurl, encode_path(&id.to_string()));
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                    let mut request = client.client.get(url)
                        .header(::reqwest::header::ACCEPT, ::reqwest::header::HeaderValue::from_static("application/json"))
                        .headers(header_map)
                        .build()?;
                    let info = OperationInfo { operation_id: "get_thing" };
                    let result = client.exec(request, &info).await;
                    todo!()
                }
            }
        }
        pub mod prelude {}
        "#,
    )
    .unwrap()
}

/// PERSCOM's envelopes: `data`, and `meta` saying which page it is.
fn perscom_surface() -> surface::Surface {
    surface::Surface {
        unwrap_field: Some(("data", "data")),
        meta_field: Some("meta"),
        paging: pages::Paging::Numbered {
            number: "meta.current_page",
            last: "meta.last_page",
            total: "meta.total",
            id: "id",
        },
    }
}

#[test]
fn the_surface_rewrite_makes_path_parameters_arguments_and_send_ours() {
    let mut file = generated_like();
    let surface = perscom_surface();
    let specs = surface::op_specs(&json!({"paths": {"/things/{id}": {"get": {
        "operationId": "get_thing",
        "parameters": [{"name": "id", "in": "path", "description": "The thing's id."}]
    }}}}));
    let out = surface::rewrite(&mut file, surface, &Default::default(), &specs).unwrap();
    assert_eq!(out.operations, 1);
    let code: String = quote::quote!(#file)
        .to_string()
        .split_whitespace()
        .collect();
    for expected in [
        "pubfnget_thing(&self,id:impl::std::convert::TryInto<i64>)->builder::GetThing<'_>{builder::GetThing::new(self).id(id)}",
        "pubfnsend(self)->crate::Pending<'a,types::Thing>{self.send_with_meta().value()}",
        "pubfnsend_with_meta(self)->crate::Pending<'a,crate::Response<types::Thing>>",
        "crate::generated::json(&client.client,&client.inner,request,(\"get_thing\",\"/things/{id}\"),|env:types::ThingEnvelope|Ok(env.data))",
        "pub(crate)fnnew(client:&'asuper::Client)",
        "pub(crate)fnid<V>",
        "self.id=crate::generated::set(value,\"`id`mustbeanumberthatfitsini64\");",
        "letheader_map=matchcrate::generated::header_map(&[(\"accept\",\"application/json\")],&[]){Ok(v)=>v,Err(e)=>returnErr(e),};",
        "\"`id`isrequired\"",
        "letresponse=client.get_thing(id)",
        "fnrequest(self)->::std::result::Result<::reqwest::Request,Error<()>>",
        "letrequest=self.request();",
        "letid=matchid{Ok(v)=>v,Err(e)=>returnErr(Error::InvalidRequest(e)),};",
        "matchcrate::generated::path_segment(&id.to_string(),\"id\"){Ok(v)=>v,Err(e)=>returnErr(Error::InvalidRequest(e)),};",
        ".headers(header_map).build(){Ok(v)=>v,Err(e)=>returnErr(Error::from(e)),};Ok(request)}",
    ] {
        assert!(code.contains(expected), "missing {expected} in {code}");
    }
    // The usage example is the call as it is made now, and not a doc test.
    let mut docs = String::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        for it in &imp.items {
            let syn::ImplItem::Fn(f) = it else { continue };
            for a in &f.attrs {
                if let syn::Meta::NameValue(nv) = &a.meta
                    && let syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }) = &nv.value
                {
                    docs.push_str(&text.value());
                }
            }
        }
    }
    assert!(
        docs.contains(
            "```text\nlet response = client.get_thing(id)\n    .send()\n    .await?;\n```"
        ),
        "{docs}"
    );
    for gone in [
        "```ignore",
        ".await;",
        "ClientInfo<",
        "ResponseValue",
        "pubfnnew(",
        "modprelude",
        "const_",
        "asyncfn",
        ".header(",
        "map_err(Error::InvalidRequest)?",
        ".build()?",
        "Ok((client,request))",
    ] {
        assert!(!code.contains(gone), "{gone} still in {code}");
    }
}

/// `request()`'s `?`s become `match`es naming their conversion; a `?` inside a closure stays,
/// since a `return` there would leave the closure.
#[test]
fn the_request_conversions_are_written_out() {
    use syn::visit_mut::VisitMut;
    let mut block: syn::Block = syn::parse_quote!({
        let body = body
            .and_then(|v| types::Thing::try_from(v).map_err(|e| e.to_string()))
            .map_err(Error::InvalidRequest)?;
        if let Some(value) = x_tenant {
            header_map.append("X-Tenant", value.to_string().try_into()?);
        }
        let keep = items
            .iter()
            .map(|i| Ok::<_, String>(i.parse::<u8>()?))
            .count();
        let mut request = client.client.post(url).json(&body).build()?;
    });
    let mut plain_tries = surface::PlainTries::default();
    for stmt in &mut block.stmts {
        plain_tries.visit_stmt_mut(stmt);
    }
    let code = flat_tokens(&quote::quote!(#block));
    for expected in [
        "letbody=matchbody.and_then(|v|types::Thing::try_from(v).map_err(|e|e.to_string())){Ok(v)=>v,Err(e)=>returnErr(Error::InvalidRequest(e)),};",
        "header_map.append(\"X-Tenant\",match::reqwest::header::HeaderValue::try_from(value.to_string()){Ok(v)=>v,Err(e)=>returnErr(Error::from(e)),});",
        "Ok::<_,String>(i.parse::<u8>()?)",
        "letmutrequest=matchclient.client.post(url).json(&body).build(){Ok(v)=>v,Err(e)=>returnErr(Error::from(e)),};",
    ] {
        assert!(code.contains(expected), "missing {expected} in {code}");
    }
}

/// The header block becomes one call with the same names and values in the same order; a
/// block with a statement the step does not know is left as generated.
#[test]
fn the_header_map_is_made_by_one_call() {
    let mut block: syn::Block = syn::parse_quote!({
        let url = format!("{}/things", client.baseurl,);
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(3usize);
        header_map.insert(
            ::reqwest::header::ACCEPT,
            ::reqwest::header::HeaderValue::from_static("application/json"),
        );
        header_map.append(
            ::reqwest::header::HeaderName::from_static("api-version"),
            ::reqwest::header::HeaderValue::from_static(super::Client::api_version()),
        );
        header_map.append("X-Entity", entity.to_string().try_into()?);
        if let Some(value) = x_tenant {
            header_map.append("X-Tenant", value.to_string().try_into()?);
        }
        let mut request = client.client.get(url).headers(header_map).build()?;
    });
    assert!(headers::compact(&mut block.stmts));
    let code = flat_tokens(&quote::quote!(#block));
    let expected = concat!(
        "letheader_map=matchcrate::generated::header_map(",
        "&[(\"accept\",\"application/json\"),(\"api-version\",super::Client::api_version())],",
        "&[(\"X-Entity\",Some(entity.to_string())),",
        "(\"X-Tenant\",matchx_tenant{Some(value)=>Some(value.to_string()),None=>None})]",
        "){Ok(v)=>v,Err(e)=>returnErr(e),};",
        "letmutrequest=client.client.get(url).headers(header_map).build()?;",
    );
    assert!(code.contains(expected), "missing {expected} in {code}");
    assert_eq!(code.matches("header_map.").count(), 0, "{code}");

    // A statement the step does not know: the whole block stays.
    let mut unknown: syn::Block = syn::parse_quote!({
        let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
        header_map.append("X-Entity", entity.to_string().try_into()?);
        header_map.remove("X-Entity");
        let mut request = client.client.get(url).headers(header_map).build()?;
    });
    let before = flat_tokens(&quote::quote!(#unknown));
    assert!(!headers::compact(&mut unknown.stmts));
    assert_eq!(flat_tokens(&quote::quote!(#unknown)), before);
}

/// The body setter calls `crate::generated::body` with progenitor's message, whose type it names.
#[test]
fn the_body_setter_calls_the_shared_function() {
    let generated: syn::Expr = syn::parse_quote! {
        value.try_into().map(From::from).map_err(|s| {
            format!("conversion to `AnnouncementCreate` for body failed: {}", s)
        })
    };
    let call = surface::shared_body_setter(&generated).expect("rewritten");
    assert_eq!(
        quote::quote!(#call).to_string(),
        "crate :: generated :: body :: < _ , types :: AnnouncementCreate , _ > (value , \"conversion to `AnnouncementCreate` for body failed\")"
    );
    // Any other shape is left as it is.
    for other in [
        syn::parse_quote!(
            value
                .try_into()
                .map_err(|s| format!("conversion to `X` for body failed: {}", s))
        ),
        syn::parse_quote!(
            value
                .try_into()
                .map(From::from)
                .map_err(|s| format!("conversion to `Vec<X>` for body failed: {}", s))
        ),
    ] {
        assert!(
            surface::shared_body_setter(&other).is_none(),
            "{}",
            quote::quote!(#other)
        );
    }
}

/// A `User` with one relation of each kind: included on request (`rank`, `ranks`), a list of
/// plain values described as included (`tags`), and relations always sent (`best`, `past`).
fn user_with_relations() -> Value {
    spec(
        json!({}),
        json!({
            "Rank": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "User": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "rank": {"allOf": [{"$ref": "#/components/schemas/Rank"}], "nullable": true,
                         "description": "Included with ?include=rank."},
                "ranks": {"type": "array", "items": {"$ref": "#/components/schemas/Rank"},
                          "description": "Included with ?include=ranks."},
                "tags": {"type": "array", "items": {"type": "string"},
                         "description": "Included with ?include=tags."},
                "best": {"$ref": "#/components/schemas/Rank"},
                "past": {"type": "array", "items": {"$ref": "#/components/schemas/Rank"}}
            }}
        }),
    )
}

#[test]
fn relations_included_on_request_are_boxed_in_the_type_and_its_builder() {
    let found = boxing::included_relations(&user_with_relations());
    assert_eq!(found.len(), 1);
    assert_eq!(found["User"].iter().collect::<Vec<_>>(), ["rank"]);
    let mut file: syn::File = syn::parse_quote! {
        pub mod types {
            pub struct User {
                pub best: ::std::option::Option<Rank>,
                pub rank: ::std::option::Option<Rank>,
            }
            pub mod builder {
                pub struct User {
                    rank: ::std::result::Result<::std::option::Option<super::Rank>, ::std::string::String>,
                }
                impl User {
                    pub fn rank<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<::std::option::Option<super::Rank>>,
                    {
                        self
                    }
                }
            }
        }
    };
    assert_eq!(boxing::box_fields(&mut file, &found), 1);
    let text = quote::quote!(#file).to_string().replace(' ', "");
    assert!(
        text.contains("pubbest:::std::option::Option<Rank>"),
        "{text}"
    );
    assert!(
        text.contains("pubrank:::std::option::Option<::std::boxed::Box<Rank>>"),
        "{text}"
    );
    assert!(
        text.contains(
            "rank:::std::result::Result<::std::option::Option<::std::boxed::Box<super::Rank>>"
        ),
        "{text}"
    );
    assert!(
        text.contains("TryInto<::std::option::Option<::std::boxed::Box<super::Rank>>>"),
        "{text}"
    );
}

#[test]
fn relation_lists_included_on_request_are_thin_in_the_type_and_its_builder() {
    let found = boxing::included_lists(&user_with_relations());
    assert_eq!(found.len(), 1);
    assert_eq!(found["User"].iter().collect::<Vec<_>>(), ["ranks"]);
    let mut file: syn::File = syn::parse_quote! {
        pub mod types {
            pub struct User {
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub past: ::std::vec::Vec<Rank>,
                #[serde(default, skip_serializing_if = "::std::vec::Vec::is_empty")]
                pub ranks: ::std::vec::Vec<Rank>,
            }
            pub mod builder {
                pub struct User {
                    ranks: ::std::result::Result<::std::vec::Vec<super::Rank>, ::std::string::String>,
                }
                impl User {
                    pub fn ranks<T>(mut self, value: T) -> Self
                    where
                        T: ::std::convert::TryInto<::std::vec::Vec<super::Rank>>,
                    {
                        self
                    }
                }
            }
        }
    };
    assert_eq!(boxing::thin_lists(&mut file, &found), 1);
    let text = quote::quote!(#file).to_string().replace(' ', "");
    assert!(
        text.contains(
            r#"#[serde(default,skip_serializing_if="::std::vec::Vec::is_empty")]pubpast:::std::vec::Vec<Rank>"#
        ),
        "{text}"
    );
    assert!(
        text.contains(
            r#"#[serde(default,skip_serializing_if="::thin_vec::ThinVec::is_empty")]pubranks:::thin_vec::ThinVec<Rank>"#
        ),
        "{text}"
    );
    assert!(
        text.contains("ranks:::std::result::Result<::thin_vec::ThinVec<super::Rank>"),
        "{text}"
    );
    assert!(
        text.contains("TryInto<::thin_vec::ThinVec<super::Rank>>"),
        "{text}"
    );
}

/// Types as progenitor emits them: two envelopes (one plain, one with a serde attribute), a
/// request body with a nested type, and a response-only type; one operation sends the body.
fn types_like() -> syn::File {
    syn::parse_str(
        r#"
        pub mod types {
            /// One thing.
            pub struct ThingResponse { pub data: Thing }
            #[serde(deny_unknown_fields)]
            pub struct Strict { pub data: Thing }
            pub struct Thing { pub id: i64 }
            pub struct ThingCreate { pub name: String, pub tag: Option<Tag> }
            pub struct Tag { pub label: String }
            impl ThingResponse { pub fn builder() -> builder::ThingResponse { Default::default() } }
            impl Thing { pub fn builder() -> builder::Thing { Default::default() } }
            impl ThingCreate { pub fn builder() -> builder::ThingCreate { Default::default() } }
            impl Tag { pub fn builder() -> builder::Tag { Default::default() } }
            pub mod builder {
                pub struct ThingResponse { data: Result<super::Thing, String> }
                impl Default for ThingResponse { fn default() -> Self { todo!() } }
                pub struct Thing { id: Result<i64, String> }
                impl Default for Thing { fn default() -> Self { todo!() } }
                impl TryFrom<Thing> for super::Thing { type Error = String; fn try_from(v: Thing) -> Result<Self, String> { todo!() } }
                impl From<super::Thing> for Thing { fn from(v: super::Thing) -> Self { todo!() } }
                pub struct ThingCreate { name: Result<String, String> }
                impl Default for ThingCreate { fn default() -> Self { todo!() } }
                pub struct Tag { label: Result<String, String> }
                impl Default for Tag { fn default() -> Self { todo!() } }
            }
        }
        pub mod builder {
            pub struct CreateThing<'a> { body: Result<types::builder::ThingCreate, String> }
        }
        "#,
    )
    .unwrap()
}

fn flat(file: &syn::File) -> String {
    quote::quote!(#file)
        .to_string()
        .split_whitespace()
        .collect()
}

#[test]
fn one_field_data_envelopes_become_aliases_of_the_generic_and_lose_their_builder() {
    let mut file = types_like();
    let shared = envelopes::share(&mut file, &syn::parse_quote!(crate::perscom::Data));
    assert_eq!(shared, 1);
    let code = flat(&file);
    assert!(
        code.contains("#[doc=\"Onething.\"]pubtypeThingResponse=crate::perscom::Data<Thing>;"),
        "{code}"
    );
    assert!(
        code.contains("pubstructStrict{pubdata:Thing}"),
        "an envelope with serde attributes stays: {code}"
    );
    assert!(!code.contains("implThingResponse"), "{code}");
    assert!(!code.contains("pubstructThingResponse"), "{code}");
    assert!(!code.contains("implDefaultforThingResponse"), "{code}");
}

#[test]
fn builders_stay_for_request_bodies_and_what_they_contain_only() {
    let mut file = types_like();
    let dropped = builders::keep_for_requests(&mut file);
    let code = flat(&file);
    for kept in [
        "pubstructThingCreate{name:",
        "pubstructTag{label:",
        "implThingCreate{pubfnbuilder",
        "implTag{pubfnbuilder",
    ] {
        assert!(code.contains(kept), "missing {kept}: {code}");
    }
    for gone in [
        "implThing{pubfnbuilder",
        "pubstructThing{id:Result",
        "TryFrom<Thing>",
        "From<super::Thing>",
        "implThingResponse{",
    ] {
        assert!(!code.contains(gone), "{gone} still in {code}");
    }
    // The types themselves all stay.
    assert!(code.contains("pubstructThing{pubid:i64}"), "{code}");
    assert_eq!(
        dropped, 3,
        "Thing, ThingResponse and Strict lose their builders"
    );
}

/// Types shaped like the generator's: three list envelopes (numbered with nested metadata,
/// numbered with renamed fields, offset with optional metadata) and their items.
fn page_types() -> syn::File {
    syn::parse_str(
        r#"
        pub mod types {
            pub struct User { pub id: i64, pub name: String }
            pub struct PageMeta { pub current_page: i64, pub last_page: i64, pub total: i64 }
            pub struct UserList { pub data: Vec<User>, pub meta: PageMeta }
            pub struct Identity { pub id: ::uuid::Uuid }
            pub struct IdentityPage {
                pub items: ::std::vec::Vec<Identity>,
                pub page: i32,
                #[serde(rename = "totalPages")]
                pub total_pages: i32,
                #[serde(rename = "totalCount")]
                pub total_count: u64,
            }
            pub struct Reference { pub key: Option<String> }
            pub struct PageMetadata {
                pub next: ::std::option::Option<i64>,
                pub start: ::std::option::Option<i64>,
                #[serde(rename = "totalCount")]
                pub total_count: ::std::option::Option<u32>,
            }
            pub struct ReferenceList {
                #[serde(rename = "ia::meta")]
                pub ia_meta: ::std::option::Option<PageMetadata>,
                #[serde(rename = "ia::result", default)]
                pub ia_result: ::std::vec::Vec<Reference>,
            }
        }
        "#,
    )
    .unwrap()
}

fn rewritten(pages: &[(&str, &str)], lists: &[(&str, &str)]) -> surface::Rewritten {
    surface::Rewritten {
        pages: pages
            .iter()
            .map(|(e, i)| surface::PageEnvelope {
                envelope: e.to_string(),
                item: i.to_string(),
            })
            .collect(),
        lists: lists
            .iter()
            .map(|(b, i)| (b.to_string(), i.to_string()))
            .collect(),
        operations: 0,
    }
}

fn flat_tokens(tokens: &proc_macro2::TokenStream) -> String {
    tokens.to_string().split_whitespace().collect()
}

#[test]
fn numbered_pages_are_emitted_from_the_table_and_the_types() {
    let perscom = pages::Paging::Numbered {
        number: "meta.current_page",
        last: "meta.last_page",
        total: "meta.total",
        id: "id",
    };
    let out = pages::emit(
        &page_types(),
        &rewritten(&[("UserList", "User")], &[("ListUsers", "User")]),
        "data",
        &perscom,
    )
    .unwrap();
    let code = flat_tokens(&out);
    for expected in [
        "implcrate::pagination::IntoPagefortypes::UserList{typeItem=types::User;",
        "letnumber=u64::try_from(self.meta.current_page).ok();",
        "letlast=u64::try_from(self.meta.last_page).ok();",
        "lettotal=u64::try_from(self.meta.total).ok();",
        "crate::Page::numbered(self.data,number.unwrap_or(1),last).with_total_count(total).with_reported(number)",
        "impl<'a>builder::ListUsers<'a>{",
        "pubfnstream(self)->crate::pagination::ResultStream<'a,types::User>",
        "pubfnpages_from(self,first:u64",
        "pubfnprefetch(self,n:usize)",
        "|list,n|list.page(n).send()",
        "implcrate::pagination::ItemIdfortypes::User{fnitem_id(&self)->crate::pagination::ItemKey{crate::pagination::ItemKey::from(&self.id)}}",
    ] {
        assert!(code.contains(expected), "missing {expected} in {code}");
    }
    // The emitted code parses as a file of its own.
    syn::parse2::<syn::File>(out).unwrap();

    // Renamed fields are followed, and an unsigned count is taken as it is.
    let permission_assist = pages::Paging::Numbered {
        number: "page",
        last: "totalPages",
        total: "totalCount",
        id: "id",
    };
    let out = pages::emit(
        &page_types(),
        &rewritten(
            &[("IdentityPage", "Identity")],
            &[("ListIdentities", "Identity")],
        ),
        "items",
        &permission_assist,
    )
    .unwrap();
    let code = flat_tokens(&out);
    for expected in [
        "letnumber=u64::try_from(self.page).ok();",
        "letlast=u64::try_from(self.total_pages).ok();",
        "lettotal=Some(self.total_count);",
        "crate::Page::numbered(self.items,",
        "ItemKey::from(&self.id)",
    ] {
        assert!(code.contains(expected), "missing {expected} in {code}");
    }
}

#[test]
fn offset_pages_read_through_optional_metadata_and_refuse_list_helpers() {
    let intacct = pages::Paging::Offset {
        start: "ia::meta.start",
        next: "ia::meta.next",
        total: "ia::meta.totalCount",
    };
    let out = pages::emit(
        &page_types(),
        &rewritten(&[("ReferenceList", "Reference")], &[]),
        "ia::result",
        &intacct,
    )
    .unwrap();
    let code = flat_tokens(&out);
    for expected in [
        "letstart=self.ia_meta.as_ref().and_then(|v|v.start).and_then(|n|u64::try_from(n).ok());",
        "letnext=self.ia_meta.as_ref().and_then(|v|v.next).and_then(|n|u64::try_from(n).ok());",
        "lettotal=self.ia_meta.as_ref().and_then(|v|v.total_count).map(u64::from);",
        "crate::Page::offset(self.ia_result,start.unwrap_or(1),next).with_total_count(total)",
    ] {
        assert!(code.contains(expected), "missing {expected} in {code}");
    }
    assert!(!code.contains("ItemId"), "{code}");
    // A list operation on an offset API has no helpers to get: the build says so.
    let e = pages::emit(
        &page_types(),
        &rewritten(
            &[("ReferenceList", "Reference")],
            &[("ListReferences", "Reference")],
        ),
        "ia::result",
        &intacct,
    )
    .unwrap_err();
    assert!(e.contains("ListReferences"), "{e}");
}

#[test]
fn a_page_field_the_envelope_lacks_stops_the_build_naming_it() {
    let paging = pages::Paging::Numbered {
        number: "meta.page",
        last: "meta.last_page",
        total: "meta.total",
        id: "id",
    };
    let e = pages::emit(
        &page_types(),
        &rewritten(&[("UserList", "User")], &[]),
        "data",
        &paging,
    )
    .unwrap_err();
    assert!(e.contains("UserList") && e.contains("meta.page"), "{e}");
    let e = pages::emit(
        &page_types(),
        &rewritten(&[("UserList", "User")], &[]),
        "items",
        &paging,
    )
    .unwrap_err();
    assert!(e.contains("UserList") && e.contains("`items`"), "{e}");
    // An item without an id cannot be paged by number.
    let e = pages::emit(
        &page_types(),
        &rewritten(&[], &[("ListReferences", "Reference")]),
        "data",
        &paging,
    )
    .unwrap_err();
    assert!(e.contains("Reference"), "{e}");
}

/// Two constrained strings as the generator emits them (a length limit, a pattern), a body that
/// holds them with its builder, and a response type that holds one too.
fn constrained_like() -> syn::File {
    syn::parse_str(
        r##"
        pub mod types {
            ///`NewThingName`
            #[serde(transparent)]
            pub struct NewThingName(::std::string::String);
            impl ::std::str::FromStr for NewThingName {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    if value.chars().count() > 256usize {
                        return Err("longer than 256 characters".into());
                    }
                    if value.chars().count() < 2usize {
                        return Err("shorter than 2 characters".into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
            ///Hex colour including the leading #.
            #[serde(transparent)]
            pub struct HexColor(::std::string::String);
            impl ::std::str::FromStr for HexColor {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    static PATTERN: ::std::sync::LazyLock<::regress::Regex> = ::std::sync::LazyLock::new(||
                    { ::regress::Regex::new("^#([A-Fa-f0-9]{6})$").unwrap() });
                    if PATTERN.find(value).is_none() {
                        return Err("doesn't match pattern".into());
                    }
                    Ok(Self(value.to_string()))
                }
            }
            ///`Plain`
            pub struct Plain(::std::string::String);
            impl ::std::str::FromStr for Plain {
                type Err = self::error::ConversionError;
                fn from_str(value: &str) -> ::std::result::Result<Self, self::error::ConversionError> {
                    Ok(Self(value.to_string()))
                }
            }
            pub struct NewThing {
                pub name: NewThingName,
                pub color: ::std::option::Option<HexColor>,
            }
            pub struct Thing { pub name: NewThingName }
            pub mod builder {
                pub struct NewThing { name: Result<super::NewThingName, String> }
            }
        }
        "##,
    )
    .unwrap()
}

#[test]
fn constrained_strings_state_their_limits_and_how_to_make_one() {
    let mut file = constrained_like();
    assert_eq!(newtypes::document(&mut file), 2);
    let doc = |name: &str| -> String {
        let types = file
            .items
            .iter()
            .find_map(|i| match i {
                syn::Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
                _ => None,
            })
            .unwrap();
        let s = types
            .1
            .iter()
            .find_map(|i| match i {
                syn::Item::Struct(s) if s.ident == name => Some(s),
                _ => None,
            })
            .unwrap();
        s.attrs
            .iter()
            .filter_map(|a| match &a.meta {
                syn::Meta::NameValue(nv) if nv.path.is_ident("doc") => match &nv.value {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(text),
                        ..
                    }) => Some(text.value()),
                    _ => None,
                },
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let name = doc("NewThingName");
    for expected in [
        "From 2 to 256 characters (as `str::chars` counts them). Every way of making one checks it",
        "`NewThingName::try_from(\"text\")?`",
        "`\"text\".parse::<NewThingName>()?`",
        "ConversionError",
        "`NewThing::builder().name(\"text\")`",
    ] {
        assert!(name.contains(expected), "missing {expected} in {name}");
    }
    assert!(
        !name.starts_with("`NewThingName`"),
        "the placeholder stays: {name}"
    );
    let color = doc("HexColor");
    for expected in [
        "Hex colour including the leading #.",
        "Matches the regular expression `^#([A-Fa-f0-9]{6})$`.",
        "HexColor::try_from(text)?",
    ] {
        assert!(color.contains(expected), "missing {expected} in {color}");
    }
    // An optional field of a body takes a checked value.
    assert!(
        color.contains("`NewThing::builder().color(HexColor::try_from(text)?)`"),
        "{color}"
    );
    // A string without limits keeps its doc.
    assert_eq!(doc("Plain"), "`Plain`");
}

/// What the constrained strings' rustdoc says works, compiled.
#[cfg(feature = "permission-assist")]
#[test]
fn constrained_strings_are_made_as_their_docs_say() -> Result<(), Box<dyn std::error::Error>> {
    use permkit::permission_assist::types::{NewIdentity, NewIdentityEmail, NewIdentityFirstName};
    let name = NewIdentityFirstName::try_from("Ada")?;
    assert_eq!(name.as_str(), "Ada");
    let parsed = "Ada".parse::<NewIdentityFirstName>()?;
    assert_eq!(String::from(parsed), "Ada");
    let refused = NewIdentityFirstName::try_from("x".repeat(257)).unwrap_err();
    assert_eq!(refused.to_string(), "longer than 256 characters");
    let body: NewIdentity = NewIdentity::builder()
        .first_name("Ada")
        .last_name(String::from("Lovelace"))
        .email(NewIdentityEmail::try_from("ada@example.com")?)
        .try_into()?;
    assert_eq!(body.first_name.as_str(), "Ada");
    let body: NewIdentity = NewIdentity::builder()
        .first_name("Ada")
        .last_name("Lovelace")
        .email(Some(NewIdentityEmail::try_from("ada@example.com")?))
        .try_into()?;
    assert!(body.email.is_some());
    Ok(())
}

/// The build sets the spec's `query` operation aside: `intacct::Client::query` is the hand-written
/// builder, and no other operation of the spec is left out of the generated client.
#[test]
fn the_generated_query_operation_is_set_aside_for_the_builder() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/intacct.yaml"))
            .unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let spec = serde_json::to_value(yaml).unwrap();
    let config = adapt::Config {
        list_rule: adapt::ListRule {
            page_param: "start",
            items_field: "ia::result",
        },
        base_path: None,
    };
    let out = adapt::adapt(spec, &config).unwrap();
    let set_aside: Vec<(&str, &str, &str)> = out
        .set_aside
        .iter()
        .map(|s| (s.operation_id.as_str(), s.method.as_str(), s.path.as_str()))
        .collect();
    assert_eq!(set_aside, [("query", "POST", "/services/core/query")]);
    assert!(out.spec.pointer("/paths/~1services~1core~1query").is_none());
}

/// The dynamic calls' `Shape` is written from the same names as the typed pagers: dotted names
/// become JSON pointers (`ia::meta` stays one name), and an offset API's default page size is
/// its body-paged operation's pager's `MAX_SIZE`.
#[test]
fn the_dynamic_shape_is_written_from_the_paging_table() {
    let numbered = emit::dynamic_shape(
        "perscom",
        &ListRule {
            page_param: "page",
            items_field: "data",
        },
        &perscom_surface(),
        Some("/{version}"),
        None,
    )
    .unwrap();
    assert!(
        numbered.contains(r#"Shape { unwrap: Some("data"), base_path: Some("/{version}"), paging: Paging::Numbered { param: "page", items: "/data", last: "/meta/last_page", total: "/meta/total", current: "/meta/current_page" } }"#),
        "{numbered}"
    );
    let offset = surface::Surface {
        unwrap_field: Some(("ia_result", "ia::result")),
        meta_field: Some("ia_meta"),
        paging: pages::Paging::Offset {
            start: "ia::meta.start",
            next: "ia::meta.next",
            total: "ia::meta.totalCount",
        },
    };
    let rule = ListRule {
        page_param: "start",
        items_field: "ia::result",
    };
    let shape = emit::dynamic_shape("intacct", &rule, &offset, None, Some("query")).unwrap();
    assert!(
        shape.contains(r#"paging: Paging::BodyOffset { items: "/ia::result", next: "/ia::meta/next", total: "/ia::meta/totalCount", default_size: crate::intacct::query::MAX_SIZE }"#),
        "{shape}"
    );
    let missing = emit::dynamic_shape("intacct", &rule, &offset, None, None).unwrap_err();
    assert!(
        missing.contains("names no body-paged operation"),
        "{missing}"
    );
}
