#!/usr/bin/env bash
# Times whole-process runs for template authoring (issue 5) with hyperfine
# (release build, warm-up, then the median of RUNS runs each):
#
#   snapshot-check  newsvc snapshot check over every committed case of the
#                   default template (tests/snapshots/service)   target <= 1 s
#   new-local       newsvc new (with its pristine git commit) from a local
#                   template folder
#   new-git         the same template from a cached git source (file://, a
#                   tag): opens the bare cache, fetches, reads the objects
#   new-git-offline the same with --offline (cache only, no fetch)
#   new-git-commit  pinned to a full commit id the cache holds (no fetch)
#   *-nogit         local folder and cached git source with --no-git
#
# and prints the medians (wall clock) and mean CPU time (user + system), and
# the extra cost of each git form over the local folder with the same flags
# (target: new from a cached git source <= 20 ms over the local one).
#
# The *-nogit pair shows the cost of the git source alone: `new` with its
# pristine commit uses libgit2 anyway, `new --no-git` from a folder does not.
#
# Usage: bench/snapshot.sh          (RUNS=20 WARMUP=3 by default)
#        RUNS=50 bench/snapshot.sh
# Needs hyperfine (installed from Debian's packages if missing) and git.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${RUNS:-20}"
warmup="${WARMUP:-3}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! command -v hyperfine >/dev/null; then
  echo "==> apt-get install hyperfine" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends hyperfine >/dev/null
fi

echo "==> cargo build --release" >&2
cargo build --release --locked --quiet --bin newsvc
bin="$root/target/release/newsvc"

work="$(mktemp -d "${TMPDIR:-/tmp}/newsvc-bench-snapshot.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A world of its own: no user config, an empty git cache, no colour.
mkdir -p "$work/home" "$work/config" "$work/cache"
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" NO_COLOR=1
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
unset NEWSVC_TEMPLATE GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

check=("$bin" snapshot check --template "$root/templates/service" --dir "$root/tests/snapshots/service")
cases="$(find "$root/tests/snapshots/service" -mindepth 1 -maxdepth 1 -type d | wc -l)"
files="$(find "$root/tests/snapshots/service" -type f | wc -l)"
ignore=()
if ! "${check[@]}" >/dev/null; then
  echo "==> warning: the committed snapshots drift from templates/service; timing the check anyway" >&2
  echo "    (refresh: cargo run -- snapshot update --template templates/service --dir tests/snapshots/service)" >&2
  ignore=(--ignore-failure)
fi

# The default template as a git repository served from a local path, tagged.
repo="$work/templates.git-src"
cp -r "$root/templates/service" "$repo"
git -C "$repo" init -q -b main
git -C "$repo" add -A
git -C "$repo" commit -q -m "template"
git -C "$repo" tag v1
commit="$(git -C "$repo" rev-parse HEAD)"
url="file://$repo"
answers=(bench-svc --set owner=platform --defaults)
printf '[user]\n\tname = Bench\n\temail = bench@example.com\n' >"$work/home/.gitconfig"
# Fill the cache once.
"$bin" new "${answers[@]}" --no-git --template "$url@v1" -o "$work/prime" 2>/dev/null
echo "==> snapshot check: $cases cases, $files files; git cache: $(du -sk --apparent-size "$work/cache" | cut -f1) KiB" >&2
echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

out="$work/out"
hyperfine --shell=none --warmup "$warmup" --runs "$runs" --style basic "${ignore[@]}" \
  --export-json "$work/check.json" \
  -n snapshot-check "${check[*]}" \
  >&2
hyperfine --shell=none --warmup "$warmup" --runs "$runs" --style basic \
  --prepare "rm -rf $out" \
  --export-json "$work/new.json" \
  -n new-local "$bin new ${answers[*]} --template $repo -o $out" \
  -n new-git "$bin new ${answers[*]} --template $url@v1 -o $out" \
  -n new-git-offline "$bin new ${answers[*]} --template $url@v1 --offline -o $out" \
  -n new-git-commit "$bin new ${answers[*]} --template $url@$commit -o $out" \
  -n new-local-nogit "$bin new ${answers[*]} --no-git --template $repo -o $out" \
  -n new-git-nogit "$bin new ${answers[*]} --no-git --template $url@v1 -o $out" \
  >&2

python3 - "$work/check.json" "$work/new.json" <<'PY'
import json, sys
results = {}
for f in sys.argv[1:]:
    results.update({r["command"]: r for r in json.load(open(f))["results"]})
med = {name: r["median"] * 1000 for name, r in results.items()}
runs = len(next(iter(results.values()))["times"])
print(f"\nmedians (ms), {runs} runs each after warm-up:")
cpu = {name: (r["user"] + r["system"]) * 1000 for name, r in results.items()}
names = ["snapshot-check", "new-local", "new-git", "new-git-offline", "new-git-commit", "new-local-nogit", "new-git-nogit"]
for name in names:
    r = results[name]
    print(f"  {name:<16} {med[name]:8.2f}   (min {r['min'] * 1000:.2f}, max {r['max'] * 1000:.2f}; cpu {cpu[name]:.2f})")

ok = True
def check(label, value, limit):
    global ok
    good = value <= limit
    ok &= good
    print(f"  {label:<44} {value:8.2f} ms  (target <= {limit} ms)  {'ok' if good else 'MISSED'}")

print("\ntargets:")
check("snapshot check, every case", med["snapshot-check"], 1000)
check("new from cached git (fetch) - local folder", med["new-git"] - med["new-local"], 20)
check("new from cached git --offline - local folder", med["new-git-offline"] - med["new-local"], 20)
check("new from cached git @commit - local folder", med["new-git-commit"] - med["new-local"], 20)
print("\nfor information (not targets):")
print(f"  --no-git: cached git (fetch) - local folder  {med['new-git-nogit'] - med['new-local-nogit']:8.2f} ms"
      f"  (cpu {cpu['new-git-nogit'] - cpu['new-local-nogit']:.2f} ms)")
for name, label in [("new-git", "(fetch)"), ("new-git-offline", "--offline"), ("new-git-commit", "@commit")]:
    print(f"  cpu: cached git {label:<10} - local folder   {cpu[name] - cpu['new-local']:8.2f} ms")
print("  (on a loaded machine compare the cpu lines: wall-clock medians then move by tens of ms between runs)")
sys.exit(0 if ok else 1)
PY
