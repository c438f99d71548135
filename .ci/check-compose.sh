#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine: the file must resolve (interpolation,
# schema, depends_on conditions) with Debian's docker-compose 1.29 or, failing that, Compose v2.
# Usage: .ci/check-compose.sh   (from anywhere; run as root, or with docker-compose already present)
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
  echo "check-compose: $(docker-compose version --short 2>/dev/null || echo docker-compose) config -q" >&2
  docker-compose -f docker-compose.yml config -q
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  echo "check-compose: docker compose $(docker compose version --short) config -q" >&2
  docker compose -f docker-compose.yml config -q
else
  echo "check-compose: neither docker-compose nor 'docker compose' is available" >&2
  exit 2
fi
echo "check-compose: docker-compose.yml is valid" >&2
