"""Time the extra metrics (Kumar family, Piella, Cvejic/Yang, NCIE/TE, FMI, full-reference).

Usage::

    python benchmarks/bench_metrics_extra.py [--data-dir DIR] [--repeat 3] [--threads 1]

Input: the 520×520 RGB Lytro pair 01 and their mean as the fused image (and
source A as the "reference" / a random map as the "decision map" for the
full-reference metrics). Prints best-of-``repeat`` wall time per metric and
convention, single-threaded by default. Not a test.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

EXTRA = (
    "qlabf", "qnabf", "qnabf-petrovic", "qabf-petrovic", "qw", "qe", "qc", "qy",
    "qncie", "te", "fmi", "psnr-gt", "ssim-gt", "rmse-gt", "map-accuracy", "map-iou",
)  # fmt: skip


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

    import numpy as np
    from tabulate import tabulate

    import metrics
    from bench.io import read_image

    d = Path(args.data_dir) / "lytro"
    a, _ = read_image(d / "lytro-01-A.jpg")
    b, _ = read_image(d / "lytro-01-B.jpg")
    f = (a + b) / 2
    rng = np.random.default_rng(0)
    extra_kw = {
        "reference": a,
        "decision_map": rng.uniform(0, 1, a.shape[:2]),
        "mask": (rng.uniform(0, 1, a.shape[:2]) > 0.5).astype(float),
    }
    rows = []
    for name in EXTRA:
        m = metrics.get_metric(name)
        kw = {}
        if m.needs_reference:
            kw["reference"] = extra_kw["reference"]
        if m.needs_decision_map:
            kw.update(decision_map=extra_kw["decision_map"], mask=extra_kw["mask"])
        for conv in m.conventions:
            best = float("inf")
            for _ in range(args.repeat):
                t = time.perf_counter()
                metrics.compute(name, a, b, f, convention=conv, **kw)
                best = min(best, time.perf_counter() - t)
            rows.append({"metric": name, "convention": conv, "ms": f"{best * 1e3:.0f}"})
    print(f"520x520 RGB triple (lytro-01 A, B, mean); best of {args.repeat}; {args.threads} thread(s)")
    print(tabulate(rows, headers="keys", disable_numparse=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
