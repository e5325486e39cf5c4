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
    p.add_argument("--json", action="store_true", help="print {metric: value} as JSON")


def run(args) -> int:
    import metrics
    from bench.errors import ParameterError
    from bench.io import check_same_size, read_image

    a, _ = read_image(args.a)
    b, _ = read_image(args.b)
    f, _ = read_image(args.fused)
    check_same_size(**{args.a: a, args.b: b, args.fused: f})
    ref = read_image(args.reference)[0] if args.reference else None
    names = metrics.METRICS.names(split_list(args.metrics) or list(metrics.PAPER_FIVE), strict=True)
    values = {}
    skipped: list[str] = []
    for name in names:
        m = metrics.get_metric(name)
        if m.needs_decision_map or (m.needs_reference and ref is None):
            if args.metrics:
                raise ParameterError(f"metric {name!r} needs inputs 'score' does not have")
            continue
        if args.convention not in m.conventions:
            if args.metrics:  # asked for by name: say so
                raise ParameterError(
                    f"metric {name!r} has no convention {args.convention!r} ({', '.join(m.conventions)})"
                )
            skipped.append(name)
            continue
        values[name] = metrics.compute(name, a, b, f, convention=args.convention, reference=ref)
    if args.json:
        print_json(values)
    else:
        print_table([{"metric": k, "value": f"{v:.6g}"} for k, v in values.items()])
        if skipped:
            print(f"(no {args.convention!r} convention, not scored: {', '.join(skipped)})")
    return 0
