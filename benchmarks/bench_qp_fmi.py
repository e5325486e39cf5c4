"""qp and fmi now vs a git revision of their code (issue 18): CPU-time ratio, interleaved, values.

Usage::

    python benchmarks/bench_qp_fmi.py [--base 79edf67] [--repeat 5] [--metrics qp,fmi]

Loads ``metrics/perceptual/phase_congruency.py`` and ``metrics/information/fmi.py``
as they were at ``--base`` (``git show``; their registration stripped, so the
registry is untouched) and times, one thread, 520×520 RGB (Lytro pair 01: A,
B and their mean, ``default`` convention), alternately the base code and
today's ``metrics.compute`` (each call cold: no feature memoised from an earlier
call), the median of ``repeat`` CPU times each. Prints both medians, the
ratio, the relative difference of the values and the idle time the ratio implies
from the base code's time measured on a nearly idle core (``IDLE_BASE_S``:
qp 0.85 s, fmi 0.89 s). The first call of each (numba compilation or cache load,
bank construction) is excluded and timed separately. Not a test.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import types  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FILES = {"qp": "metrics/perceptual/phase_congruency.py", "fmi": "metrics/information/fmi.py"}
ENTRY = {"qp": "qp_channel", "fmi": "feature_mutual_information"}
# the base code (79edf67) at 520² RGB on a nearly idle core (load average 0.9, this
# script's calls, median of 5, 2026-12-01 21:36 UTC): the reference for the estimates
IDLE_BASE_S = {"qp": 0.85, "fmi": 0.89}


def load_base(name: str, rev: str) -> types.ModuleType:
    """The metric's module as it was at ``rev``, without its ``register_metric`` call."""
    src = subprocess.run(["git", "-C", str(REPO), "show", f"{rev}:{FILES[name]}"], check=True,
                         capture_output=True, text=True).stdout
    cut = src.index(f"\n{name} = register_metric(")
    mod = types.ModuleType(f"_base_{name}")
    exec(compile(src[:cut], f"{rev}:{FILES[name]}", "exec"), mod.__dict__)
    return mod


def _cpu(fn) -> tuple[float, float]:
    t = time.process_time()
    v = fn()
    return time.process_time() - t, v


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--base", default="79edf67", help="git revision of the code to compare with")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--metrics", default="qp,fmi")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)

    import numpy as np
    from tabulate import tabulate

    import metrics
    from bench.io import read_image
    from bench.runner.execute import tune_allocator
    from metrics.channels import to_luma

    tune_allocator()  # as the runner's workers
    lytro = Path(args.data_dir) / "lytro"
    a, _ = read_image(lytro / "lytro-01-A.jpg")
    b, _ = read_image(lytro / "lytro-01-B.jpg")
    f = (a + b) / 2
    la, lb, lf = to_luma(a, b, f)
    rows = []
    for name in args.metrics.split(","):
        base = getattr(load_base(name, args.base), ENTRY[name])

        def old(base=base):
            return base(la, lb, lf)

        def new(name=name):
            return metrics.compute(name, a, b, f)

        first_old, _ = _cpu(old)
        first_new, _ = _cpu(new)
        t_old, t_new, v_old, v_new = [], [], None, None
        for _ in range(args.repeat):  # interleaved
            t, v_old = _cpu(old)
            t_old.append(t)
            t, v_new = _cpu(new)
            t_new.append(t)
        mo, mn = float(np.median(t_old)), float(np.median(t_new))
        rows.append({
            "metric": name, f"base {args.base} ms": f"{mo * 1e3:.0f}", "now ms": f"{mn * 1e3:.0f}",
            "ratio": f"{mo / mn:.2f}", "rel. diff of the value": f"{abs(v_new - v_old) / abs(v_old):.1e}",
            "first call now ms": f"{first_new * 1e3:.0f}",
            "idle base s": f"{IDLE_BASE_S[name]:.2f}", "idle now s (estimated)": f"{IDLE_BASE_S[name] * mn / mo:.2f}",
        })
    load = os.getloadavg()[0]
    print(f"520² RGB lytro-01 (A, B, mean), default; median of {args.repeat} interleaved; CPU ms; "
          f"1 thread; {os.cpu_count()} CPUs, load average {load:.1f} at the end")
    print(tabulate(rows, headers="keys", disable_numparse=True, tablefmt="github"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
