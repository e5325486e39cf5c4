"""``python -m bench metrics``: list the registered metrics."""

from __future__ import annotations

from bench.commands._common import print_json, print_table

NAME = "metrics"
HELP = "list quality metrics (name, direction, conventions, citation)"


def add_arguments(p):
    p.add_argument("pattern", nargs="?", default="*", help="wildcard filter, e.g. 'q*'")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def run(args) -> int:
    import metrics

    rows = []
    for name in metrics.list_metrics(args.pattern):
        m = metrics.get_metric(name)
        rows.append(
            {
                "name": m.name,
                "direction": f"{m.arrow} {m.direction}",
                "conventions": ",".join(m.conventions),
                "needs": "reference" if m.needs_reference else ("decision map" if m.needs_decision_map else ""),
                "citation": m.citation,
            }
        )
    if args.json:
        print_json(rows)
    else:
        print_table(rows)
    return 0
