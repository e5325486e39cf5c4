"""Time the perceptual / feature metrics: qp, viff, vifp, ms-ssim, qg, scd.

Usage::

    python benchmarks/bench_metrics_perceptual.py [--data-dir DIR] [--repeat 3] [--threads 1]

Input: the 520×520 RGB Lytro pair 01 and MFIFB's GFF fusion of it
(``mfifb/fused/GFF/lytro_01_GFF.jpg``). Prints the value and the best-of-``repeat``
wall time per metric and convention after one warm-up call (Q_P caches its
filter bank per image size), single-threaded by default. Not a test.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

NAMES = ("qp", "viff", "vifp", "ms-ssim", "qg", "scd")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("FUSEBENCH_TEST_DATA") or str(
        Path(__file__).resolve().parents[2] / "shared" / "datasets"
    )
    p.add_argument("--data-dir", default=default_dir)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    from tabulate import tabulate

    import metrics
    from bench.io import read_image

    d = Path(args.data_dir)
    a, _ = read_image(d / "lytro" / "lytro-01-A.jpg")
    b, _ = read_image(d / "lytro" / "lytro-01-B.jpg")
    f, _ = read_image(d / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")
    rows = []
    for name in NAMES:
        for conv in metrics.get_metric(name).conventions:
            value = metrics.compute(name, a, b, f, convention=conv)  # warm-up
            best = float("inf")
            for _ in range(args.repeat):
                t = time.perf_counter()
                metrics.compute(name, a, b, f, convention=conv)
                best = min(best, time.perf_counter() - t)
            rows.append(
                {
                    "metric": name,
                    "convention": conv,
                    "value": f"{value:.6f}",
                    "ms": f"{best * 1e3:.0f}",
                }
            )
    print(
        f"520x520 RGB triple (lytro-01 A, B, GFF fused); best of {args.repeat}; {args.threads} thread(s)"
    )
    print(tabulate(rows, headers="keys", disable_numparse=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
