"""``python -m bench validate --against vifb|mefb|mfifb-outputs|vifb-outputs --data-dir DIR``."""

from __future__ import annotations

from pathlib import Path

from bench.commands._common import print_json, print_table

NAME = "validate"
HELP = "check metrics/methods against published reference values"


def add_arguments(p):
    p.add_argument("--against", required=True, help="target: vifb, mefb, mfifb-outputs, vifb-outputs")
    p.add_argument("--data-dir", default=None, help="folder holding the datasets (default: $FUSEBENCH_DATA, else the user cache dir)")
    p.add_argument("--quick", action="store_true", help="a stratified subset (what the tests run)")
    p.add_argument("--methods", default=None,
                   help="mfifb-outputs, vifb-outputs: comma list of methods (default: all it knows)")
    p.add_argument("--all-pairs", action="store_true",
                   help="mfifb-outputs: also every MFIFB pair for the methods it has on all 105")
    p.add_argument("--crop", type=int, default=None,
                   help="mfifb-outputs: compare the central SxS window (0: whole pairs; "
                        "default: whole pairs except the slow asr, csr)")
    p.add_argument("--run", default=None,
                   help="vifb-outputs: reuse the fused images of this run directory (methods "
                        "run with the target's version and parameters, on the run's pairs)")
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    from bench.validate import get_target

    data_dir = Path(args.data_dir) if args.data_dir else _default_data_dir()
    target = get_target(args.against)
    extra = {}
    if getattr(args, "methods", None):
        extra["methods_"] = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    if getattr(args, "all_pairs", False):
        extra["all_pairs"] = True
    if getattr(args, "crop", None) is not None:
        extra["crop"] = args.crop
    if getattr(args, "run", None):
        extra["run_"] = args.run
    if extra:
        import inspect

        from bench.errors import FusebenchError

        known = inspect.signature(target).parameters
        bad = [k for k in extra if k not in known]
        if bad:
            opts = ", ".join("--" + k.strip("_").replace("_", "-") for k in bad)
            raise FusebenchError(f"validate: target {args.against!r} does not take {opts}")
    report = target(data_dir, quick=args.quick, progress=not args.json, **extra)
    if args.json:
        print_json({"title": report.title, "ok": report.ok, "rows": report.rows, "notes": report.notes})
    else:
        print(report.title)
        print_table(report.rows)
        for note in report.notes:
            print(note)
        print("PASS" if report.ok else "FAIL")
    return 0 if report.ok else 1


def _default_data_dir() -> Path:
    """The dataset data root: $FUSEBENCH_DATA, else the user cache (see bench.datasets.locate)."""
    from bench.datasets.locate import resolve_data_dir

    return resolve_data_dir(None)
