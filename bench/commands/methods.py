"""``python -m bench methods``: list the registered fusion methods."""

from __future__ import annotations

from bench.commands._common import print_json, print_table

NAME = "methods"
HELP = "list fusion methods (kind, modalities, version, citation)"


def add_arguments(p):
    p.add_argument("pattern", nargs="?", default="*", help="wildcard filter, e.g. 'g*'")
    p.add_argument("--kind", choices=["classic", "deep"], default=None)
    p.add_argument("--plugin", action="append", default=[], help="load a single-file plugin first")
    p.add_argument("--json", action="store_true")


def run(args) -> int:
    import methods
    from methods.plugins import load_plugin_file

    for path in args.plugin:
        load_plugin_file(path)
    infos = [methods.METHODS.get(n).info() for n in methods.list_methods(args.pattern, kind=args.kind)]
    if args.json:
        print_json(infos)
        return 0
    rows = [
        {
            "name": i["name"] + (f" (alias {', '.join(i['aliases'])})" if i["aliases"] else ""),
            "kind": i["kind"],
            "version": i["version"],
            "modalities": ",".join(i["modalities"]),
            "colour": i["colour"],
            "citation": i["citation"] + (f" [{i['validation_note']}]" if i.get("validation_note") else ""),
        }
        for i in infos
    ]
    print_table(rows)
    return 0
