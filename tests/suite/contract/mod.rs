//! Contract tests against Prism, which validates each request against the specs: ignored under a
//! plain `cargo test` (no Prism here), run by `.ci/run` with `cargo test --test suite --
//! --ignored contract::`. A module of the suite rather than a test binary of their own: one
//! link of the SDK fewer in every build of the tests.

mod contract_intacct;
mod contract_permission_assist;
mod contract_perscom;
