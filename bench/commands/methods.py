"""``python -m bench methods``: list the registered fusion methods.

    python -m bench methods --task ir-vis          # methods declared for infrared/visible
    python -m bench methods --group mfifb          # the methods MFIFB ships
"""

from __future__ import annotations

from bench.commands._common import print_json, print_table

NAME = "methods"
HELP = "list fusion methods (kind, tasks, groups, version, citation)"


def add_arguments(p):
    from methods.base import GROUPS

    p.add_argument("pattern", nargs="?", default="*", help="wildcard filter, e.g. 'g*'")
    p.add_argument("--kind", choices=["classic", "deep"], default=None)
    p.add_argument("--task", default=None,
                   help="only methods declared for this task: multi-focus, ir-visible (or ir-vis), "
                        "medical")
    p.add_argument("--group", choices=list(GROUPS), default=None, help="only this named group")
    p.add_argument("--plugin", action="append", default=[], help="load a single-file plugin first")
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    import methods
    from bench.datasets.base import canonical_task
    from methods.plugins import load_plugin_file

    for path in args.plugin:
        load_plugin_file(path)
    task = canonical_task(args.task) if args.task else None
    names = methods.list_methods(args.pattern, kind=args.kind, task=task, group=args.group)
    infos = [methods.METHODS.get(n).info() for n in names]
    if args.json:
        print_json(infos)
        return 0
    rows = [
        {
            "name": i["name"] + (f" (alias {', '.join(i['aliases'])})" if i["aliases"] else ""),
            "kind": i["kind"],
            "version": i["version"],
            "tasks": ",".join(i["modalities"]),
            "groups": ",".join(g for g in i["groups"] if g != i["kind"]),
            "colour": i["colour"],
            "citation": i["citation"] + (f" [{i['validation_note']}]" if i.get("validation_note") else ""),
        }
        for i in infos
    ]
    print_table(rows)
    return 0
