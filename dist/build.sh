#!/usr/bin/env bash
# The Linux binary we ship (x86_64/aarch64, glibc): target/dist/newsvc.
#
# The same code and optimisations as `cargo build --release` (the `dist`
# profile inherits them), built two ways further:
#
# 1. Linked statically, at a fixed load address: glibc is linked in and the
#    executable is not position-independent, so a start maps no shared
#    library and applies none of the ~11,000 relocations a
#    position-independent build does. About 1 ms off every run on this
#    project's 2-core machine (`newsvc --version` 2.3 -> 1.5 ms). The flags
#    go to the `newsvc` binary alone (`cargo rustc`): given to every crate,
#    the proc-macro crates do not build.
# 2. Profile-guided (PGO): an instrumented build runs a training set of
#    commands (every language, kind and trigger of the default template,
#    with and without git; see `train` below), and the final build lays out
#    and inlines the code by the counts it recorded. `newsvc new --no-git`:
#    4.18 -> 3.90 ms (interleaved A/B, 600 runs each). The profile is made
#    afresh by every build, from the code being built; none is committed.
#    It needs `llvm-profdata` of rustc's own LLVM major version: from
#    rustup's `llvm-tools` component, or `llvm-N` from apt (installed here
#    when missing, on Debian and Ubuntu).
#
# Usage: dist/build.sh               (PGO; about twice a release build's time)
#        NEWSVC_PGO=0 dist/build.sh  (static only, one build)
# Rust's own code is optimised by the profile; the C libraries (libgit2,
# mimalloc) are built as by `cargo build --release`.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"

log() { printf '==> %s\n' "$*" >&2; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if [ "$(uname -s)" != Linux ] || ! ldd --version 2>&1 | grep -qiE 'glibc|gnu libc'; then
  echo "dist/build.sh: builds the Linux glibc binary; on this system use cargo build --release" >&2
  exit 2
fi

host="$(rustc -vV | sed -n 's/^host: //p')"
llvm_major="$(rustc -vV | sed -n 's/^LLVM version: \([0-9]*\).*/\1/p')"
static_flags=(-C target-feature=+crt-static -C relocation-model=static)
out="$root/target/dist/newsvc"
mkdir -p "$(dirname "$out")"

# One build of the binary into the target folder $1, with the RUSTFLAGS $2
# (for every crate; `--target` keeps them from the build scripts and
# proc-macros, which run on the host while building).
build() {
  RUSTFLAGS="${RUSTFLAGS:-} $2" CARGO_TARGET_DIR="$1" \
    cargo rustc --profile dist --locked --target "$host" --bin newsvc -- "${static_flags[@]}"
}

if [ "${NEWSVC_PGO:-1}" = 0 ]; then
  log "static build, no PGO (NEWSVC_PGO=0)"
  build "$root/target/pgo/none" ""
  cp "$root/target/pgo/none/$host/dist/newsvc" "$out"
  log "built $out (static, no PGO)"
  exit 0
fi

# llvm-profdata of rustc's LLVM major version: a profile written by one LLVM
# is read by the same or a newer one only.
find_profdata() {
  local sysroot_tool
  sysroot_tool="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
  for candidate in "$sysroot_tool" "llvm-profdata-$llvm_major" \
    "/usr/lib/llvm-$llvm_major/bin/llvm-profdata" llvm-profdata; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" --version 2>/dev/null | grep -qE "LLVM version $llvm_major\."; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}
profdata="$(find_profdata || true)"
if [ -z "$profdata" ] && command -v apt-get >/dev/null 2>&1; then
  log "apt-get install llvm-$llvm_major (llvm-profdata for PGO; rustc uses LLVM $llvm_major)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "llvm-$llvm_major" >/dev/null
  profdata="$(find_profdata || true)"
fi
if [ -z "$profdata" ]; then
  echo "dist/build.sh: PGO needs llvm-profdata from LLVM $llvm_major (rustc's); install llvm-$llvm_major or run \`rustup component add llvm-tools\`; or build without PGO: NEWSVC_PGO=0 dist/build.sh" >&2
  exit 2
fi

gen_dir="$root/target/pgo/generate"
raw_dir="$root/target/pgo/raw"
merged="$root/target/pgo/newsvc.profdata"

log "1/3 instrumented build"
build "$gen_dir" "-Cprofile-generate=$raw_dir"
instrumented="$gen_dir/$host/dist/newsvc"

# The training set: what teams run most, `new`, over the default template's
# matrix (each language; web, queue worker, cron worker; with datastores;
# with and without git; a dry run), then the read-only commands run on the
# repositories it made. A profile is kept while the instrumented binary is
# unchanged: the counts differ a little between runs (threads' timing), and
# a new profile means rebuilding every crate.
train() {
  local work
  work="$(mktemp -d)"
  # A world of its own: no user config, a known git identity.
  mkdir -p "$work/home" "$work/config" "$work/cache" "$work/out"
  printf '[user]\n\tname = Training\n\temail = training@example.com\n' >"$work/home/.gitconfig"
  local -x HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" \
    GIT_CONFIG_NOSYSTEM=1 LLVM_PROFILE_FILE="$raw_dir/newsvc-%m.profraw"
  # The default template, whatever the environment says.
  local -x NEWSVC_TEMPLATE=service
  local n=0 lang kind
  for _ in 1 2 3; do
    for lang in python java scala rust; do
      for kind in "web" "worker --set trigger=queue" "worker --set trigger=cron"; do
        n=$((n + 1))
        # shellcheck disable=SC2086 # $kind is two words on purpose
        "$instrumented" new "svc-$n" --defaults --set owner=payments -l "$lang" -k $kind \
          --set datastores=postgres,redis --no-git -o "$work/out/a$n" >/dev/null
        # shellcheck disable=SC2086
        "$instrumented" new billing-api --defaults --set owner=payments -l "$lang" -k $kind \
          -o "$work/out/b$n" >/dev/null
      done
    done
    for _ in 1 2 3 4 5 6 7 8 9 10; do
      n=$((n + 1))
      "$instrumented" new billing-api --defaults --set owner=payments --no-git -o "$work/out/c$n" >/dev/null
    done
    "$instrumented" new billing-api --defaults --set owner=payments --dry-run >/dev/null
    # Exit 1 is a finding (an upgrade due, a grade missed), not a failure.
    "$instrumented" status "$work/out/b1" >/dev/null || [ $? -eq 1 ]
    "$instrumented" grade "$work/out/a1" >/dev/null 2>&1 || [ $? -eq 1 ]
  done
  "$instrumented" templates show >/dev/null
  "$instrumented" --version >/dev/null
  rm -rf "$work"
}

if [ -f "$merged" ] && [ "$merged" -nt "$instrumented" ]; then
  log "2/3 training: kept $merged (the instrumented binary is unchanged)"
else
  log "2/3 training runs"
  rm -rf "$raw_dir"
  mkdir -p "$raw_dir"
  train
  "$profdata" merge -o "$merged.new" "$raw_dir"/*.profraw
  mv "$merged.new" "$merged"
fi

log "3/3 optimised build"
build "$root/target/pgo/use" "-Cprofile-use=$merged"
cp "$root/target/pgo/use/$host/dist/newsvc" "$out"
log "built $out (static, PGO)"
