"""Time the VIFB validation (13 metrics, convention "vifb").

Usage::

    python benchmarks/bench_vifb_validation.py [--data-dir DIR] [--full] [--jobs 2]

Without ``--full`` it scores the 25-image stratified subset in this process and
extrapolates the CPU time to the full 525-image table; with ``--full`` it runs
the whole table with ``--jobs`` worker processes and reports wall time.
Prints the per-metric agreement table as ``python -m bench validate`` does.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("FUSEBENCH_TEST_DATA") or str(Path(__file__).resolve().parents[2] / "shared" / "datasets")
    p.add_argument("--data-dir", default=default_dir)
    p.add_argument("--full", action="store_true")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"

    from tabulate import tabulate

    from bench.validate.vifb import metrics_vs_vifb, summarize

    wall, cpu = time.perf_counter(), time.process_time()
    if args.full:
        df = metrics_vs_vifb(args.data_dir, n_jobs=args.jobs)
    else:
        df = metrics_vs_vifb(args.data_dir, subset="quick", n_jobs=1)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    n_img = df.groupby(["image", "method"]).ngroups
    print(tabulate(summarize(df), headers="keys", disable_numparse=True))
    if args.full:
        print(f"full table: {n_img} fused images, {len(df)} values, {wall:.0f} s wall with {args.jobs} jobs")
    else:
        per = cpu / n_img
        print(
            f"subset: {n_img} fused images in {cpu:.1f} s CPU ({per:.2f} s/image); "
            f"full 525-image table ≈ {525 * per / 60:.1f} CPU-min ≈ {525 * per / 60 / args.jobs:.1f} min on {args.jobs} idle cores"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
