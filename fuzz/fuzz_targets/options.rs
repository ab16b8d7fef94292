//! Fuzzes the frontend options map (`key=value` lines) through `slimfile::fuzzing::options`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| slimfile::fuzzing::options(data));
