"""Seconds per 520×520 colour pair, per fusion method, on one core.

    python benchmarks/bench_methods.py                       # classic + deep methods
    python benchmarks/bench_methods.py --methods deep --repeats 3
    python benchmarks/bench_methods.py --methods gff,gd --repeats 5
    python benchmarks/bench_methods.py --methods mst          # the MST / MST-SR family
    python benchmarks/bench_methods.py --data-dir ../shared/datasets

Every BLAS / OpenMP thread pool is pinned to one thread before numpy loads.
Each method fuses Lytro pair 01 (520×520 RGB) once to warm up (imports,
cached dictionaries, loaded weights), then ``--repeats`` times; the table shows the median
and the minimum wall time (the minimum is the least disturbed by other load),
and the median CPU time of the process (what one core spends; close to the
wall time on an idle machine). Deep methods read their published weights
through :mod:`bench.weights`; ``--weights-dir`` (default ``$FUSEBENCH_WEIGHTS``,
else ``../shared/weights``) is where they are looked for.
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

CLASSIC = ("dwt", "pca", "msvd", "lp", "gff", "gd", "mgff", "lp-sr")
DEEP = ("cnn-patch", "ifcnn-max", "ifcnn-mean", "ifcnn-sum", "sesf")
#: the MST / MST-SR family of Liu, Liu & Wang 2015 (methods/mst), ``--methods mst``
MST = ("lp-mst", "rp-mst", "dwt-mst", "dtcwt-mst", "nsct-mst", "lp-sr", "rp-sr", "dwt-sr",
       "dtcwt-sr", "nsct-sr")
GROUPS = {"classic": CLASSIC, "deep": DEEP, "mst": MST}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="classic,deep",
                   help="comma list of methods and/or the groups 'classic', 'deep'")
    p.add_argument("--repeats", type=int, default=5)
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
    print(f"{'method':<10} {'median s':>9} {'min s':>8} {'cpu s':>8}")
    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    for name in [n for m in names for n in GROUPS.get(m, (m,))]:
        m = methods.get_method(name)
        m.fuse(a, b)  # warm-up
        times, cpu = [], []
        for _ in range(args.repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            m.fuse(a, b)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        print(f"{name:<10} {statistics.median(times):>9.3f} {min(times):>8.3f} "
              f"{statistics.median(cpu):>8.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
