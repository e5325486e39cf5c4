"""``python -m bench run``: fuse and score methods × pairs of a dataset, then report.

    python -m bench run --methods classic --dataset synthetic
    python -m bench run --methods "dwt,g*" --dataset lytro --data-dir ../shared/datasets --jobs 2

Exit status 0 when every task succeeded, 1 when any failed (listed in the
summary and ``failures.csv``), 130 when interrupted (re-run with ``--resume``).
The run (:func:`bench.runner.run_benchmark`) and the report
(:func:`bench.reports.build_report`) are chained here; neither imports the other.
"""

from __future__ import annotations

import sys

from bench.commands._common import parse_method_params, split_list

NAME = "run"
HELP = "run methods × pairs of a dataset (cached, parallel), store scores, write the report"


def add_arguments(p):
    p.add_argument("--methods", default="classic",
                   help="names, wildcards or groups, comma-separated: 'all' (the methods declared "
                        "for the dataset's task), 'all!' (every method), 'classic', 'deep', "
                        "'vifb-classic', 'mfifb', 'paper'; a group keeps the methods declared for "
                        "the dataset's task, a name runs anyway (default: classic)")
    p.add_argument("--dataset", default="synthetic", help="dataset name, e.g. lytro, mfifb:lytro (default: synthetic)")
    p.add_argument("--count", type=int, default=None, help="only the dataset's first N pairs")
    p.add_argument("--metrics", default=None,
                   help="comma list / wildcards / sets 'paper', 'vifb', 'medical' (default: the "
                        "dataset's task default: multi-focus the paper's five, ir-visible VIFB's 13, "
                        "medical the medical set)")
    p.add_argument("--convention", default="default", help="metric convention: default, vifb, mefb")
    p.add_argument("--score-as", default="stored", choices=["stored", "jpeg75"],
                   help="the image the metrics see: stored (default: the fused image as stored, "
                        "PNG) or jpeg75 (saved as MATLAB imwrite saves a JPEG, quality 75: how "
                        "VIFB saved the outputs its published table was computed on)")
    p.add_argument("--jobs", "-j", type=int, default=None, help="parallel workers (default: CPU count)")
    p.add_argument("--backend", choices=["process", "loky", "threading", "dask"], default="process",
                   help="process (default: supervised worker processes; 'loky' is an alias), "
                        "threading or dask (these two cannot stop a method: no --timeout)")
    p.add_argument("--isolate", choices=["on", "off"], default="on",
                   help="on (default): plugin code runs in worker processes, so a crash or hang "
                        "fails only its task; off: in this process, for debugging (a crash ends the "
                        "run, the timeout is a SIGALRM a plugin can catch, --jobs must be 1)")
    p.add_argument("--scheduler", default=None, help="dask scheduler address (default: a LocalCluster)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda, for methods with a device parameter")
    p.add_argument("--out", default=None, help="run directory (default: runs/<dataset>-<timestamp>)")
    p.add_argument("--runs-root", default="runs", help="parent of default run directories (default: ./runs)")
    p.add_argument("--data-dir", default=None, help="folder holding the datasets")
    p.add_argument("--cache-dir", default=None, help="fused-image cache (default: $FUSEBENCH_CACHE or ~/.cache/fusebench)")
    p.add_argument("--plugin", action="append", default=[], help="load a single-file method plugin")
    p.add_argument("--param", action="append", default=[], help="METHOD:NAME=VALUE, e.g. gff:r1=30")
    p.add_argument("--timeout", type=float, default=None,
                   help="per-task seconds; the worker of a task past it is killed (0: none; default "
                        "1800 for --backend process, none for threading/dask)")
    p.add_argument("--resume", action="store_true",
                   help="continue --out (or the newest run directory of this dataset), adding rows; "
                        "without it an existing run directory is refused")
    p.add_argument("--keep-images", default=None, metavar="all|none|N|PAIR,...",
                   help="pairs whose fused images and decision maps are copied into the run "
                        "directory: all, none, the first N pairs or pair ids (default: the first "
                        "3; the sources of every pair are always copied, every image is listed "
                        "with its sha256 in images.csv and reports draw the others from the "
                        "cache; 'all' on Lytro with every method is ~300 MB)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--no-report", action="store_true", help="skip the report at the end")
    p.add_argument("--format", default="latex,md,csv,html", help="report formats (see 'report')")
    p.add_argument("--per-pair", action="store_true", help="report per-pair tables too")
    p.add_argument("--no-figures", action="store_true", help="report tables only")


def _timeout(args) -> float | None:
    if args.timeout is None:
        return 1800.0 if args.backend in ("process", "loky") else None
    return args.timeout or None  # 0: no limit; negative: refused by the runner


def run(args) -> int:
    from bench.runner import run_benchmark

    summary = run_benchmark(
        args.dataset,
        methods=args.methods,
        metrics=None if args.metrics is None else split_list(args.metrics),
        convention=args.convention,
        data_dir=args.data_dir,
        jobs=args.jobs,
        backend=args.backend,
        isolate=args.isolate == "on",
        device=args.device,
        out=args.out,
        runs_root=args.runs_root,
        cache_dir=args.cache_dir,
        params=parse_method_params(args.param),
        plugins=args.plugin,
        timeout=_timeout(args),
        scheduler=args.scheduler,
        resume=args.resume,
        progress=not args.no_progress,
        argv=sys.argv,
        count=args.count,
        keep_images=args.keep_images,
        score_as=args.score_as,
    )
    if not args.no_report:
        _report(summary, args)
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


def _report(summary, args) -> None:
    import logging
    import os

    from bench.reports import build_report

    try:  # figures are drawn by as many processes as the run had workers
        build_report(summary.run_dir, formats=split_list(args.format), per_pair=args.per_pair,
                     figures=not args.no_figures, jobs=max(1, args.jobs or os.cpu_count() or 1))
    except Exception as exc:  # the results are safe; a report problem must not hide them
        logging.getLogger(__name__).error("report generation failed: %s: %s", type(exc).__name__, exc)
