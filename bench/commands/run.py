"""``python -m bench run``: fuse and score methods × pairs of a dataset, then report.

    python -m bench run --methods classic --dataset synthetic
    python -m bench run --methods "dwt,g*" --dataset lytro --data-dir ../shared/datasets --jobs 2

Exit status 0 when every task succeeded, 1 when any failed (listed in the
summary and ``failures.csv``), 130 when interrupted (re-run to resume).
"""

from __future__ import annotations

import sys

from bench.commands._common import parse_method_params, split_list

NAME = "run"
HELP = "run methods × pairs of a dataset (cached, parallel), store scores, write the report"


def add_arguments(p):
    p.add_argument("--methods", default="classic",
                   help="names, wildcards, 'all', 'classic', 'deep', comma-separated (default: classic)")
    p.add_argument("--dataset", default="synthetic", help="dataset name, e.g. lytro, mfifb:lytro (default: synthetic)")
    p.add_argument("--metrics", default=None, help="comma list / wildcards (default: the paper's five)")
    p.add_argument("--convention", default="default", help="metric convention: default, vifb, mefb")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--backend", choices=["loky", "threading", "dask"], default="loky")
    p.add_argument("--scheduler", default=None, help="dask scheduler address (default: a LocalCluster)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda, for methods with a device parameter")
    p.add_argument("--out", default=None, help="run directory (default: runs/<dataset>-<timestamp>)")
    p.add_argument("--runs-root", default="runs", help="parent of default run directories (default: ./runs)")
    p.add_argument("--data-dir", default=None, help="folder holding the datasets")
    p.add_argument("--cache-dir", default=None, help="fused-image cache (default: $FUSEBENCH_CACHE or ~/.cache/fusebench)")
    p.add_argument("--plugin", action="append", default=[], help="load a single-file method plugin")
    p.add_argument("--param", action="append", default=[], help="METHOD:NAME=VALUE, e.g. gff:r1=30")
    p.add_argument("--timeout", type=float, default=1800.0, help="per-task seconds (0: none; default 1800)")
    p.add_argument("--resume", action="store_true",
                   help="continue in the newest run directory of this dataset (cached work is reused anyway)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-report", action="store_true", help="skip the report at the end")
    p.add_argument("--format", default="latex,md,csv,html", help="report formats (see 'report')")
    p.add_argument("--per-pair", action="store_true", help="report per-pair tables too")
    p.add_argument("--no-figures", action="store_true", help="report tables only")


def run(args) -> int:
    from bench.runner import run_benchmark

    summary = run_benchmark(
        args.dataset,
        methods=args.methods,
        metrics=split_list(args.metrics) or None,
        convention=args.convention,
        data_dir=args.data_dir,
        jobs=args.jobs,
        backend=args.backend,
        device=args.device,
        out=args.out,
        runs_root=args.runs_root,
        cache_dir=args.cache_dir,
        params=parse_method_params(args.param),
        plugins=args.plugin,
        timeout=args.timeout or None,
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.no_progress,
        report=not args.no_report,
        report_options={
            "formats": split_list(args.format),
            "per_pair": args.per_pair,
            "figures": not args.no_figures,
        },
        argv=sys.argv,
    )
    if not summary.interrupted and (summary.run_dir / "scores.csv").is_file():
        from bench.reports.build import console_table

        try:
            print(console_table(summary.run_dir))
        except Exception as exc:  # e.g. every task failed: no scores to tabulate
            print(f"(no table: {exc})")
    if not args.no_report:
        print(f"report: {summary.run_dir / 'report'} (regenerate: python -m bench report {summary.run_dir})")
    print(summary.line())
    for line in summary.failure_lines():
        print(line)
    return 0 if summary.ok else 1
