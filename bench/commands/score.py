"""``python -m bench score A B F``: metric values of one fused image."""

from __future__ import annotations

from bench.commands._common import print_json, print_table, split_list

NAME = "score"
HELP = "score one fused image F against its sources A and B"


def add_arguments(p):
    p.add_argument("a", help="source image A")
    p.add_argument("b", help="source image B")
    p.add_argument("fused", help="fused image F")
    p.add_argument("--metrics", default=None, help="comma list / wildcards (default: the paper's five)")
    p.add_argument("--convention", default="default", help="metric convention, e.g. default, vifb, mefb")
    p.add_argument("--reference", default=None, help="ground-truth image, for full-reference metrics")
    p.add_argument("--json", action="store_true", help="print {convention, scores: {metric: value}} as JSON")


def run(args) -> int:
    import metrics
    from bench.errors import ParameterError
    from bench.io import check_same_size, read_image

    convention = metrics.check_convention(args.convention)
    names = metrics.METRICS.names(split_list(args.metrics) or list(metrics.PAPER_FIVE), strict=True)
    a, _ = read_image(args.a)
    b, _ = read_image(args.b)
    f, _ = read_image(args.fused)
    check_same_size(**{args.a: a, args.b: b, args.fused: f})
    ref = read_image(args.reference)[0] if args.reference else None
    values: dict[str, float] = {}
    skipped: list[str] = []
    for name in names:
        m = metrics.get_metric(name)
        if not m.applies(convention, has_reference=ref is not None):
            if args.metrics:  # asked for by name: say why not
                if convention not in m.conventions:
                    why = f"has no convention {convention!r} (available: {', '.join(m.conventions)})"
                else:
                    why = "needs a ground-truth --reference" if m.needs_reference else (
                        "needs a decision map, which 'score' does not have")
                raise ParameterError(f"metric {name!r} {why}")
            skipped.append(name)
            continue
        values[name] = metrics.compute(name, a, b, f, convention=convention, reference=ref)
    if not values:
        raise ParameterError(f"no metric applies with convention {convention!r} ({', '.join(skipped)})")
    if args.json:
        print_json({"convention": convention, "scores": values})
        return 0
    rows = []
    for name, v in values.items():
        m = metrics.get_metric(name)
        rows.append({"metric": name, "": m.arrow, "value": f"{v:.6g}"})
    print(f"convention: {convention}")
    print_table(rows)
    if skipped:
        print(f"(not applicable with {convention!r}, not scored: {', '.join(skipped)})")
    return 0
