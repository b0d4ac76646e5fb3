#!/usr/bin/env bash
# Times whole-process runs of `newsvc grade` with hyperfine (release build,
# warm-up, then the median of RUNS runs each), on repositories freshly
# generated from the embedded default template:
#
#   version      newsvc --version: the process start-up floor
#   text         newsvc grade REPO                 (python web service, git repository)
#   json         newsvc grade REPO --format json
#   svg          newsvc grade REPO --format svg
#   worker       newsvc grade REPO2                (java queue worker with datastores, git)
#   no-git       newsvc grade REPO3                (the same python service without git: a folder walk)
#
# then prints the medians and checks the acceptance of issue 6: every grade
# run <= 15 ms (median). Exits 1 when a target is missed.
#
# Usage: bench/grade.sh            (RUNS=30 WARMUP=5 by default)
#        RUNS=50 bench/grade.sh
# Needs hyperfine (installed from Debian's packages if missing).
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${RUNS:-30}"
warmup="${WARMUP:-5}"
target_ms="${TARGET_MS:-15}"

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
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/release/newsvc"

work="$(mktemp -d "${TMPDIR:-/tmp}/newsvc-bench-grade.XXXXXX")"
trap 'rm -rf "$work"' EXIT
# A world of its own: no user config, a known git identity, no colour, a fixed date.
mkdir -p "$work/home" "$work/config" "$work/cache"
printf '[user]\n\tname = Bench\n\temail = bench@example.com\n' >"$work/home/.gitconfig"
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" NO_COLOR=1 NEWSVC_TODAY=2026-01-10
unset NEWSVC_TEMPLATE NEWSVC_RUBRIC GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE

"$bin" new bench-web --set owner=platform --defaults -o "$work/web" 2>/dev/null
"$bin" new bench-worker --lang java --kind worker --set owner=platform --set datastores=postgres,redis --defaults -o "$work/worker" 2>/dev/null
"$bin" new bench-web --set owner=platform --defaults --no-git -o "$work/no-git" 2>/dev/null
count() { find "$1" -path "$1/.git" -prune -o -type f -print | wc -l; }
size() { du -sk --apparent-size --exclude=.git "$1" | cut -f1; }
for repo in web worker no-git; do
  level="$("$bin" grade "$work/$repo" --format json | python3 -c 'import json, sys; print(json.load(sys.stdin)["level"])')"
  echo "==> $repo: $(count "$work/$repo") files, $(size "$work/$repo") KiB, grades $level" >&2
done
echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

hyperfine --shell=none --warmup "$warmup" --runs "$runs" --style basic \
  --export-json "$work/times.json" \
  -n version "$bin --version" \
  -n text "$bin grade $work/web" \
  -n json "$bin grade $work/web --format json" \
  -n svg "$bin grade $work/web --format svg" \
  -n worker "$bin grade $work/worker" \
  -n no-git "$bin grade $work/no-git" \
  >&2

python3 - "$work/times.json" "$target_ms" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
target = float(sys.argv[2])
runs = len(next(iter(results.values()))["times"])
print(f"\nmedians (ms), {runs} runs each after warm-up:")
ok = True
for name in ["version", "text", "json", "svg", "worker", "no-git"]:
    r = results[name]
    median = r["median"] * 1000
    line = f"  {name:<8} {median:7.2f}   (min {r['min'] * 1000:.2f}, max {r['max'] * 1000:.2f})"
    if name != "version":
        good = median <= target
        ok &= good
        line += f"   target <= {target:g} ms: {'ok' if good else 'MISSED'}"
    print(line)
sys.exit(0 if ok else 1)
PY
