#!/usr/bin/env bash
# Regenerate the committed regression baselines, reports/baselines/{synthetic,lytro}.{csv,json},
# from fresh runs (fresh cache) of the nightly's methods (every multi-focus method but
# nightly.SLOW). What runs is defined once, in benchmarks/nightly.py (BASELINES), which
# `tox -e nightly` uses to compare against them.
#
#   benchmarks/make_baselines.sh                      # both baselines (as long as the nightly)
#   benchmarks/make_baselines.sh --only synthetic     # just one
#   benchmarks/make_baselines.sh --only lytro --cache-dir /tmp/cold/cache
#                                                     # reuse a cache just made by this code
#                                                     # (bench_runner.py --workdir /tmp/cold)
#   FUSEBENCH_DATA=/data benchmarks/make_baselines.sh --jobs 4
#
# Run it in the environment the nightly uses (CPU torch 2.13.0), then commit reports/baselines/.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA="${FUSEBENCH_DATA:-$(cd .. && pwd)/shared/datasets}"
OUT="${FUSEBENCH_BASELINE_RUNS:-runs/baselines}"
exec "${PYTHON:-python}" benchmarks/nightly.py --save-baselines --data-dir "$DATA" --out "$OUT" "$@"
