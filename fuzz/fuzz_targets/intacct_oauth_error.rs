#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permkit::__fuzz::intacct_oauth_error(data));
