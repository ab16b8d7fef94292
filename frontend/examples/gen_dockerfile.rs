//! Writes a synthetic Dockerfile of N instructions to stdout, mixing every instruction
//! kind and package manager (used by `cargo bench` and `integration/compile-bench`).
//!
//! `cargo run --release --example gen_dockerfile -- 10000 > big.Dockerfile`

/// A Dockerfile of about `n` instructions.
pub fn generate(n: usize) -> String {
    const BODY: &[&str] = &[
        "RUN apt-get update",
        "RUN apt-get install -y --no-install-recommends curl ca-certificates",
        "RUN DEBIAN_FRONTEND=noninteractive apt-get install -y jq && echo ok",
        "ENV PATH=/opt/venv/bin:$PATH APP_HOME=/app",
        "RUN python3 -m venv /opt/venv",
        "RUN /opt/venv/bin/pip install numpy==1.26.4",
        "RUN pip install --no-cache-dir pandas",
        "ARG VERSION=1.0",
        "WORKDIR /app/${VERSION}",
        "COPY --chown=1000:1000 src/ /app/src/",
        "RUN npm ci --omit=dev",
        "RUN npm cache clean --force",
        "LABEL org.opencontainers.image.version=$VERSION maintainer=\"me\"",
        "RUN apk add --no-cache git",
        "RUN dnf -y install gcc && dnf clean all",
        "USER 1000:1000",
        "RUN --mount=type=cache,target=/root/.cache/pip pip install requests",
        "EXPOSE 8080/tcp 53/udp",
        "RUN <<EOF\nset -e\napt-get install -y tree\nEOF",
        "USER root",
        "RUN conda install -y scipy",
        "RUN gem install rake && bundle install",
        "HEALTHCHECK --interval=30s CMD curl -f http://localhost/ || exit 1",
        "RUN [\"/bin/echo\", \"exec form\"]",
        "SHELL [\"/bin/bash\", \"-c\"]",
        "RUN if [ -f x ]; then yarn install; fi",
        "COPY --from=build /out /usr/local/bin/",
        "ADD files.tar.gz /opt/",
        "VOLUME /data",
        "CMD [\"app\"]",
    ];
    let mut out = String::from(
        "# syntax=ours/slimfile\nARG BASE=debian:bookworm\nFROM ${BASE} AS build\nRUN echo build > /out\n",
    );
    let mut count = 4;
    let mut stage = 1;
    let mut i = 0;
    while count < n {
        if i > 0 && i % 200 == 0 {
            out.push_str(&format!("FROM build AS s{stage}\n"));
            stage += 1;
            count += 1;
        }
        out.push_str(BODY[i % BODY.len()]);
        out.push('\n');
        count += 1;
        i += 1;
    }
    out
}

#[allow(dead_code)]
fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    print!("{}", generate(n));
}
