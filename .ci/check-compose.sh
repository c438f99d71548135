#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: the file must resolve (interpolation,
# schema, depends_on conditions) with Debian's docker-compose 1.29 or, failing that, Compose v2.
# Then every service must have a health check and wait for its dependencies to be healthy.
# Usage: .ci/check-compose.sh   (from anywhere, after npm ci; run as root, or with docker-compose already present)
set -euo pipefail

cd "$(dirname "$0")/.."
export CHAPERONE_OIDC_ISSUER="${CHAPERONE_OIDC_ISSUER:-https://issuer.example}"

if ! command -v docker-compose >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "check-compose: installing docker-compose with apt-get" >&2
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null; }; then
      echo "check-compose: apt-get could not install docker-compose" >&2
    fi
  fi
fi

if command -v docker-compose >/dev/null 2>&1; then
  echo "check-compose: $(docker-compose version --short 2>/dev/null || echo docker-compose) config" >&2
  resolved=$(docker-compose -f docker-compose.yml config)
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  echo "check-compose: docker compose $(docker compose version --short) config" >&2
  resolved=$(docker compose -f docker-compose.yml config)
else
  echo "check-compose: neither docker-compose nor 'docker compose' is available" >&2
  exit 2
fi
# Every service has a health check, and waits for what it depends on to be healthy, not just started.
printf '%s\n' "$resolved" | node -e '
  const { parse } = require("yaml");
  const services = parse(require("fs").readFileSync(0, "utf8")).services;
  const problems = [];
  for (const [name, s] of Object.entries(services)) {
    if (!s.healthcheck || s.healthcheck.disable) problems.push(`${name}: no health check`);
    for (const [dep, d] of Object.entries(s.depends_on ?? {})) {
      if (d.condition !== "service_healthy") problems.push(`${name}: depends on ${dep} without condition service_healthy`);
    }
  }
  for (const p of problems) console.error(`check-compose: ${p}`);
  process.exit(problems.length === 0 ? 0 : 1);
'
echo "check-compose: docker-compose.yml is valid" >&2
