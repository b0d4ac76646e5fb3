#!/usr/bin/env bash
# Times `newsvc fleet status` and `newsvc fleet upgrade` (release build,
# hyperfine medians) over fleets of 50, 200 and 1,000 generated repositories,
# all behind (service@1.0.0 → a 1.1.0 copy), and prints time per repository.
# The upgrade branches are deleted before every timed upgrade run
# (hyperfine --prepare, not timed).
#
# Targets (issue 7, 2 cores): status over 200 <= 1 s; upgrade over 200 <= 10 s;
# time per repository flat from 50 to 1,000.
# (`fleet status` exits 1 when repositories are behind, hence --ignore-failure.)
# Usage: bench/fleet.sh   (SIZES="50 200 1000" RUNS=5 by default)
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
sizes="${SIZES:-50 200 1000}"
runs="${RUNS:-5}"
command -v hyperfine >/dev/null || { echo "hyperfine is needed: apt-get install hyperfine" >&2; exit 2; }
cargo build --release --quiet
bin="$root/target/release/newsvc"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export HOME="$work/home" XDG_CONFIG_HOME="$work/config" XDG_CACHE_HOME="$work/cache" NO_COLOR=1
mkdir -p "$HOME"
printf '[user]\n\tname = Bench\n\temail = bench@example.com\n' > "$HOME/.gitconfig"
cp -r templates/service "$work/tpl-1.0"
cp -r templates/service "$work/tpl-1.1"
sed -i 's/^version: .*/version: 1.1.0/' "$work/tpl-1.1/template.yaml"
printf '\nA line added by template 1.1.0.\n' >> "$work/tpl-1.1/files/README.md"

langs=(python java scala rust)
kinds=("--kind web" "--kind worker" "--kind web --set exposure=external" "--kind worker --set trigger=cron")
max=0
for n in $sizes; do [ "$n" -gt "$max" ] && max=$n; done
echo "generating $max repositories..." >&2
for i in $(seq 1 "$max"); do
  # shellcheck disable=SC2086
  "$bin" new "svc-$i" --template "$work/tpl-1.0" --set owner="team-$((i % 7))" --defaults \
    --lang "${langs[$((i % 4))]}" ${kinds[$(((i / 4) % 4))]} -o "$work/repos/svc-$i" >/dev/null 2>&1
done

printf '%-8s %-8s %12s %14s\n' repos command median per-repo
for n in $sizes; do
  list="$work/list-$n.txt"
  seq 1 "$n" | sed "s|^|$work/repos/svc-|" > "$list"
  hyperfine --style none --ignore-failure --warmup 1 --runs "$runs" --export-json "$work/status-$n.json" \
    "$bin fleet status --list '$list' --template '$work/tpl-1.1'" >/dev/null || true
  hyperfine --style none --ignore-failure --runs "$runs" --export-json "$work/upgrade-$n.json" \
    --prepare "while read -r r; do git -C \"\$r\" branch -qD newsvc/upgrade-1.1.0 2>/dev/null || true; done < '$list'" \
    "$bin fleet upgrade --list '$list' --template '$work/tpl-1.1'" >/dev/null || true
  python3 - "$n" "$work/status-$n.json" "$work/upgrade-$n.json" <<'PY'
import json, sys
n = int(sys.argv[1])
for name, f in (("status", sys.argv[2]), ("upgrade", sys.argv[3])):
    med = json.load(open(f))["results"][0]["median"]
    print(f"{n:<8} {name:<8} {med*1000:10.0f} ms {med*1000/n:11.2f} ms")
PY
done
