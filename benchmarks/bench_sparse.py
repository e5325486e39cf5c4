"""The compiled OMP of ``methods.sparse.omp_batch`` against its numpy code, one thread.

    python benchmarks/bench_sparse.py omp [--signals 100000]     # omp_batch on real patches
    python benchmarks/bench_sparse.py asr [--crop 128]            # asr on a Lytro crop (x k)
    python benchmarks/bench_sparse.py nsct-sr [--directions 2]    # nsct-sr on a VIFB pair
    python benchmarks/bench_sparse.py lp-sr                       # lp-sr on Lytro pair 01
    (--data-dir ../shared/datasets; FUSEBENCH_WEIGHTS must name the published weights)

``omp``: zero-mean 8×8 patches (step 1, column-major pixels) of Lytro pair 01's luma,
coded over ASR's general released dictionary (D_0, 64×256) at the released error
target 0.1: CPU seconds of the numpy code (``FUSEBENCH_NUMBA=0``) and of the numba
kernel, the speed-up, whether the supports are equal and the largest code difference
relative to the signal's largest coefficient.

The method rows fuse the pair twice, numpy code then kernel (the first, tiny warm-up
run compiles the kernel and loads the dictionaries), print CPU seconds of each, the
ratio, how many pixels of the 8-bit images (``round(clip(F, 0, 255))``) differ and the
largest |ΔF| of the float images. ``--crop S``: the central S×S crop, timed and scaled by
the pixel ratio to the whole pair (``x k``), as ``bench_methods.py`` does for slow
methods; ``--crop 0``: the whole pair.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _timed(fn, numba: bool):
    os.environ["FUSEBENCH_NUMBA"] = "1" if numba else "0"
    try:
        t = time.process_time()
        out = fn()
        return time.process_time() - t, out
    finally:
        os.environ.pop("FUSEBENCH_NUMBA", None)


def bench_omp(data: Path, signals: int) -> None:
    import numpy as np

    from bench.color import luma
    from bench.io import read_image
    from methods.asr import asr_dictionaries
    from methods.sparse import omp_batch

    g = luma(read_image(data / "lytro" / "lytro-01-A.jpg")[0])
    side = int(np.ceil(np.sqrt(signals))) + 7
    y0 = max(0, (g.shape[0] - side) // 2)
    v = np.lib.stride_tricks.sliding_window_view(g[y0:y0 + side, y0:y0 + side], (8, 8))
    x = v.transpose(0, 1, 3, 2).reshape(-1, 64).T[:, :signals]
    x = x - x.mean(axis=0)
    d = asr_dictionaries()[0]
    gram = d.T @ d
    _timed(lambda: omp_batch(d, x[:, :50], 0.1, gram=gram), True)  # compile / load the cache
    t_np, ref = _timed(lambda: omp_batch(d, x, 0.1, gram=gram), False)
    t_nb, got = _timed(lambda: omp_batch(d, x, 0.1, gram=gram), True)
    scale = np.abs(ref).max(axis=0) + 1e-300
    rel = float(np.max(np.abs(got - ref).max(axis=0) / scale))
    nnz = (ref != 0).sum(axis=0)
    print(f"omp_batch, {x.shape[1]} Lytro-01 patches over ASR D_0 (64x256), epsilon 0.1, "
          f"{nnz.mean():.1f} atoms on average, 1 thread, CPU s:")
    print(f"  numpy {t_np:.1f} s ({1e6 * t_np / x.shape[1]:.0f} us/code)   numba {t_nb:.1f} s "
          f"({1e6 * t_nb / x.shape[1]:.0f} us/code)   speed-up {t_np / t_nb:.1f}x   "
          f"same supports {bool(np.array_equal(ref != 0, got != 0))}   max rel diff {rel:.1e}")


def bench_method(name: str, a, b, params: dict, label: str, scale: float) -> None:
    import numpy as np

    import methods

    m = methods.get_method(name)
    small = (slice(0, 24), slice(0, 24))
    _timed(lambda: m.fuse(a[small], b[small], **params), True)  # compile, load dictionaries
    t_np, ref = _timed(lambda: m.fuse(a, b, **params).image, False)
    t_nb, got = _timed(lambda: m.fuse(a, b, **params).image, True)
    r8, g8 = (np.round(np.clip(np.asarray(f, float), 0, 255)) for f in (ref, got))
    diff = int(np.count_nonzero(r8 != g8))
    big = float(np.max(np.abs(np.asarray(ref, float) - np.asarray(got, float))))
    extra = f" (x {scale:.2f} for the whole pair: numpy {t_np * scale:.0f} s, numba " \
            f"{t_nb * scale:.0f} s)" if scale != 1 else ""
    shown = f"{name} {params}" if params else name
    print(f"{shown} on {label} {a.shape}, 1 thread, CPU s: numpy {t_np:.1f} s, "
          f"numba {t_nb:.1f} s, speed-up {t_np / t_nb:.1f}x{extra}; 8-bit pixels differing "
          f"{diff} of {r8.size}, max |dF| {big:.1e}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("what", choices=["omp", "asr", "lp-sr", "nsct-sr"])
    p.add_argument("--signals", type=int, default=100_000)
    p.add_argument("--crop", type=int, default=128, help="asr: central crop side (0: whole pair)")
    p.add_argument("--step", type=int, default=1, help="asr: patch step")
    p.add_argument("--directions", default="2", help="nsct-sr: directions")
    p.add_argument("--pair", default="peopleshadow", help="nsct-sr: VIFB pair")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)
    data = Path(args.data_dir)
    from bench.io import read_image

    if args.what == "omp":
        bench_omp(data, args.signals)
        return 0
    if args.what == "nsct-sr":
        a = read_image(data / "vifb" / "sources" / "IR" / f"{args.pair}.jpg")[0]
        b = read_image(data / "vifb" / "sources" / "VI" / f"{args.pair}.jpg")[0]
        bench_method("nsct-sr", a, b, {"directions": args.directions}, f"VIFB {args.pair}", 1.0)
        return 0
    a = read_image(data / "lytro" / "lytro-01-A.jpg")[0]
    b = read_image(data / "lytro" / "lytro-01-B.jpg")[0]
    if args.what == "lp-sr":
        bench_method("lp-sr", a, b, {}, "Lytro 01", 1.0)
        return 0
    h, w = a.shape[:2]
    scale, label = 1.0, "Lytro 01"
    if args.crop:
        s = args.crop
        y0, x0 = (h - s) // 2, (w - s) // 2
        a, b = a[y0:y0 + s, x0:x0 + s], b[y0:y0 + s, x0:x0 + s]
        # patches at step 1: (h - 7)(w - 7) per channel
        scale = (h - 7) * (w - 7) / ((s - 7) * (s - 7))
        label = f"Lytro 01 central crop {s}"
    bench_method("asr", a, b, {"step": args.step} if args.step != 1 else {}, label, scale)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
