"""``python -m bench metrics``: list the registered metrics, sorted by family."""

from __future__ import annotations

from bench.commands._common import print_json, print_table

NAME = "metrics"
HELP = "list quality metrics by family (what each measures, direction, conventions, module, citation)"


def add_arguments(p):
    p.add_argument("pattern", nargs="?", default="*", help="wildcard filter, e.g. 'q*'")
    p.add_argument("--json", action="store_true", help="machine-readable output (every field)")


def _needs(m) -> str:
    return "reference" if m.needs_reference else ("decision map" if m.needs_decision_map else "")


def run(args) -> int:
    import metrics

    found = [metrics.get_metric(n) for n in metrics.list_metrics(args.pattern)]
    found.sort(key=lambda m: (m.family, m.name))
    if args.json:
        print_json(
            [
                {
                    "name": m.name,
                    "family": m.family,
                    "description": m.description,
                    "direction": m.direction,
                    "conventions": list(m.conventions),
                    "version": m.version,
                    "module": m.module,
                    "needs": _needs(m),
                    "citation": m.citation,
                }
                for m in found
            ]
        )
        return 0
    rows = [
        {
            "family": m.family,
            "name": m.name,
            "measures": m.description + (f" [needs {_needs(m)}]" if _needs(m) else ""),
            "": m.arrow,
            "conventions": ",".join(m.conventions),
            "v": m.version,
            "module": m.module,
            "citation": m.citation,
        }
        for m in found
    ]
    print_table(rows)
    return 0
