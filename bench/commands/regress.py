"""``python -m bench regress RUN_DIR --baseline FILE``: flag score regressions.

Exit status 1 on any regression (with ``--strict``, also on scores that
vanished: a method that stopped loading, a pair or metric that stopped
being computed), 0 otherwise.

    python -m bench regress runs/lytro-... --baseline reports/baselines/lytro.csv --per-metric qabf=0.005
"""

from __future__ import annotations

from pathlib import Path

NAME = "regress"
HELP = "compare a run's scores with a baseline; exit 1 on regressions"


def add_arguments(p):
    p.add_argument("run_dir")
    p.add_argument("--baseline", required=True, help="reports/baselines/NAME.csv")
    p.add_argument("--atol", type=float, default=1e-6, help="absolute tolerance (default 1e-6)")
    p.add_argument("--rtol", type=float, default=0.0, help="relative tolerance (default 0)")
    p.add_argument("--per-metric", default="", help="per-metric absolute tolerance, e.g. qabf=0.005,qmi=0.01")
    p.add_argument("--report", default=None, help="write regression.md and regression.json into this folder")
    p.add_argument("--limit", type=int, default=50, help="rows shown (worst first)")
    p.add_argument("--strict", action="store_true",
                   help="also exit 1 when baseline scores vanished (method, pair or metric missing)")


def run(args) -> int:
    import json

    from bench.commands._common import split_list
    from bench.errors import ParameterError
    from bench.regression import compare, load_baseline
    from bench.regression.baseline import read_scores

    per_metric = {}
    for item in split_list(args.per_metric):
        key, _, value = item.partition("=")
        try:
            per_metric[key.strip()] = float(value)
        except ValueError:
            raise ParameterError(f"--per-metric {item!r}: expected METRIC=TOLERANCE") from None
    result = compare(read_scores(args.run_dir), load_baseline(args.baseline),
                     atol=args.atol, rtol=args.rtol, per_metric=per_metric)
    md = result.to_markdown(limit=args.limit)
    print(md)
    out = Path(args.report) if args.report else Path(args.run_dir)
    if out.is_dir() or args.report:
        out.mkdir(parents=True, exist_ok=True)
        (out / "regression.md").write_text(md)
        (out / "regression.json").write_text(json.dumps(result.to_json(), indent=2, default=str) + "\n")
    if result.has_regressions:
        return 1
    if args.strict and len(result.vanished):
        print(f"--strict: {len(result.vanished)} baseline scores vanished")
        return 1
    return 0
