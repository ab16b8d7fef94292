//! Prints the median wall time of parse+plan+emit for generated Dockerfiles of
//! 10..10,000 instructions (a quick number; `cargo bench` gives the full picture).
//!
//! `cargo run --release --example time_plan [SIZES...]`

#[path = "gen_dockerfile.rs"]
mod gen_dockerfile;

use std::time::Instant;

fn main() {
    let opts = slimfile::model::options::BuildOptions::new();
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 100, 1_000, 10_000]
    } else {
        sizes
    };
    for n in sizes {
        let src = gen_dockerfile::generate(n);
        let rounds = if n >= 10_000 { 11 } else { 51 };
        let mut times: Vec<f64> = (0..rounds)
            .map(|_| {
                let t = Instant::now();
                let e = slimfile::plan(&src, "Dockerfile", &opts).expect("plan");
                std::hint::black_box(e.definition.def.len());
                t.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "{n:>6} instructions: median {:.3} ms (min {:.3} ms)",
            times[rounds / 2],
            times[0]
        );
    }
}
