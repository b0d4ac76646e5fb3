#!/usr/bin/env bash
# Times whole-process runs of `newsvc new` (the shipped build) and prints the
# medians and the ratios the acceptance of issue 2 asks for:
#
#   cp-r        `cp -r` of the rendered default repo: the floor
#   startup     `newsvc --version`: what any run of the binary costs
#   no-git      newsvc new --defaults --no-git   (embedded default template)
#   git         newsvc new --defaults            (plus git init and the pristine commit)
#   x1, x10     newsvc new --defaults --no-git with the default template read
#               from a folder once and 10 times over (its files copied under
#               copyN/ folders, each copy with the same file rules)
#   cp-r-x1, cp-r-x10
#               `cp -r` of the x1 and x10 outputs: their floors, measured in
#               the same conditions (see the two groups below)
#   startup-rel, no-git-rel, git-rel
#               the same three with the `cargo build --release` binary
#               (linked dynamically, position-independent), as information:
#               the targets are checked on the binary we ship,
#               dist/build.sh's, on Linux with glibc
#   dry-x1, dry-x5, dry-x10
#               the same with --dry-run: load and render, no writing, so the
#               engine's own scaling shows apart from the file system's
#
# Targets: no-git <= 1.5x cp-r, git <= 3x cp-r, and the larger template
# scaling linearly: rendering x10 costs at most 10x rendering x1 and each
# extra copy costs about the same from x1 to x5 as from x5 to x10, and with
# the files written x10 costs at most 10x x1. How newsvc's time over its
# floor changes with the size (x10 / cp-r-x10 against x1 / cp-r-x1) is shown
# as information: it depends on the file system (on tmpfs, `cp -r`'s start-up
# is most of cp-r-x1, so the floor itself grows far less than the files).
# Exits 1 if a target is missed.
#
# How it measures: RUNS iterations after WARMUP; each iteration runs every
# command once, in turn, so drift on a shared machine (this one's
# neighbours come and go) lands on all commands alike and the ratios compare
# runs made seconds apart. Each run is timed from spawn to exit
# (posix_spawnp, waitpid) and writes into a folder of its own, new; the
# outputs are removed once every run of the group is done, never between
# runs (see below). No `sync` between runs: it makes every command wait on
# the disk (cp -r then took 3 to 34 ms) and hides newsvc's own costs; only
# the larger templates' runs, which write 600+ files, start after one.
# What runs just before a command changes its time on a 2-core VM: a run
# right after newsvc (two threads) finds both vCPUs awake, one right after
# the single-threaded `cp` wakes the idle one for its helper thread. On this
# project's machine no-git / cp-r measured 1.41-1.47x with a pause of 5 to
# 20 ms before every run (both starting from idle, as a user's command
# does), 1.43-1.48x in this script's order, and 1.54-1.58x with `cp -r` and
# newsvc alone, back to back (Dec 2026, 400-500 runs each).
#
# Where: BENCH_DIR, by default /dev/shm (tmpfs) where there is one, else
# TMPDIR; the file system is printed. Not the disk by default, because the
# disk remembers: this machine's root is ext4 without a journal, where
# making a file skips every inode of its group freed in the last 60 seconds
# (360 if its inode table block is still dirty), each at the cost of a
# lookup (`recently_deleted` in the kernel). A benchmark that removes its
# outputs frees thousands of them, and every later file creation pays,
# `cp -r` as much as newsvc: the ratios then measure the file system's
# memory of earlier runs and drift towards 1. On this machine `cp -r`
# medians went from 2.2 to 35 ms between two back-to-back runs of this
# script when it removed each output before the next run on /tmp (no-git /
# cp-r: 1.69x, then 0.77x). BENCH_DIR=/tmp/x measures on the disk anyway.
#
# Usage: bench/new.sh            (RUNS=40, WARMUP=3)
#        RUNS=100 BENCH_DIR=/tmp/newsvc-bench bench/new.sh
# Needs python3 with PyYAML (python3-yaml, installed from Debian's packages
# if missing) to write the larger manifests.
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${RUNS:-40}"
warmup="${WARMUP:-3}"

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "==> apt-get install python3-yaml" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-yaml >/dev/null
fi

echo "==> cargo build --release" >&2
cargo build --release --locked --quiet --bin newsvc
release_bin="$root/target/release/newsvc"
# The binary measured against the targets is the one shipped: on Linux with
# glibc, dist/build.sh's (statically linked, profile-guided); elsewhere
# the release build. The release build's runs are shown too, as information.
if [ "$(uname -s)" = Linux ] && ldd --version 2>&1 | grep -qiE 'glibc|gnu libc'; then
  echo "==> dist/build.sh" >&2
  "$root/dist/build.sh"
  bin="$root/target/dist/newsvc"
else
  bin="$release_bin"
fi

if [ -z "${BENCH_DIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  BENCH_DIR=/dev/shm
fi
BENCH_DIR="${BENCH_DIR:-${TMPDIR:-/tmp}}"
mkdir -p "$BENCH_DIR"
work="$(mktemp -d "$BENCH_DIR/newsvc-bench.XXXXXX")"
echo "==> outputs on $(df --output=fstype "$work" | tail -n 1) ($work)" >&2
trap 'rm -rf "$work"' EXIT
# A world of its own: no user config, a known git identity, no colour.
mkdir -p "$work/home" "$work/config" "$work/cache"
printf '[user]\n\tname = Bench\n\temail = bench@example.com\n' >"$work/home/.gitconfig"
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" NO_COLOR=1
unset NEWSVC_TEMPLATE GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE
# Copies of the binaries are timed, as an installed binary would be (`cargo
# install` copies too). The file the linker wrote sits in the page cache in
# small pieces, and each exec of it cost 0.3 to 0.75 ms more than a copy of
# the same bytes (`newsvc --version`: 1.49 vs 1.07 ms, 150 interleaved runs
# of `new`: 7.36 vs 6.59 ms), which is noise between builds, not newsvc.
# The copies go on the disk, in target/, as an installed binary and `cp`
# itself are, never next to the outputs: run from tmpfs, the same binary took
# 0.45 ms longer per `new` (each page fault maps its neighbours at 2.2 us
# there, 0.85 us on ext4, and unmapping them at exit costs three times as
# much; 5.119 vs 4.666 ms, 800 interleaved runs).
bin_dir="$root/target/bench-bin"
rm -rf "$bin_dir"
mkdir -p "$bin_dir"
cp "$bin" "$bin_dir/newsvc"
cp "$release_bin" "$bin_dir/newsvc-release"
bin="$bin_dir/newsvc"
release_bin="$bin_dir/newsvc-release"
echo "==> binaries on $(df --output=fstype "$bin_dir" | tail -n 1) ($bin_dir);" \
  "cp is $(command -v cp), on $(df --output=fstype "$(command -v cp)" | tail -n 1)" >&2

answers=(bench-svc --set owner=platform --defaults)

# Larger templates: the default template's files N times, under copyK/, each
# copy with the default file rules re-rooted at copyK/.
make_template() {
  local n="$1" dir="$work/template-x$1"
  mkdir -p "$dir/files"
  for ((k = 0; k < n; k++)); do
    cp -r "$root/templates/service/files" "$dir/files/copy$k"
  done
  python3 - "$root/templates/service/template.yaml" "$dir/template.yaml" "$n" <<'PY'
import sys, yaml
src, dst, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
m = yaml.safe_load(open(src))
m["name"] = f"service-x{n}"
rules = []
for k in range(n):
    prefix = f"copy{k}"
    for rule in m.get("files", []):
        r = dict(rule)
        if "folder" in r:
            r["folder"] = f"{prefix}/{r['folder']}"
            if "into" in r:
                r["into"] = f"{prefix}/{r['into']}".rstrip("/")
        if "path" in r:
            r["path"] = f"{prefix}/{r['path']}"
        rules.append(r)
m["files"] = rules
m.pop("cases", None)
yaml.safe_dump(m, open(dst, "w"), sort_keys=False, width=1000)
PY
}
make_template 1
make_template 5
make_template 10

# The reference trees for the `cp -r` floors, rendered once (the default
# template from a folder renders the same files under copy0/).
"$bin" new "${answers[@]}" --no-git -o "$work/ref" 2>/dev/null
"$bin" new "${answers[@]}" --no-git --template "$work/template-x10" -o "$work/ref-x10" 2>/dev/null
count() { find "$1" -type f | wc -l; }
size() { du -sk --apparent-size "$1" | cut -f1; }
echo "==> default repo: $(count "$work/ref") files, $(size "$work/ref") KiB;" \
  "x10: $(count "$work/ref-x10") files, $(size "$work/ref-x10") KiB" >&2
echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores" >&2

# The harness: runs each command once per iteration, in turn, and saves
# the times (seconds) to a JSON file. The argument that is the output
# folder (`out`) becomes a new folder under it for each run; `out` is
# removed at the end.
cat >"$work/harness.py" <<'PY'
import json, os, shlex, shutil, sys, time
result, runs, warmup, out, sync = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5] == "sync"
pairs = sys.argv[6:]
commands = [(pairs[i], shlex.split(pairs[i + 1])) for i in range(0, len(pairs), 2)]
devnull = os.open(os.devnull, os.O_WRONLY)
times = {name: [] for name, _ in commands}
os.makedirs(out, exist_ok=True)
run = 0
for iteration in range(warmup + runs):
    for name, template in commands:
        run += 1
        fresh = os.path.join(out, str(run))
        argv = [fresh if arg == out else arg for arg in template]
        if sync:
            os.sync()
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ,
                             file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1),
                                           (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status = os.waitpid(pid, 0)
        elapsed = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"{name} failed: {' '.join(argv)}")
        if iteration >= warmup:
            times[name].append(elapsed)
shutil.rmtree(out, ignore_errors=True)
json.dump(times, open(result, "w"))
PY
out="$work/out"
echo "==> $runs iterations after $warmup warm-up, every command once per iteration, each run into a new folder under $out" >&2
# Two groups, each interleaved: the default repo's runs, then the larger
# templates'. The x10 runs write and delete 600+ files each; interleaved with
# the small ones, the write-back of those landed on them (cp -r took 30 ms).
# `sync` before each group lets earlier writes settle first, and in the
# larger group before each run too (untimed): otherwise each x10 run pays for
# the write-back of the one before, and the ratios measure the disk.
sync
python3 - "$work/times-default.json" "$runs" "$warmup" "$out" no-sync \
  cp-r "cp -r $work/ref $out" \
  startup "$bin --version" \
  no-git "$bin new ${answers[*]} --no-git -o $out" \
  git "$bin new ${answers[*]} -o $out" \
  startup-rel "$release_bin --version" \
  no-git-rel "$release_bin new ${answers[*]} --no-git -o $out" \
  git-rel "$release_bin new ${answers[*]} -o $out" <"$work/harness.py"
sync
python3 - "$work/times-larger.json" "$runs" "$warmup" "$out" sync \
  cp-r-x1 "cp -r $work/ref $out" \
  x1 "$bin new ${answers[*]} --no-git --template $work/template-x1 -o $out" \
  cp-r-x10 "cp -r $work/ref-x10 $out" \
  x10 "$bin new ${answers[*]} --no-git --template $work/template-x10 -o $out" \
  dry-x1 "$bin new ${answers[*]} --dry-run --template $work/template-x1 -o $out" \
  dry-x5 "$bin new ${answers[*]} --dry-run --template $work/template-x5 -o $out" \
  dry-x10 "$bin new ${answers[*]} --dry-run --template $work/template-x10 -o $out" <"$work/harness.py"

python3 - "$work" "$(count "$work/ref")" <<'PY'
import json, statistics, sys
work, files = sys.argv[1], int(sys.argv[2])
times = {}
for group in ["default", "larger"]:
    for name, ts in json.load(open(f"{work}/times-{group}.json")).items():
        times[name] = [t * 1000 for t in ts]
med = {name: statistics.median(t) for name, t in times.items()}
print(f"\nmedians (ms) of {len(times['cp-r'])} runs each, interleaved:")
for name in ["cp-r", "startup", "no-git", "git", "startup-rel", "no-git-rel", "git-rel", "cp-r-x1", "x1", "cp-r-x10", "x10", "dry-x1", "dry-x5", "dry-x10"]:
    t = times[name]
    q1, _, q3 = statistics.quantiles(t, n=4)
    print(f"  {name:<11} {med[name]:8.2f}   (quartiles {q1:.2f}-{q3:.2f}, min {min(t):.2f}, max {max(t):.2f})")

ok = True
def check(label, value, limit):
    global ok
    good = value <= limit
    ok &= good
    print(f"  {label:<44} {value:6.2f}x  (target <= {limit}x)  {'ok' if good else 'MISSED'}")

print("\nratios:")
check("no-git / cp-r", med["no-git"] / med["cp-r"], 1.5)
check("git / cp-r", med["git"] / med["cp-r"], 3.0)
info = lambda label, value: print(f"  {label:<44} {value:6.2f}x  (information)")
info("startup / cp-r", med["startup"] / med["cp-r"])
info("release build: no-git-rel / cp-r", med["no-git-rel"] / med["cp-r"])
info("release build: git-rel / cp-r", med["git-rel"] / med["cp-r"])
# Linear scaling. The engine alone (--dry-run, all read from a folder): x10
# costs at most 10x x1, and each extra copy costs the same from x1 to x5 as
# from x5 to x10 (within 25%). With the files written: x10 at most 10x x1.
per_copy_low = (med["dry-x5"] - med["dry-x1"]) / 4
per_copy_high = (med["dry-x10"] - med["dry-x5"]) / 5
print(f"  render per extra copy ({files} files): x1->x5 {per_copy_low:.2f} ms, x5->x10 {per_copy_high:.2f} ms")
check("dry-x10 / dry-x1", med["dry-x10"] / med["dry-x1"], 10.0)
check("per-copy cost x5->x10 / x1->x5", per_copy_high / per_copy_low if per_copy_low > 0 else 0, 1.25)
over_floor_x1 = med["x1"] / med["cp-r-x1"]
over_floor_x10 = med["x10"] / med["cp-r-x10"]
info("x1 / cp-r-x1 (files written)", over_floor_x1)
info("x10 / cp-r-x10 (files written)", over_floor_x10)
info("(x10 / cp-r-x10) / (x1 / cp-r-x1)", over_floor_x10 / over_floor_x1)
info("cp-r-x10 / cp-r-x1", med["cp-r-x10"] / med["cp-r-x1"])
check("x10 / x1 (files written)", med["x10"] / med["x1"], 10.0)
sys.exit(0 if ok else 1)
PY
