//! Sage Intacct REST API.

pub(crate) mod errors;

crate::generated::generated_api!("intacct");

macro_rules! impl_list {
    ($builder:ident, $envelope:ident, $item:ident) => {};
}

include!(concat!(env!("OUT_DIR"), "/intacct_lists.rs"));
