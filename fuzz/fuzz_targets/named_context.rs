//! Fuzzes a named context (name, value, `input-metadata:` JSON, the input's
//! definition) through `slimfile::fuzzing::named_context`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| slimfile::fuzzing::named_context(data));
