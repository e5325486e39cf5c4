"""Seconds per 520×520 colour pair, per fusion method, on one core.

    python benchmarks/bench_methods.py                        # every registered method
    python benchmarks/bench_methods.py --methods mfifb        # the methods MFIFB has outputs of
    python benchmarks/bench_methods.py --methods mst --repeats 3   # the MST / MST-SR family
    python benchmarks/bench_methods.py --methods gff,gd,deep --crop 0
    python benchmarks/bench_methods.py --data-dir ../shared/datasets

Every BLAS / OpenMP thread pool is pinned to one thread before numpy loads.
Each method fuses Lytro pair 01 (520×520 RGB) once to warm up (imports,
cached dictionaries, loaded weights, per-shape plans); that first run is
timed too. A method whose first run took longer than ``--once`` seconds (30)
is reported from that single run; the others run ``--repeats`` more times.
The table shows the median and the minimum wall time (the minimum is the
least disturbed by other load) and the median CPU time of the process (what
one core spends: the figure to quote on a shared machine).

Slow methods run on the central S×S crop (``SLOW_CROP``: ``asr``, ``csr``,
``nsct-sr``; ``--crop S`` for all, ``--crop 0`` for whole pairs) and the time
is scaled by 520²/S² (their cost is proportional to the pixel count: one OMP
code per patch, FFT-domain ADMM, full-size NSCT bands); such rows say
``crop S, x k``. Deep methods read their published weights through
:mod:`bench.weights`; ``--weights-dir`` (default ``$FUSEBENCH_WEIGHTS``, else
``../shared/weights``) is where they are looked for.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CLASSIC = ("dwt", "pca", "msvd", "lp", "gff", "gd", "mgff", "lp-sr", "asr", "csr")
DEEP = ("cnn-patch", "ifcnn-max", "ifcnn-mean", "ifcnn-sum", "sesf")
#: the MST / MST-SR family of Liu, Liu & Wang 2015 (methods/mst), ``--methods mst``
MST = ("lp-mst", "rp-mst", "dwt-mst", "dtcwt-mst", "nsct-mst", "cvt-mst", "lp-sr", "rp-sr",
       "dwt-sr", "dtcwt-sr", "nsct-sr", "cvt-sr")
#: methods timed on a central crop and scaled to the whole pair
SLOW_CROP = {"asr": 128, "csr": 128, "nsct-sr": 256}


def _groups():
    from bench.validate.mfifb_outputs import METHODS as MFIFB

    return {"classic": CLASSIC, "deep": DEEP, "mst": MST, "mfifb": tuple(MFIFB)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="all",
                   help="comma list of methods and/or groups: all (every registered method), "
                        "classic, deep, mst, mfifb")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--once", type=float, default=30.0,
                   help="report a method from its first run when that took longer (seconds)")
    p.add_argument("--crop", type=int, default=None,
                   help="time every method on the central SxS crop (0: whole pairs; "
                        "default: SLOW_CROP for the slow ones)")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    p.add_argument("--weights-dir", default=os.environ.get("FUSEBENCH_WEIGHTS",
                                                           str(REPO.parent / "shared" / "weights")))
    args = p.parse_args(argv)
    os.environ["FUSEBENCH_WEIGHTS"] = args.weights_dir

    import methods
    from bench.io import read_image

    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    lytro = Path(args.data_dir) / "lytro"
    a, _ = read_image(lytro / "lytro-01-A.jpg")
    b, _ = read_image(lytro / "lytro-01-B.jpg")
    print(f"pair: {lytro / 'lytro-01-*.jpg'} {a.shape}, threads: 1, repeats: {args.repeats}")
    print(f"{'method':<11} {'median s':>9} {'min s':>8} {'cpu s':>8} {'runs':>5}  note")
    groups = _groups()
    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    todo = [n for m in names for n in (methods.list_methods("*") if m == "all"
                                       else groups.get(m, (m,)))]
    for name in dict.fromkeys(todo):
        if name not in methods.list_methods("*"):
            print(f"{name:<11} {'-':>9} {'-':>8} {'-':>8} {'-':>5}  not registered", flush=True)
            continue
        m = methods.get_method(name)
        crop = SLOW_CROP.get(name, 0) if args.crop is None else args.crop
        x, y, scale, note = a, b, 1.0, ""
        if crop and crop < min(a.shape[:2]):
            y0, x0 = (a.shape[0] - crop) // 2, (a.shape[1] - crop) // 2
            x, y = a[y0:y0 + crop, x0:x0 + crop], b[y0:y0 + crop, x0:x0 + crop]
            scale = a.shape[0] * a.shape[1] / crop ** 2
            note = f"crop {crop}, x {scale:.1f}"
        t0, c0 = time.perf_counter(), time.process_time()
        m.fuse(x, y)  # warm-up, timed
        times, cpu = [time.perf_counter() - t0], [time.process_time() - c0]
        if times[0] <= args.once:
            times, cpu = [], []
            for _ in range(args.repeats):
                t0, c0 = time.perf_counter(), time.process_time()
                m.fuse(x, y)
                times.append(time.perf_counter() - t0)
                cpu.append(time.process_time() - c0)
        print(f"{name:<11} {statistics.median(times) * scale:>9.3f} {min(times) * scale:>8.3f} "
              f"{statistics.median(cpu) * scale:>8.3f} {len(times):>5}  {note}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
