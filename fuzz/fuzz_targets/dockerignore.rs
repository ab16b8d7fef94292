//! Fuzzes `.dockerignore` bytes through `slimfile::fuzzing::dockerignore`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| slimfile::fuzzing::dockerignore(data));
