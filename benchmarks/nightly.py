"""Nightly regression: run the baselined datasets, compare with the committed baselines.

The single definition of the baselined runs (datasets, methods, metrics), used
both by ``tox -e nightly`` (compare) and by ``benchmarks/make_baselines.sh``
(``--save-baselines``: regenerate ``reports/baselines/NAME.{csv,json}``), so
the two can never drift apart.

    python benchmarks/nightly.py --out /tmp/nightly --data-dir ../shared/datasets
    python benchmarks/nightly.py --save-baselines --data-dir ../shared/datasets
    python benchmarks/nightly.py --only synthetic --out /tmp/nightly
    python benchmarks/nightly.py --save-baselines --only lytro --cache-dir /tmp/cold/cache

Each dataset runs with a fresh cache (``OUT/cache-NAME``, deleted first): the
cache is keyed on method version, so a method whose output changed without a
version bump would otherwise be served from a stale cache and go unnoticed.
Per dataset, ``OUT/NAME/`` holds the run directory (scores, timings,
failures, run.json, a Markdown/CSV report) and ``regression.md`` /
``regression.json``. Exit status 1 if any run has failed tasks or any
``bench regress`` finds a regression or a vanished baseline score.

``--save-baselines --cache-dir DIR`` regenerates baselines from an existing cache
(kept, not deleted) instead of a fresh one: only for a cache just filled by the same
code, e.g. ``OUT/cache-NAME`` of a nightly run of this commit or the ``--workdir`` cache
of ``benchmarks/bench_runner.py``; what it lacks is computed.

Tolerances: classic methods are bit-for-bit deterministic and deep ones agree
to ~1e-7 on CPU (tests/bench/regression/test_determinism.py); ATOL/RTOL
below leave room for a different CPU or BLAS build on the CI runner, far
below any real change (a 1-pixel blur moves qabf by > 0.1).

Threads: every run here uses one BLAS/OpenMP/torch thread per worker
(:data:`THREAD_VARS` set to 1, whatever the caller's environment). The deep
methods' float sums depend on the thread count, and after 8-bit rounding a
different count flips single pixels by 1 (ifcnn-mean on synthetic-000: 1
pixel with 2 threads vs 1), which moves a score by up to ~2e-4, beyond
ATOL/RTOL; pinning the count makes the baselines reproducible on any runner.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE_DIR = REPO / "reports" / "baselines"

PAPER_METRICS = "qabf,qag,qlabf,qmi,qsf"
#: Methods left out of the nightly: minutes per pair each (sparse coding of every patch of a
#: full-size band, or ADMM), which would make the nightly hours long. Their agreement with the
#: authors' outputs is checked by `bench validate --against mfifb-outputs` and benchmarks/agreement_*.py.
SLOW = ("nsct-sr", "dtcwt-sr", "asr", "csr", "dsift", "dwtde")


def nightly_methods() -> str:
    """Every multi-focus method (the baselines' datasets are multi-focus) but the SLOW ones,
    as a `--methods` list."""
    sys.path.insert(0, str(REPO))
    import methods

    return ",".join(n for n in methods.list_methods("*", task="multi-focus") if n not in SLOW)


# name -> arguments of `bench run` (besides --out, --cache-dir, --data-dir, --jobs)
BASELINES: dict[str, list[str]] = {
    # embedded data (scikit-image photos): also scores against the ground truth and the true mask
    "synthetic": ["--dataset", "synthetic", "--methods", "NIGHTLY",
                  "--metrics", PAPER_METRICS + ",ssim-gt,psnr-gt,map-accuracy,map-iou"],
    "lytro": ["--dataset", "lytro", "--methods", "NIGHTLY", "--metrics", PAPER_METRICS],
}
ATOL = 1e-6
RTOL = 1e-6
#: set to "1" for the runs (module docstring, "Threads")
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def bench(*args: str) -> int:
    cmd = [sys.executable, "-m", "bench", *map(str, args)]
    print("$ " + " ".join(cmd[1:]), flush=True)
    return subprocess.call(cmd, cwd=REPO)


def run_dataset(name: str, out: Path, data_dir: str | None, jobs: int | None, report: bool,
                cache_dir: str | None = None) -> int:
    run_dir = out / name
    cache = Path(cache_dir).resolve() if cache_dir else out / f"cache-{name}"
    for stale in (run_dir,) if cache_dir else (run_dir, cache):
        shutil.rmtree(stale, ignore_errors=True)
    spec = [nightly_methods() if a == "NIGHTLY" else a for a in BASELINES[name]]
    args = ["run", *spec, "--out", run_dir, "--cache-dir", cache, "--device", "cpu", "--no-progress"]
    if data_dir:
        args += ["--data-dir", data_dir]
    if jobs:
        args += ["--jobs", str(jobs)]
    args += ["--format", "md,csv", "--no-figures"] if report else ["--no-report"]
    return bench(*args)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default=str(REPO / "runs" / "nightly"), help="parent of the run directories")
    p.add_argument("--data-dir", default=None, help="folder holding lytro/ (default: the runner's lookup)")
    p.add_argument("--jobs", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--only", default=",".join(BASELINES), help="comma list of baselines to run")
    p.add_argument("--save-baselines", action="store_true",
                   help="regenerate the baselines from fresh runs instead of comparing")
    p.add_argument("--baseline-dir", default=str(BASELINE_DIR), help="where baselines live")
    p.add_argument("--cache-dir", default=None,
                   help="with --save-baselines: reuse this cache (made by the same code) instead "
                        "of a fresh one per dataset")
    args = p.parse_args(argv)
    if args.cache_dir and not args.save_baselines:
        p.error("--cache-dir only with --save-baselines: the nightly compares fresh runs")
    for var in THREAD_VARS:  # reproducible float sums in the deep methods (docstring)
        os.environ[var] = "1"
    if args.data_dir and not os.environ.get("FUSEBENCH_WEIGHTS"):
        # the deep methods' published weights (bench.weights) sit beside the datasets
        os.environ["FUSEBENCH_WEIGHTS"] = str(Path(args.data_dir).resolve().parent / "weights")

    names = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = sorted(set(names) - set(BASELINES))
    if unknown:
        p.error(f"unknown baseline(s) {unknown}; known: {sorted(BASELINES)}")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    status: dict[str, str] = {}
    t0 = time.perf_counter()
    for name in names:
        t = time.perf_counter()
        baseline = Path(args.baseline_dir) / f"{name}.csv"
        if not args.save_baselines and not baseline.is_file():
            status[name] = f"FAILED: no baseline {baseline} (make it with benchmarks/make_baselines.sh)"
            continue
        if run_dataset(name, out, args.data_dir, args.jobs, report=not args.save_baselines,
                       cache_dir=args.cache_dir) != 0:
            status[name] = f"FAILED: bench run had failures (see {out / name / 'failures.csv'})"
            continue
        if args.save_baselines:
            rc = bench("baseline", "save", out / name, "--name", name, "--out-dir", args.baseline_dir)
            status[name] = "saved" if rc == 0 else f"FAILED: baseline save exited {rc}"
        else:
            rc = bench("regress", out / name, "--baseline", baseline, "--atol", str(ATOL),
                       "--rtol", str(RTOL), "--strict", "--report", out / name)
            status[name] = {0: "ok", 1: "REGRESSION"}.get(rc, f"FAILED: regress exited {rc}")
            status[name] += f" (report: {out / name / 'regression.md'})"
        status[name] += f" [{time.perf_counter() - t:.0f} s]"
    print(f"\nnightly: {len(names)} dataset(s) in {time.perf_counter() - t0:.0f} s")
    for name, line in status.items():
        print(f"  {name}: {line}")
    return 0 if all(s.startswith(("ok", "saved")) for s in status.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
