"""Time the metrics: every metric at 520² RGB, the five indices side by side, a pair's job.

Usage::

    python benchmarks/bench_metrics.py [--metrics 'q*'] [--repeat 3]      # every metric, 520² RGB
    python benchmarks/bench_metrics.py --compare [--sizes 256,520,1024,2048] [--repeat 5]
    python benchmarks/bench_metrics.py --pair-job [--repeat 5]
    python benchmarks/bench_metrics.py --fast-paths [--repeat 5]
    python benchmarks/bench_metrics.py --values        # kernels vs numpy code, per metric

Default mode: one row per metric and convention, best-of-``repeat`` CPU time
in ms on a 520×520 RGB triple (Lytro pair 01 and their mean).

``--compare``: the paper's five indices (``default`` convention) by fusebench
(:func:`metrics.compute_many`, features shared) against a plain numpy
float64 implementation of the same five formulas written below (one
function per index, each computing its own Sobel maps, luma and histograms:
what any straightforward Python evaluator does), interleaved, the median of
``repeat`` runs, grey and RGB at each size; ms, ms per megapixel, the ratio
plain/fusebench, the peak traced memory of one call and the largest
relative difference between the two implementations' values. A third
column, ``numpy_code``, is fusebench with its compiled kernels off
(``FUSEBENCH_NUMBA=0``: the numpy code that main ran before the kernels),
interleaved with the other two; ``rel_diff_vs_numpy_code`` is the largest
relative change of the five values the kernels make. tracemalloc does not see
numba's allocations: the kernels' own are a few 128-element buffers, one
row of partial sums per 128 pixels (≈ 0.5 % of a float64 image) and two
256² count tables.

``--pair-job``: scoring the fused images of the classic methods on one Lytro
pair (the five indices), per method as the runner did before (each
``metrics.compute`` on its own) vs in one job (one feature session for the
pair, as the runner now does); prints both medians and the ratio.

``--fast-paths``: ``qp`` and ``fmi`` (``default``, 520² RGB) against the
implementations they replaced (kept as the oracles of
``tests/metrics/test_fast_paths.py``), interleaved, median of ``repeat``; prints
both times, the ratio, the values' relative difference and the idle time the
ratio implies from the issue's idle figures (qp 0.98 s, fmi 0.89 s before).

``--malloc default`` leaves glibc's allocator as it is instead of tuning it as
the runner's workers do (:func:`bench.runner.execute.tune_allocator`).
Times are process CPU time (``time.process_time``) so that a machine shared
with other processes inflates them less; single-threaded by default.
Not a test.
"""

from __future__ import annotations

import argparse
import os
import time
import tracemalloc
from pathlib import Path

import numpy as np

FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")


# -- the plain numpy float64 reference implementation of the five formulas ---------------
def _plain_sobel(x, pad_mode):
    p = np.pad(x, 1, mode=pad_mode)
    gx = (p[:-2, :-2] + 2 * p[1:-1, :-2] + p[2:, :-2]) - (p[:-2, 2:] + 2 * p[1:-1, 2:] + p[2:, 2:])
    gy = (p[:-2, :-2] + 2 * p[:-2, 1:-1] + p[:-2, 2:]) - (p[2:, :-2] + 2 * p[2:, 1:-1] + p[2:, 2:])
    return gx, gy


def plain_qabf(a, b, f):
    """Xydeas-Petrović Q^AB/F, zero-padded Sobel, G = 1 where gX = gF."""

    def so(x):
        gx, gy = _plain_sobel(x, "constant")
        sx, sy = gx, -gy
        g = np.sqrt(sx**2 + sy**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(sx == 0, np.pi / 2, np.arctan(sy / sx))
        return g, alpha

    def pres(gx, ax, gf, af):
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(gx > gf, gf / gx, np.where(gx < gf, gx / gf, 1.0))
        delta = 1 - np.abs(ax - af) / (np.pi / 2)
        return 0.9994 / (1 + np.exp(-15 * (ratio - 0.5))) * 0.9879 / (1 + np.exp(-22 * (delta - 0.8)))

    (ga, aa), (gb, ab), (gf, af) = so(a), so(b), so(f)
    return float(np.sum(pres(ga, aa, gf, af) * ga + pres(gb, ab, gf, af) * gb) / np.sum(ga + gb))


def plain_qlabf(a, b, f):
    """Petrović/Kumar L^AB/F: mirror-padded Sobel /8, g^1.5 weights."""

    def so(x):
        gx, gy = _plain_sobel(x, "reflect")
        gv, gh = -gx / 8, -gy / 8
        g = np.sqrt(gh**2 + gv**2)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where((gv == 0) & (gh == 0), 0.0, np.arctan(gv / gh))
        return g, alpha

    def pres(gx, ax, gf, af):
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = np.where((gx == 0) | (gf == 0), 0.0, np.minimum(gx, gf) / np.maximum(gx, gf))
        ra = np.abs(np.abs(ax - af) - np.pi / 2) * 2 / np.pi
        return np.sqrt(0.9999 / (1 + np.exp(-19 * (rel - 0.5))) * 0.9995 / (1 + np.exp(-22 * (ra - 0.5))))

    (ga, aa), (gb, ab), (gf, af) = so(a), so(b), so(f)
    qa, qb = pres(ga, aa, gf, af), pres(gb, ab, gf, af)
    wa = np.where(ga >= 2, ga**1.5, 0.001)
    wb = np.where(gb >= 2, gb**1.5, 0.001)
    lost = (1 - qa) * wa + (1 - qb) * wb
    kept = (gf <= ga) | (gf <= gb)
    return float(np.sum(lost * kept) / np.sum(wa + wb))


def plain_qmi(a, b, f):
    """MI(A,F) + MI(B,F), 256 grey-level bins, bits."""

    def levels(x):
        return np.clip(np.rint(x), 0, 255).astype(np.int64)

    def mi(x, y):
        pxy = np.bincount((x * 256 + y).ravel(), minlength=65536).reshape(256, 256) / x.size

        def h(p):
            p = p[p > 0]
            return -np.sum(p * np.log2(p))

        return h(pxy.sum(1)) + h(pxy.sum(0)) - h(pxy)

    la, lb, lf = levels(a), levels(b), levels(f)
    return float(mi(la, lf) + mi(lb, lf))


def plain_qag(a, b, f):
    dy = f[1:, :-1] - f[:-1, :-1]
    dx = f[:-1, 1:] - f[:-1, :-1]
    return float(np.mean(np.sqrt((dx**2 + dy**2) / 2)))


def plain_qsf(a, b, f):
    return float(np.sqrt(np.mean(np.diff(f, axis=1) ** 2) * (f.shape[1] - 1) / f.shape[1]
                         + np.mean(np.diff(f, axis=0) ** 2) * (f.shape[0] - 1) / f.shape[0]))


PLAIN = {"qabf": plain_qabf, "qag": plain_qag, "qlabf": plain_qlabf, "qmi": plain_qmi, "qsf": plain_qsf}


def plain_five(a, b, f):
    """The five indices, plain: colour images reduced to BT.601 luma by each index."""
    out = {}
    for name, fn in PLAIN.items():
        x, y, z = (v @ np.array([0.299, 0.587, 0.114]) if v.ndim == 3 else v for v in (a, b, f))
        out[name] = fn(x, y, z)
    return out


# -- helpers ---------------------------------------------------------------------------------
def _lytro(data_dir: str, idx: int = 1):
    from bench.io import read_image

    d = Path(data_dir) / "lytro"
    a, _ = read_image(d / f"lytro-{idx:02d}-A.jpg")
    b, _ = read_image(d / f"lytro-{idx:02d}-B.jpg")
    return a, b


def _resized(x: np.ndarray, n: int) -> np.ndarray:
    """An n×n image from x: cropped, or mirror-tiled to reach n (real image content)."""
    reps = -(-n // min(x.shape[:2]))
    if reps > 1:
        rows = np.concatenate([x if i % 2 == 0 else x[::-1] for i in range(reps)], axis=0)
        x = np.concatenate([rows if j % 2 == 0 else rows[:, ::-1] for j in range(reps)], axis=1)
    return np.ascontiguousarray(x[:n, :n])


def _cpu(fn) -> float:
    t = time.process_time()
    fn()
    return time.process_time() - t


def _peak_mib(fn) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def compare(data_dir: str, sizes: list[int], repeat: int) -> list[dict]:
    import metrics
    from bench.color import luma

    a0, b0 = _lytro(data_dir)
    f0 = (a0 + b0) / 2
    kernels = os.environ.get("FUSEBENCH_NUMBA", "1")
    rows = []
    for n in sizes:
        a, b, f = (_resized(x, n) for x in (a0, b0, f0))
        for kind, (x, y, z) in (("grey", tuple(luma(v) for v in (a, b, f))), ("rgb", (a, b, f))):
            def ours(x=x, y=y, z=z):
                return metrics.compute_many(FIVE, x, y, z)

            def plain(x=x, y=y, z=z):
                return plain_five(x, y, z)

            def numpy_code(x=x, y=y, z=z):  # fusebench without its compiled kernels (main before)
                os.environ["FUSEBENCH_NUMBA"] = "0"
                try:
                    return metrics.compute_many(FIVE, x, y, z)
                finally:
                    os.environ["FUSEBENCH_NUMBA"] = kernels

            ours()  # compiled code loaded (first call) outside the timing
            t_ours, t_plain, t_numpy = [], [], []
            for _ in range(repeat):  # interleaved
                t_ours.append(_cpu(ours))
                t_plain.append(_cpu(plain))
                t_numpy.append(_cpu(numpy_code))
            v_ours, v_plain, v_numpy = ours(), plain(), numpy_code()

            def rel(u, v):
                return max(abs(u[k] - v[k]) / max(abs(v[k]), 1e-300) for k in FIVE)

            mo, mp, mn = (np.median(t) * 1e3 for t in (t_ours, t_plain, t_numpy))
            mpx = n * n / 1e6
            rows.append({
                "size": f"{n}²", "image": kind,
                "fusebench_ms": f"{mo:.1f}", "numpy_code_ms": f"{mn:.1f}", "plain_ms": f"{mp:.1f}",
                "numpy_code/fusebench": f"{mn / mo:.2f}", "plain/fusebench": f"{mp / mo:.2f}",
                "fusebench_ms/Mpx": f"{mo / mpx:.0f}", "plain_ms/Mpx": f"{mp / mpx:.0f}",
                "peak_MiB_fusebench": f"{_peak_mib(ours):.0f}", "peak_MiB_numpy_code": f"{_peak_mib(numpy_code):.0f}",
                "peak_MiB_plain": f"{_peak_mib(plain):.0f}",
                "input_MiB": f"{sum(v.nbytes for v in (x, y, z)) / 2**20:.0f}",
                "rel_diff_vs_numpy_code": f"{rel(v_ours, v_numpy):.1e}",
                "max_rel_diff_plain": f"{rel(v_ours, v_plain):.1e}",
            })
    return rows


PAIR_METHODS = ("average", "max-abs", "pca", "dwt", "lp", "gd", "gff", "mgff", "msvd")


def pair_job(data_dir: str, repeat: int, pair: int = 1) -> dict:
    """Median CPU seconds of per-method scoring vs one job for a Lytro pair's fused images."""
    import methods
    import metrics
    from bench.runner.execute import quantise

    a, b = _lytro(data_dir, pair)
    for x in (a, b):
        x.setflags(write=False)
    fused = [quantise(methods.get_method(m).fuse(a, b).image, 8) for m in PAIR_METHODS]

    def per_method():
        return [{n: metrics.compute(n, a, b, f) for n in FIVE} for f in fused]

    def one_job():
        return metrics.compute_many(FIVE, a, b, fused)

    assert per_method() == one_job()  # same values, to the bit
    t_sep, t_job = [], []
    for _ in range(repeat):
        t_sep.append(_cpu(per_method))
        t_job.append(_cpu(one_job))
    sep, job = float(np.median(t_sep)), float(np.median(t_job))
    return {"methods": len(fused), "per_method_ms": sep * 1e3, "one_job_ms": job * 1e3, "ratio": sep / job}


IDLE_BEFORE_S = {"qp": 0.98, "fmi": 0.89}  # issue 18, idle machine, 520² RGB (default)


def fast_paths(data_dir: str, repeat: int) -> list[dict]:
    """qp and fmi now vs the previous code (the test oracles), interleaved, CPU ms."""
    import importlib.util

    import metrics
    from metrics.channels import to_luma

    path = Path(__file__).resolve().parents[1] / "tests" / "metrics" / "test_fast_paths.py"
    spec = importlib.util.spec_from_file_location("_fast_path_oracles", path)
    oracles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(oracles)
    a, b = _lytro(data_dir)
    f = (a + b) / 2
    la, lb, lf = to_luma(a, b, f)
    before = {"qp": lambda: oracles._oracle_qp(la, lb, lf, False),
              "fmi": lambda: oracles._oracle_fmi(la, lb, lf)}
    rows = []
    for name, old in before.items():
        def new(name=name):
            return metrics.compute(name, a, b, f)

        t_old, t_new = [], []
        for _ in range(repeat):  # interleaved
            t_old.append(_cpu(old))
            t_new.append(_cpu(new))
        mo, mn = float(np.median(t_old)), float(np.median(t_new))
        v_old, v_new = old(), new()
        rows.append({
            "metric": name, "before_ms": f"{mo * 1e3:.0f}", "now_ms": f"{mn * 1e3:.0f}",
            "ratio": f"{mo / mn:.2f}", "rel_diff": f"{abs(v_new - v_old) / abs(v_old):.1e}",
            "idle_before_s": f"{IDLE_BEFORE_S[name]:.2f}",
            "idle_now_s (estimated)": f"{IDLE_BEFORE_S[name] * mn / mo:.2f}",
        })
    return rows


def every_metric(data_dir: str, pattern: str, repeat: int) -> tuple[list[dict], dict]:
    import metrics

    a, b = _lytro(data_dir)
    f = (a + b) / 2
    # full-reference and decision-map metrics get stand-ins of the right shape
    extra = {"reference": a, "decision_map": (a[..., 0] > b[..., 0]).astype(float),
             "mask": (a[..., 1] > b[..., 1]).astype(float)}
    selected = metrics.list_metrics(pattern)
    names = [n for n in FIVE if n in selected] + [n for n in selected if n not in FIVE]
    rows, total = [], {}
    for name in names:
        m = metrics.get_metric(name)
        kw = {k: v for k, v in extra.items()
              if (k == "reference" and m.needs_reference) or (k != "reference" and m.needs_decision_map)}
        for conv in m.conventions:
            def one(name=name, conv=conv, kw=kw):
                return metrics.compute(name, a, b, f, convention=conv, **kw)

            best = min(_cpu(one) for _ in range(repeat))
            rows.append({"metric": name, "convention": conv, "cpu_ms": f"{best * 1e3:.1f}"})
            if name in FIVE:
                total[conv] = total.get(conv, 0.0) + best
    return rows, total


KERNEL_METRICS = ("qabf", "qag", "qlabf", "qmi", "qsf", "qnabf", "qnabf-petrovic", "qabf-petrovic")


def kernel_values(data_dir: str) -> list[dict]:
    """Largest relative change per metric and convention, kernels vs numpy code.

    Triples: Lytro pairs 01–03 (whole, RGB) with their mean and a per-pixel
    max-abs choice as fused images, and three VIFB pairs with two published
    fused images each (CBF, CNN).
    """
    import metrics
    from bench.io import read_image

    d = Path(data_dir)
    triples = []
    for i in (1, 2, 3):
        a, b = _lytro(data_dir, i)
        a, b = np.asarray(a, float), np.asarray(b, float)
        triples += [(a, b, (a + b) / 2), (a, b, np.where(np.abs(a - 128) >= np.abs(b - 128), a, b))]
    for name in ("carLight", "kettle", "walking"):
        ir = read_image(d / "vifb" / "sources" / "IR" / f"{name}.jpg")[0]
        vi = read_image(d / "vifb" / "sources" / "VI" / f"{name}.jpg")[0]
        for m in ("CBF", "CNN"):
            triples.append((ir, vi, read_image(d / "vifb" / "fused" / f"{name}_{m}.jpg")[0]))
    rows = []
    for conv in ("default", "vifb", "mefb"):
        names = [n for n in KERNEL_METRICS if conv in metrics.get_metric(n).conventions]
        worst = dict.fromkeys(names, 0.0)
        for a, b, f in triples:
            fast = metrics.compute_many(names, a, b, f, conv)
            os.environ["FUSEBENCH_NUMBA"] = "0"
            try:
                slow = metrics.compute_many(names, a, b, f, conv)
            finally:
                os.environ["FUSEBENCH_NUMBA"] = "1"
            for n in names:
                worst[n] = max(worst[n], abs(fast[n] - slow[n]) / max(abs(slow[n]), 1e-300))
        rows.append({"convention": conv, "triples": len(triples),
                     **{n: f"{worst.get(n, float('nan')):.1e}" if n in worst else "—" for n in KERNEL_METRICS}})
    return rows


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_dir = os.environ.get("FUSEBENCH_TEST_DATA") or str(Path(__file__).resolve().parents[2] / "shared" / "datasets")
    p.add_argument("--data-dir", default=default_dir)
    p.add_argument("--repeat", type=int, default=None, help="default 3 (every metric), 5 (--compare, --pair-job)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--metrics", default="*", help="wildcard / comma list (default: all registered)")
    p.add_argument("--compare", action="store_true", help="the five indices vs plain numpy float64")
    p.add_argument("--sizes", default="256,520,1024,2048")
    p.add_argument("--pair-job", action="store_true", help="a pair's methods scored in one job vs per method")
    p.add_argument("--fast-paths", action="store_true", help="qp and fmi vs the code they replaced")
    p.add_argument("--values", action="store_true", help="kernels vs numpy code: largest value change")
    p.add_argument("--malloc", choices=("tuned", "default"), default="tuned",
                   help="tuned: glibc thresholds as the runner's workers set them (default)")
    args = p.parse_args(argv)
    if args.malloc == "tuned":
        from bench.runner.execute import tune_allocator

        tune_allocator()
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)

    from tabulate import tabulate

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    note = (f"{args.threads} thread(s); malloc {args.malloc}; {os.cpu_count()} CPUs, "
            f"load average {load:.1f} at start")
    if args.values:
        print("largest relative change of each value, compiled kernels vs numpy code (FUSEBENCH_NUMBA=0)")
        print(tabulate(kernel_values(args.data_dir), headers="keys", disable_numparse=True, tablefmt="github"))
        return 0
    if args.fast_paths:
        repeat = max(5, args.repeat or 5)
        rows = fast_paths(args.data_dir, repeat)
        print(f"qp, fmi (default) at 520² RGB (lytro-01 A, B, mean), now vs before; median of {repeat} "
              f"interleaved; CPU ms; {note}")
        print(tabulate(rows, headers="keys", disable_numparse=True, tablefmt="github"))
        return 0
    if args.compare or args.pair_job:
        repeat = max(5, args.repeat or 5)
        if args.compare:
            rows = compare(args.data_dir, [int(s) for s in args.sizes.split(",")], repeat)
            print(f"five indices (default), fusebench vs plain numpy float64; median of {repeat} "
                  f"interleaved; CPU ms; {note}")
            print(tabulate(rows, headers="keys", disable_numparse=True, tablefmt="github"))
        if args.pair_job:
            r = pair_job(args.data_dir, repeat)
            print(f"lytro-01, five indices of {r['methods']} classic methods' fused images; median of {repeat}; "
                  f"{note}")
            print(f"per-method scoring {r['per_method_ms']:.0f} ms, one job {r['one_job_ms']:.0f} ms, "
                  f"ratio {r['ratio']:.2f}x (values identical)")
        return 0
    repeat = args.repeat or 3
    rows, total = every_metric(args.data_dir, args.metrics, repeat)
    print(f"520x520 RGB triple (lytro-01 A, B, mean); best of {repeat}; {note}")
    print(tabulate(rows, headers="keys", disable_numparse=True))
    for conv, t in total.items():
        print(f"five indices ({conv}, where available): {t * 1e3:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
