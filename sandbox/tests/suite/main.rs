//! The sandbox's integration tests, one binary (each test file is a module): one link, and one
//! copy of what they share, instead of four.

mod admin;
mod control;
mod http;
mod mocks;
mod validation;
