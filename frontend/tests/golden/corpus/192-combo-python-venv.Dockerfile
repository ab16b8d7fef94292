# Python venv copied between stages with PATH changes
FROM debian:bookworm AS venv
RUN python3 -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
FROM debian:bookworm
COPY --from=venv /venv /venv
ENV PATH=/venv/bin:$PATH PYTHONUNBUFFERED=1
COPY . /app
WORKDIR /app
CMD ["python", "-m", "app"]
