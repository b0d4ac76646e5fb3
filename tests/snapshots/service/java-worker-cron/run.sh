#!/usr/bin/env bash
# Builds jv-cron and starts it locally with its dependencies
# (docker compose, see docker-compose.yml). Arguments go to
# `docker compose up`, e.g. `./run.sh --detach`; Ctrl-C stops everything.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

die() {
  printf 'run.sh: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 ||
  die "docker is not installed: install Docker Desktop or Docker Engine with the Compose plugin (https://docs.docker.com/compose/install/)"
docker compose version >/dev/null 2>&1 ||
  die "'docker compose' (Compose v2) is not available: install the Docker Compose plugin (https://docs.docker.com/compose/install/)"
docker info >/dev/null 2>&1 ||
  die "cannot reach the Docker daemon: start Docker Desktop or the docker service, then try again"

printf 'run.sh: %s runs its scheduled job once; add --abort-on-container-exit to stop when it ends\n' \
  "jv-cron" >&2

exec docker compose up --build --remove-orphans "$@"
