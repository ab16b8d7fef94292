//! Fuzzes a base image's config JSON (`ResolveImageConfig`) through `slimfile::fuzzing::image_config`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| slimfile::fuzzing::image_config(data));
