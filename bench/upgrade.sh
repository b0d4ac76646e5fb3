#!/usr/bin/env bash
# Times whole-process runs of `newsvc upgrade` with hyperfine (release build,
# warm-up, median of RUNS runs):
#
#   upgrade   a default-template repository with 20 local commits, upgraded
#             from service@1.0.0 to a 1.1.0 copy (clean merge, merge commit,
#             working tree updated); the repo is reset before every run
#             (hyperfine --prepare, not timed)
#   dry-run   the same with --dry-run (plan and changelog, nothing written)
#
# Targets (issue 4): upgrade <= 50 ms, dry-run <= 30 ms.
# Usage: bench/upgrade.sh   (RUNS=30 WARMUP=3 by default)
set -Eeuo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$PWD"
runs="${RUNS:-30}"
warmup="${WARMUP:-3}"
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
sed -i 's/^root = true/root = true\n# 1.1.0: editorconfig header/' "$work/tpl-1.1/files/.editorconfig"

"$bin" new bench-svc --template "$work/tpl-1.0" --set owner=payments --defaults -o "$work/repo" >/dev/null 2>&1
cd "$work/repo"
for i in $(seq 1 20); do
  printf '# local change %s\n' "$i" >> .gitignore
  [ $((i % 4)) -eq 0 ] && printf 'note %s\n' "$i" >> "docs/notes-$i.md"
  git add -A && git commit -qm "local commit $i"
done
start="$(git rev-parse HEAD)"
cd "$root"

hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$work/upgrade.json" \
  --prepare "git -C '$work/repo' reset -q --hard $start && git -C '$work/repo' clean -fdq" \
  -n upgrade "$bin upgrade '$work/repo' --template '$work/tpl-1.1'" >/dev/null
git -C "$work/repo" reset -q --hard "$start"
hyperfine --style basic --warmup "$warmup" --runs "$runs" --export-json "$work/dry.json" \
  -n dry-run "$bin upgrade '$work/repo' --template '$work/tpl-1.1' --dry-run" >/dev/null

python3 - "$work/upgrade.json" "$work/dry.json" <<'PY'
import json, sys
targets = {"upgrade": 50, "dry-run": 30}
for f in sys.argv[1:]:
    for r in json.load(open(f))["results"]:
        ms = r["median"] * 1000
        print(f"{r['command']:<10} median {ms:7.1f} ms  (target <= {targets[r['command']]} ms: {'ok' if ms <= targets[r['command']] else 'MISSED'})")
PY
