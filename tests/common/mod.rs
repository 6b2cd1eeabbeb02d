//! Helpers shared by integration tests.
#![allow(dead_code)]

pub mod loopback;
pub mod perscom;
pub mod raw;
