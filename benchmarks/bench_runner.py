"""Runner speed: a cold run (empty cache), its report, then the same run again (all cached).

    python benchmarks/bench_runner.py --dataset lytro --data-dir ../shared/datasets \\
        --methods all --jobs 2

Prints, for the cold run, the compute time (fusing and scoring: ``bench run``
without its report), the report time (``build_report``: every table and figure,
figures drawn by ``--jobs`` processes), their ratio (issue 17's target: the
report at most 25 % of the compute) and the size of the run folder (target
< 100 MB on Lytro); then the cached run's wall time and its ratio to the cold
one (issue's target < 10 %). ``--pairs N`` keeps the first N pairs, for a quick
measurement on a loaded machine. ``--exclude asr,csr,nsct-sr`` drops methods from the
selection (``--methods all`` minus the ones too slow for the machine at hand: leaving a
method out removes its compute, minutes per pair for these three, but only the same
report cost per task as any other method, so the ratio measured without them is an
upper bound of the full run's). Uses temporary cache and run directories (nothing is
written into the source tree) unless ``--workdir DIR`` keeps them (``DIR/run1``,
``DIR/cache``: e.g. for benchmarks/make_baselines.sh ``--cache-dir``).

    nice -n 10 python benchmarks/bench_runner.py --dataset lytro --data-dir ../shared/datasets \\
        --methods all --exclude asr,csr,nsct-sr --jobs 2 --workdir /tmp/cold
"""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import time
from pathlib import Path


def folder_mb(path: Path) -> float:
    """Total size of the files under ``path`` in MB (10^6 bytes)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def main() -> None:
    from bench.datasets import Dataset, load_dataset
    from bench.reports import build_report
    from bench.runner import run_benchmark

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dataset", default="synthetic")
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--methods", default="classic")
    ap.add_argument("--metrics", default=None)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--backend", default="process")
    ap.add_argument("--pairs", type=int, default=0, help="first N pairs only (0: all)")
    ap.add_argument("--exclude", default="", help="comma list of methods left out of --methods")
    ap.add_argument("--workdir", default=None,
                    help="keep the run and cache directories here (default: a temporary folder)")
    ap.add_argument("--no-cached-run", action="store_true", help="skip the second (cached) run")
    args = ap.parse_args()
    dataset = load_dataset(args.dataset, data_dir=args.data_dir)
    if args.pairs:
        dataset = Dataset(dataset.name, dataset.pairs[: args.pairs], modality=dataset.modality)
    methods = args.methods
    if args.exclude:
        from bench.runner.tasks import resolve_methods

        drop = set(resolve_methods(args.exclude).names)
        methods = [m for m in resolve_methods(args.methods, dataset.modalities).names if m not in drop]
        print(f"{len(methods)} methods ({', '.join(sorted(drop))} left out): {', '.join(methods)}")
    if args.workdir:
        Path(args.workdir).mkdir(parents=True, exist_ok=True)
        where = contextlib.nullcontext(str(Path(args.workdir).resolve()))
    else:
        where = tempfile.TemporaryDirectory()
    with where as tmp:
        t0 = time.perf_counter()
        s = run_benchmark(dataset, methods=methods, metrics=args.metrics, jobs=args.jobs,
                          backend=args.backend, out=Path(tmp) / "run1", cache_dir=Path(tmp) / "cache",
                          progress=False)
        compute = time.perf_counter() - t0
        t1 = time.perf_counter()
        build_report(s.run_dir, jobs=args.jobs)
        report = time.perf_counter() - t1
        print(f"cold run: {s.line()}")
        print(f"compute {compute:.1f} s, report {report:.1f} s, report/compute {report / compute:.1%} "
              f"(target <= 25 %); run folder {folder_mb(s.run_dir):.1f} MB (report "
              f"{folder_mb(s.run_dir / 'report'):.1f} MB, images {folder_mb(s.run_dir / 'images'):.1f} MB); "
              f"{len(dataset)} pairs, {os.cpu_count()} CPUs, --jobs {args.jobs}")
        if not args.no_cached_run:
            t2 = time.perf_counter()
            s2 = run_benchmark(dataset, methods=methods, metrics=args.metrics, jobs=args.jobs,
                               backend=args.backend, out=Path(tmp) / "run2",
                               cache_dir=Path(tmp) / "cache", progress=False)
            build_report(s2.run_dir, jobs=args.jobs)
            cached = time.perf_counter() - t2
            print(f"cached run + report {cached:.1f} s, {cached / (compute + report):.1%} of the cold one")


if __name__ == "__main__":
    main()
