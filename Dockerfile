# The checker in a container: `docker build -t marketing-checker .`, then
#   docker run --rm -v "$PWD:/work" marketing-checker check --data exports --html out/report.html
# (the working directory /work is where checker.toml, exports and rules are mounted; the entry point is
# the command line itself, so every subcommand and option works as documented).
#
# Two stages: the wheel is built from this repository (no download of the project's own code), then
# installed on a slim Debian Python with Debian's chromium and CJK fonts for --pdf. It runs as an
# unprivileged user; nothing is fetched at run time.
FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY checker ./checker
COPY rules ./rules
COPY schemas ./schemas
COPY reports ./reports
RUN python -m pip install --no-cache-dir --quiet build && python -m build --wheel --outdir /dist

FROM python:3.12-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 CHECKER_CACHE_DIR=/tmp/checker-cache
RUN apt-get update \
 && apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /dist/*.whl /tmp/
RUN python -m pip install --no-cache-dir --quiet /tmp/*.whl && rm /tmp/*.whl \
 && useradd --create-home --uid 10001 checker
USER checker
WORKDIR /work
ENTRYPOINT ["checker"]
CMD ["--help"]
