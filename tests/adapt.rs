//! Unit tests of the build script's adaptation step (`build/adapt.rs`) and emitter
//! (`build/emit.rs`), included here because cargo does not run a build script's tests.

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
fn open_enum_source_keeps_spellings_and_avoids_collisions() {
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
        src.contains("Api2 = \"Api\" | \"Api\","),
        "a second spelling with the same normal form matches exactly: {src}"
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

#[test]
fn the_surface_rewrite_makes_path_parameters_arguments_and_send_ours() {
    let mut file = generated_like();
    let surface = surface::Surface {
        unwrap_field: Some(("data", "data")),
        meta_field: Some("meta"),
    };
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
        "header_map.insert(::reqwest::header::ACCEPT,::reqwest::header::HeaderValue::from_static(\"application/json\"));",
        "\"`id`isrequired\"",
        "letresponse=client.get_thing(id)",
    ] {
        assert!(code.contains(expected), "missing {expected} in {code}");
    }
    for gone in [
        "ClientInfo<",
        "ResponseValue",
        "pubfnnew(",
        "modprelude",
        "const_",
        "asyncfn",
        ".header(",
    ] {
        assert!(!code.contains(gone), "{gone} still in {code}");
    }
}

#[test]
fn relations_included_on_request_are_boxed_in_the_type_and_its_builder() {
    let spec = spec(
        json!({}),
        json!({
            "Rank": {"type": "object", "properties": {"id": {"type": "integer"}}},
            "User": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "rank": {"allOf": [{"$ref": "#/components/schemas/Rank"}], "nullable": true,
                         "description": "Included with ?include=rank."},
                "ranks": {"type": "array", "items": {"$ref": "#/components/schemas/Rank"},
                          "description": "Included with ?include=ranks."},
                "best": {"$ref": "#/components/schemas/Rank"}
            }}
        }),
    );
    let found = boxing::included_relations(&spec);
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
