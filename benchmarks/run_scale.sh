#!/usr/bin/env bash
# Issue 12's side-by-side benchmark: every stage's wall time and peak RSS at 1,200 / 100,000 /
# 1,000,000 staff, the import floor, a polars read-only floor of the same files, the pandas
# baseline of the five core KPIs, before (BEFORE_REV) and after (this checkout), and cProfile
# summaries of the load and report stages. Regenerates the block between the `scale:` markers
# of benchmarks/README.md from every row recorded so far in $WORK/runs.tsv.
#
#     benchmarks/run_scale.sh                       # everything (~1 h on an idle 2-core machine)
#     ONLY="floor s1200 s100000" benchmarks/run_scale.sh      # some groups only
#     VARIANTS=after benchmarks/run_scale.sh        # this checkout only (no BEFORE_REV rows)
#     SUMMARY_ONLY=1 benchmarks/run_scale.sh        # rewrite the README block from $WORK/runs.tsv
#
# Groups: floor (import floor, machine), demo (`hrmetrics demo` chain of the demo city),
# s1200, s100000, s1000000 (`hrmetrics demo --staff N --generate-only`, then read floor, load,
# kpis --store, run --data [not 1M], pandas baseline [not 1M]), profile (cProfile of `hrmetrics
# run` at 100,000: load and report stages). A row is one process under GNU time (wall clock,
# maximum resident set size, user + system CPU seconds); RUNS counted runs per row (default 1; 3 for the floors), and the
# load average (`uptime`) is recorded before every run: the machine is shared.
# BEFORE_REV (default 012f280, main before issue 12) runs from a `git archive` copy on
# PYTHONPATH with the same venv. The 1,000,000 row runs after only (before, a load took
# ~3 GB per 100,000 staff) and stops a run whose RSS passes RSS_LIMIT_GB (default 14).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=${PY:-$REPO/.venv/bin/python}
WORK=${WORK:-/tmp/hrbench-scale}
ONLY=${ONLY:-floor demo s1200 s100000 s1000000 profile}
VARIANTS=${VARIANTS:-before after}
RUNS=${RUNS:-1}
BEFORE_REV=${BEFORE_REV:-012f280}
RSS_LIMIT_GB=${RSS_LIMIT_GB:-14}
README=$REPO/benchmarks/README.md
TIME=/usr/bin/time
mkdir -p "$WORK/logs" "$WORK/cwd"
touch "$WORK/runs.tsv"

want() { [[ " $ONLY " == *" $1 "* ]]; }
src_of() { if [[ $1 == before ]]; then echo "$WORK/src-before"; else echo "$REPO"; fi; }
HR=$WORK/hr_main.py  # `hrmetrics` from whichever checkout is on PYTHONPATH
# the guard matters: report packs are built in spawned worker processes, which import this file
printf 'import sys\nfrom hrmetrics.cli import main\n\nif __name__ == "__main__":\n    sys.argv[0] = "hrmetrics"\n    main()\n' > "$HR"

if [[ " $VARIANTS " == *" before "* && ! -d $WORK/src-before ]]; then
    mkdir -p "$WORK/src-before"
    git -C "$REPO" archive "$BEFORE_REV" | tar -x -C "$WORK/src-before"
fi

# watch PID: kill the run if its resident memory passes RSS_LIMIT_GB (the machine is shared)
watch_rss() {
    local pid=$1 limit=$((RSS_LIMIT_GB * 1024 * 1024))
    while kill -0 "$pid" 2> /dev/null; do
        local rss
        rss=$(ps -o rss= --ppid "$pid" 2> /dev/null | awk '{s += $1} END {print s + 0}')
        if ((rss > limit)); then
            echo "RSS ${rss} kB > ${RSS_LIMIT_GB} GB: stopping run" >&2
            kill -- "-$pid" 2> /dev/null || kill "$pid"
            return
        fi
        sleep 2
    done
}

# bench NAME VARIANT N PREPARE -- COMMAND...   one row; COMMAND runs from an empty folder
bench() {
    local name=$1 variant=$2 n=$3 prepare=$4
    shift 5
    local i
    for ((i = 1; i <= RUNS; i++)); do
        eval "$prepare"
        local tag=$name.$variant.$n.$i load tf log
        tf=$WORK/logs/$tag.time
        log=$WORK/logs/$tag.log
        load=$(awk '{print $1}' /proc/loadavg)
        echo "  $(date -u +%H:%M:%S) $name $variant N=$n run $i (load average $load)" >&2
        (
            cd "$WORK/cwd"
            set -m
            PYTHONPATH=$(src_of "$variant") "$TIME" -v -o "$tf" "$@" > "$log" 2>&1 &
            local pid=$!
            watch_rss "$pid" &
            wait "$pid"
        ) || echo "  FAILED ($name $variant $n), see $log" >&2
        local wall rss status cpu
        wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0;
            for (k = 1; k <= n; k++) s = s * 60 + p[k]; print s}' "$tf")
        rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$tf")
        status=$(awk -F': ' '/Exit status/ {print $2}' "$tf")
        cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$tf")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$variant" "$n" "$wall" "$rss" "$status" \
            "$load" "$(date -u '+%Y-%m-%d %H:%M')" "$cpu" >> "$WORK/runs.tsv"
    done
}

if [[ -z ${SUMMARY_ONLY:-} ]]; then
    if want floor; then
        {
            echo "machine: $(nproc) cores ($(lscpu | awk -F': +' '/Model name/ {print $2; exit}')), $(free -g |
                awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)"
            "$PY" -c 'import sys, polars, pandas, great_expectations as gx, altair, statsmodels
print(f"Python {sys.version.split()[0]}, polars {polars.__version__}, pandas {pandas.__version__}, "
      f"great_expectations {gx.__version__}, altair {altair.__version__}, statsmodels {statsmodels.__version__}")'
        } > "$WORK/machine.txt"
        RUNS_SAVED=$RUNS RUNS=3
        bench import-floor after 0 : -- "$PY" -c "import hrmetrics, polars, great_expectations, altair, statsmodels"
        RUNS=$RUNS_SAVED
    fi
    if want demo; then
        for v in $VARIANTS; do
            bench demo-chain "$v" 1200 "rm -rf '$WORK/demo-$v'" -- "$PY" "$HR" demo --out "$WORK/demo-$v"
        done
    fi
    for n in 1200 100000 1000000; do
        want "s$n" || continue
        data=$WORK/s$n/data
        if [[ ! -f $data/overtime.parquet ]]; then
            bench generate after "$n" "rm -rf '$WORK/s$n'" -- "$PY" "$HR" demo --staff "$n" --generate-only --out "$WORK/s$n"
        fi
        files=$(ls "$data"/*.parquet | tr '\n' ' ')
        RUNS_SAVED=$RUNS
        [[ $n -lt 1000000 ]] && RUNS=3
        # shellcheck disable=SC2086
        bench read-floor after "$n" : -- "$PY" -c "import sys, polars as pl; [pl.read_parquet(p) for p in sys.argv[1:]]" $files
        RUNS=$RUNS_SAVED
        for v in $VARIANTS; do
            [[ $v == before && $n -ge 1000000 ]] && continue
            store=$WORK/s$n/store-$v
            bench load "$v" "$n" "rm -rf '$store'" -- "$PY" "$HR" load "$data" --store "$store"
            bench kpis "$v" "$n" : -- "$PY" "$HR" kpis --store "$store" --out "$WORK/s$n/kpis-$v.parquet"
            if [[ $n -lt 1000000 ]]; then
                bench run "$v" "$n" "rm -rf '$WORK/s$n/run-$v'" -- "$PY" "$HR" run --data "$data" --out "$WORK/s$n/run-$v"
            fi
            rm -rf "$store"
        done
        if [[ $n -lt 1000000 ]]; then
            bench pandas after "$n" : -- "$PY" "$REPO/benchmarks/bench_pandas_kpis.py" --data "$data"
        fi
    done
    if want profile; then
        data=$WORK/s100000/data
        for v in $VARIANTS; do
            bench profile-run "$v" 100000 "rm -rf '$WORK/s100000/prof-$v'" -- \
                "$PY" -m cProfile -o "$WORK/profile-run-$v.prof" "$HR" run --data "$data" --out "$WORK/s100000/prof-$v"
        done
    fi
fi

"$PY" "$REPO/benchmarks/scale_summary.py" --work "$WORK" --readme "$README"
