//! permkit's integration tests, one module a subject, linked into one test binary (one link of
//! the whole SDK instead of one per file). `cargo test --test suite <module>` runs one subject.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod contract;
mod examples_cover;
mod intacct_auth;
mod intacct_errors;
mod intacct_operations;
mod intacct_query;
mod intacct_records;
mod intacct_sandbox;
mod permission_assist_errors;
mod permission_assist_operations;
mod permission_assist_paging;
mod permission_assist_sandbox;
mod permission_assist_upload;
mod perscom_client;
mod perscom_families;
mod perscom_paging;
mod perscom_relations;
mod perscom_sandbox;
mod perscom_search;
mod perscom_upload;
mod prefetch;
mod request_limits;
mod sandbox_faults;
mod sandbox_state;
mod secrets;
mod surface;
mod transport_edges;
mod webhooks_permission_assist;
mod webhooks_perscom;
