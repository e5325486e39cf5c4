"""``python -m bench new-method NAME [--deep] [--package DIR | --in-tree | --out DIR]``."""

from __future__ import annotations

NAME = "new-method"
HELP = "scaffold a fusion-method plugin and its contract test"


def add_arguments(p):
    p.add_argument("name", help="method name, lower-case with '-' (e.g. my-method)")
    p.add_argument("--deep", action="store_true", help="a torch-based template (kind='deep')")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--out", default=".", help="folder for the single-file plugin and its test")
    where.add_argument("--package", default=None, help="create an installable package in this folder")
    where.add_argument("--in-tree", action="store_true", help="write into methods/ of this checkout")
    p.add_argument("--force", action="store_true", help="overwrite existing files")


def run(args) -> int:
    from bench.scaffold import scaffold

    paths = scaffold(args.name, deep=args.deep, out_dir=args.out, package=args.package,
                     in_tree=args.in_tree, force=args.force)
    for path in paths:
        print(f"wrote {path}")
    if args.package:
        print(f"next: pip install -e {args.package} && python -m bench methods {args.name}")
    elif not args.in_tree:
        print(f"next: python -m bench check-method {paths[0]} (or, with the [test] extra: python -m "
              f"pytest {paths[1]}) && python -m bench run --plugin {paths[0]} --methods {args.name}")
    return 0
