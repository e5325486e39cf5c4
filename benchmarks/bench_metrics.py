"""Time every registered metric on a 520×520 RGB triple (Lytro pair 01 + their mean).

Usage::

    python benchmarks/bench_metrics.py [--metrics 'q*'] [--data-dir DIR] [--repeat 3] [--threads 1]

Prints one row per metric and convention: best-of-``repeat`` CPU time in ms
(process time, so the figure holds on a loaded shared machine; single-threaded
it equals wall time on an idle one).
Single-threaded by default (the numbers are per core). Not a test.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("FUSEBENCH_TEST_DATA") or str(Path(__file__).resolve().parents[2] / "shared" / "datasets")
    p.add_argument("--data-dir", default=default_dir)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--metrics", default="*", help="wildcard / comma list (default: all registered)")
    args = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    from tabulate import tabulate

    import metrics
    from bench.io import read_image

    d = Path(args.data_dir) / "lytro"
    a, _ = read_image(d / "lytro-01-A.jpg")
    b, _ = read_image(d / "lytro-01-B.jpg")
    f = (a + b) / 2
    # full-reference and decision-map metrics get stand-ins of the right shape
    extra = {"reference": a, "decision_map": (a[..., 0] > b[..., 0]).astype(float),
             "mask": (a[..., 1] > b[..., 1]).astype(float)}
    names = list(FIVE) + [n for n in metrics.list_metrics(args.metrics) if n not in FIVE]
    names = [n for n in names if n in metrics.list_metrics(args.metrics)]
    rows = []
    total = {}
    for name in names:
        m = metrics.get_metric(name)
        kw = {k: v for k, v in extra.items()
              if (k == "reference" and m.needs_reference) or (k != "reference" and m.needs_decision_map)}
        for conv in m.conventions:
            best = float("inf")
            for _ in range(args.repeat):
                t = time.process_time()
                metrics.compute(name, a, b, f, convention=conv, **kw)
                best = min(best, time.process_time() - t)
            rows.append({"metric": name, "convention": conv, "cpu_ms": f"{best * 1e3:.1f}"})
            if name in FIVE:
                total[conv] = total.get(conv, 0.0) + best
    print(f"520x520 RGB triple (lytro-01 A, B, mean); best of {args.repeat}; {args.threads} thread(s)")
    print(tabulate(rows, headers="keys", disable_numparse=True))
    for conv, t in total.items():
        print(f"five indices ({conv}, where available): {t * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
