"""``python -m bench baseline save RUN_DIR --name NAME``: commit a run's scores as a baseline."""

from __future__ import annotations

NAME = "baseline"
HELP = "save a run's scores as a committed baseline (reports/baselines/NAME.csv)"


def add_arguments(p):
    sub = p.add_subparsers(dest="action", metavar="ACTION")
    save = sub.add_parser("save", help="write reports/baselines/NAME.csv + NAME.json from a run directory")
    save.add_argument("run_dir")
    save.add_argument("--name", required=True)
    save.add_argument("--out-dir", default=None, help="default: reports/baselines of the checkout")


def run(args) -> int:
    from bench.regression import save_baseline

    if args.action != "save":
        print("usage: python -m bench baseline save RUN_DIR --name NAME")
        return 2
    path = save_baseline(args.run_dir, args.name, args.out_dir)
    print(f"wrote {path} and {path.with_suffix('.json')}")
    return 0
