#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| permkit::__fuzz::error_display(data));
