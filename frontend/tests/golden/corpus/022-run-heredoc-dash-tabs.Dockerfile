# RUN <<-EOF strips leading tabs
FROM debian:bookworm
RUN <<-EOT
	set -e
		echo indented
	EOT
