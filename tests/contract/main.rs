//! Contract tests against Prism, which validates each request against the specs: ignored under a
//! plain `cargo test` (no Prism here), run by `.ci/run` with `cargo test --test contract --
//! --ignored`.

mod contract_intacct;
mod contract_permission_assist;
mod contract_perscom;
