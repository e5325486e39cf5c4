"""Runner speed: a cold run (empty cache) then the same run again (all cached).

    python benchmarks/bench_runner.py --dataset lytro --data-dir ../shared/datasets \
        --methods classic --jobs 2

Prints the wall time of both runs and their ratio; the issue's target is a
second run under 10 % of the first. Uses a temporary cache and run
directories (nothing written into the source tree).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.runner import run_benchmark


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="synthetic")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--methods", default="classic")
    ap.add_argument("--metrics", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--backend", default="process")
    ap.add_argument("--report", action="store_true", help="include report generation in the timings")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        times = []
        for i in (1, 2):
            t0 = time.perf_counter()
            s = run_benchmark(args.dataset, methods=args.methods, metrics=args.metrics, data_dir=args.data_dir,
                              jobs=args.jobs, backend=args.backend, out=Path(tmp) / f"run{i}",
                              cache_dir=Path(tmp) / "cache", progress=False)
            if args.report:
                from bench.reports import build_report

                build_report(s.run_dir, jobs=args.jobs)
                s.wall_seconds = time.perf_counter() - t0
            print(f"run {i}: {s.line()}")
            times.append(s.wall_seconds)
        print(f"cold {times[0]:.1f} s, cached {times[1]:.1f} s, ratio {times[1] / times[0]:.1%}")


if __name__ == "__main__":
    main()
