#!/usr/bin/env bash
# Reproduce every whole-command number in benchmarks/README.md ("Whole commands").
#
# Each command runs as its own process under GNU time (`/usr/bin/time -v`): wall time and
# "Maximum resident set size" (peak RSS of the largest single process) per run, then
# min / median / max over RUNS counted runs after WARMUP uncounted ones. Inputs are made once
# and not timed, except the row "generate large", which times the large-size generator itself.
#
# Usage (from anywhere; needs the venv and GNU time):
#     benchmarks/run_benchmarks.sh                  # everything, 3 runs + 1 warm-up each (~12 min)
#     RUNS=5 benchmarks/run_benchmarks.sh           # more runs
#     ONLY="demo-kpis-store large-load" benchmarks/run_benchmarks.sh   # some rows only
#     SKIP_DATA_LARGE=1 benchmarks/run_benchmarks.sh                   # skip `kpis --data` on 7.2 M rows
#
# Per-run records go to $WORK/runs.tsv, the summary (a Markdown table) to stdout and
# $WORK/summary.md, each command's own output to $WORK/logs/.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
HR=${HR:-$REPO/.venv/bin/hrmetrics}
RUNS=${RUNS:-3}
WARMUP=${WARMUP:-1}
WORK=${WORK:-/tmp/hrbench}
ONLY=${ONLY:-}
TIME=/usr/bin/time

DEMO=$WORK/demo-city       # `hrmetrics demo` workspace: data/ and store/ of the demo city
LARGE=$WORK/large          # generate_demo(size="large"): data/{org_units,staff,overtime}.parquet
LARGE_STORE=$WORK/large-store
# Commands run from an empty folder: `hrmetrics demo` looks for its plan "demo" as a path in the
# current folder first (plans._resolve), so a folder named `demo` there would break it.
RUNDIR=$WORK/cwd
mkdir -p "$WORK/logs" "$RUNDIR"
: > "$WORK/runs.tsv"
: > "$WORK/failed.tsv"

wanted() { [[ -z $ONLY || " $ONLY " == *" $1 "* ]]; }

# bench NAME PREPARE -- COMMAND ...   (PREPARE: shell code run before every run, not timed)
bench() {
    local name=$1 prepare=$2
    shift 3
    wanted "$name" || return 0
    local i total=$((WARMUP + RUNS))
    for ((i = 1; i <= total; i++)); do
        eval "$prepare"
        local tf=$WORK/logs/$name.$i.time
        (cd "$RUNDIR" && "$TIME" -v -o "$tf" "$@" > "$WORK/logs/$name.$i.log" 2>&1) || {
            echo "FAILED: $name run $i (exit $?), see $WORK/logs/$name.$i.log" >&2
            tail -20 "$WORK/logs/$name.$i.log" >&2
            printf '%s\tFAILED\t%s\n' "$name" "$WORK/logs/$name.$i.log" >> "$WORK/failed.tsv"
            return 0
        }
        if ((i > WARMUP)); then
            local wall rss
            wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {
                n = split($2, p, ":"); s = 0; for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s }' "$tf")
            rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
            printf '%s\t%s\t%s\t%s\n' "$name" "$((i - WARMUP))" "$wall" "$rss" >> "$WORK/runs.tsv"
            printf '  %-18s run %d: %7.2f s %7.0f MiB\n' "$name" "$((i - WARMUP))" "$wall" "$((rss / 1024))" >&2
        fi
    done
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB," \
    "$("$PY" -c 'import sys, polars; print(f"Python {sys.version.split()[0]}, polars {polars.__version__}")')," \
    "runs=$RUNS warmup=$WARMUP" | tee "$WORK/summary.md"

# --- inputs (made once, not timed) -------------------------------------------------------------
needs() { local n; for n in "$@"; do wanted "$n" && return 0; done; return 1; }
if needs demo-kpis-store demo-kpis-data && [[ ! -d $DEMO/store || ! -d $DEMO/data ]]; then
    echo "making the demo city in $DEMO (~45 s)" >&2
    rm -rf "$DEMO" && (cd "$RUNDIR" && "$HR" demo --out "$DEMO" > "$WORK/logs/setup-demo.log" 2>&1)
fi
# the large size: build_demo_frames(size="large") + Parquet files in DIR/data (argument: DIR)
GEN_LARGE="import sys; from pathlib import Path; from hrmetrics.demo.generator import generate_demo; \
generate_demo(Path(sys.argv[1]), size='large')"
if needs large-load large-kpis-store large-kpis-data && [[ ! -f $LARGE/data/overtime.parquet ]]; then
    echo "making the large organisation in $LARGE (~6 s)" >&2
    "$PY" -c "$GEN_LARGE" "$LARGE"
fi

# --- demo city (~1,200 staff, 78 k overtime rows) ----------------------------------------------
bench demo-kpis-store : -- "$HR" kpis --store "$DEMO/store" --out "$WORK/k-demo-store.parquet"
bench demo-kpis-data : -- "$HR" kpis --data "$DEMO/data" --out "$WORK/k-demo-data.parquet"

# --- large organisation (100,000 overtime-eligible staff × 72 months ≈ 7.2 M rows) --------------
bench generate-large "rm -rf '$WORK/large-gen'" -- "$PY" -c "$GEN_LARGE" "$WORK/large-gen"
# intake: read the Parquet files, GX validation, write the store (a fresh store every run)
bench large-load "rm -rf '$LARGE_STORE'" -- "$HR" load "$LARGE/data" --store "$LARGE_STORE"
if wanted large-kpis-store && [[ ! -d $LARGE_STORE ]]; then
    "$HR" load "$LARGE/data" --store "$LARGE_STORE" > "$WORK/logs/setup-large-load.log" 2>&1
fi
bench large-kpis-store : -- "$HR" kpis --store "$LARGE_STORE" --out "$WORK/k-large-store.parquet"
if [[ -z ${SKIP_DATA_LARGE:-} ]]; then
    bench large-kpis-data : -- "$HR" kpis --data "$LARGE/data" --out "$WORK/k-large-data.parquet"
fi

# --- the whole demo chain (generate, load, KPIs, survey, progress, report) ---------------------
bench demo-chain "rm -rf '$WORK/demo-run'" -- "$HR" demo --out "$WORK/demo-run"

# --- summary -----------------------------------------------------------------------------------
"$PY" - "$WORK/runs.tsv" <<'EOF' | tee -a "$WORK/summary.md"
import statistics
import sys
from collections import defaultdict

runs = defaultdict(list)
for line in open(sys.argv[1], encoding="utf-8"):
    name, _, wall, rss = line.rstrip("\n").split("\t")
    runs[name].append((float(wall), int(rss) / 1024))
print("| command | runs | wall min / median / max (s) | peak RSS min / median / max (MiB) |")
print("|---|---|---|---|")
for name, rows in runs.items():
    w = [r[0] for r in rows]
    m = [r[1] for r in rows]
    print(f"| {name} | {len(rows)} | {min(w):.2f} / {statistics.median(w):.2f} / {max(w):.2f} "
          f"| {min(m):.0f} / {statistics.median(m):.0f} / {max(m):.0f} |")
EOF
if [[ -s $WORK/failed.tsv ]]; then
    echo "failed runs (see the logs):" | tee -a "$WORK/summary.md"
    tee -a "$WORK/summary.md" < "$WORK/failed.tsv"
fi
