"""Batched OMP (``methods.sparse.omp_batch``) against the per-signal OMP on the lp-sr workload.

    python benchmarks/bench_omp.py [--repeats 3] [--data-dir ../shared/datasets]

Runs ``mstsr`` (LP-SR) on Lytro pair 01 (520×520 RGB) once, recording every
call of its OMP (the low-pass patches of each channel: dictionary, signals,
error target), then times the per-signal ``methods.sparse.omp_reference`` (scikit-learn)
(scikit-learn) and ``omp_batch`` on exactly those calls, one thread, and
prints the seconds, the speed-up and the largest code difference.

``--per-pair``: the whole ``lp-sr`` fusion of the pair (issue 18's acceptance 3),
today's method against the same method with its OMP switched back to the
per-signal coder (what ``mstsr`` ran before the batched OMP), alternately,
CPU time, the median of ``--repeats``; prints both, the ratio and the largest
absolute difference of the fused images.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--per-pair", action="store_true", help="whole lp-sr fusion, batched vs per-signal OMP")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)

    import numpy as np

    import methods
    import methods.mst.sr as sr
    from bench.io import read_image
    from methods.sparse import omp_batch, omp_reference

    lytro = Path(args.data_dir) / "lytro"
    a, _ = read_image(lytro / "lytro-01-A.jpg")
    b, _ = read_image(lytro / "lytro-01-B.jpg")
    if args.per_pair:
        return per_pair(a, b, args.repeats)
    calls = []
    original = sr.sparse_codes

    def record(d, x, epsilon):
        calls.append((d, x.copy(), epsilon))
        return original(d, x, epsilon)

    sr.sparse_codes = record
    try:
        methods.get_method("lp-sr").fuse(a, b)
    finally:
        sr.sparse_codes = original
    n = sum(x.shape[1] for _, x, _ in calls)
    print(f"lp-sr workload: {len(calls)} OMP calls, {n} signals, {a.shape}, 1 thread")

    def best(fn):
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            out = [fn(d, x, e) for d, x, e in calls]
            times.append(time.perf_counter() - t)
        return min(times), out

    t_ref, ref = best(omp_reference)
    t_new, new = best(omp_batch)
    diff = max(float(np.max(np.abs(r - c))) for r, c in zip(ref, new))
    same = all(np.array_equal(r != 0, c != 0) for r, c in zip(ref, new))
    print(f"per-signal omp_codes {t_ref:.3f} s   omp_batch {t_new:.3f} s   "
          f"speed-up {t_ref / t_new:.1f}x   max |diff| {diff:.2e}   same supports {same}")
    return 0


def per_pair(a, b, repeats: int) -> int:
    """lp-sr on one pair with the batched OMP vs the per-signal OMP (CPU s, median, max |Δ|)."""
    import numpy as np

    import methods
    import methods.mst.sr as sr
    from methods.sparse import omp_reference

    method = methods.get_method("lp-sr")
    original = sr.sparse_codes

    def run(coder):
        sr.sparse_codes = coder
        try:
            t = time.process_time()
            out = method.fuse(a, b)
            return time.process_time() - t, np.asarray(getattr(out, "image", out), dtype=np.float64)
        finally:
            sr.sparse_codes = original

    run(original)  # warm-up: dictionary load, imports
    t_old, t_new = [], []
    for _ in range(max(1, repeats)):
        t, img_old = run(omp_reference)
        t_old.append(t)
        t, img_new = run(original)
        t_new.append(t)
    mo, mn = float(np.median(t_old)), float(np.median(t_new))
    diff = float(np.max(np.abs(img_old - img_new)))
    print(f"lp-sr on lytro-01 {a.shape}, 1 thread, CPU s, median of {len(t_old)} alternating runs: "
          f"per-signal OMP (the old mstsr) {mo:.2f} s, batched OMP (lp-sr now) {mn:.2f} s, "
          f"ratio {mo / mn:.2f}x; max |fused difference| {diff:.2e} (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
