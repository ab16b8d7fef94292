//! Compiler benchmarks: parse, plan (typed model + fusion) and emit (LLB marshalled) on
//! synthetic Dockerfiles of 10 to 10,000 instructions. Run with `cargo bench`.

#[path = "../examples/gen_dockerfile.rs"]
mod gen_dockerfile;

use slimfile::model::options::BuildOptions;

fn main() {
    divan::main();
}

const SIZES: &[usize] = &[10, 100, 1_000, 10_000];

#[divan::bench(args = SIZES)]
fn parse(bencher: divan::Bencher, n: usize) {
    let src = gen_dockerfile::generate(n);
    bencher.bench(|| slimfile::syntax::parse(divan::black_box(&src)).map(|d| d.nodes.len()));
}

#[divan::bench(args = SIZES)]
fn typed_model(bencher: divan::Bencher, n: usize) {
    let src = gen_dockerfile::generate(n);
    bencher.bench(|| slimfile::parse_program(divan::black_box(&src)).map(|p| p.1.stages.len()));
}

#[divan::bench(args = SIZES)]
fn plan_and_emit(bencher: divan::Bencher, n: usize) {
    let src = gen_dockerfile::generate(n);
    let opts = BuildOptions::new();
    bencher.bench(|| {
        slimfile::plan(divan::black_box(&src), "Dockerfile", &opts).map(|e| e.definition.def.len())
    });
}
