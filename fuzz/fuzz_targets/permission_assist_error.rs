#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permkit::__fuzz::permission_assist_error(data));
