"""``python -m bench fuse A B --method gff -o out.png``: fuse one pair."""

from __future__ import annotations

from bench.commands._common import parse_method_params

NAME = "fuse"
HELP = "fuse one pair of images with one method"


def add_arguments(p):
    p.add_argument("a", help="source image A")
    p.add_argument("b", help="source image B")
    p.add_argument("--method", "-m", required=True, help="method name (see 'methods')")
    p.add_argument("-o", "--output", required=True, help="output image path (.png keeps 16 bit)")
    p.add_argument("--param", action="append", default=[], help="METHOD:NAME=VALUE or NAME=VALUE")
    p.add_argument("--decision-map", default=None, help="also write the decision map (if any) here")
    p.add_argument("--plugin", action="append", default=[], help="load a single-file plugin first")


def run(args) -> int:
    import methods
    from bench.io import check_same_size, read_image, write_image
    from methods.plugins import load_plugin_file

    for path in args.plugin:
        load_plugin_file(path)
    method = methods.get_method(args.method)
    raw = [x if ":" in x.split("=", 1)[0] else f"{method.name}:{x}" for x in args.param]
    overrides = parse_method_params(raw).get(method.name, {})
    a, ia = read_image(args.a)
    b, ib = read_image(args.b)
    check_same_size(**{args.a: a, args.b: b})
    result = method.fuse(a, b, **overrides)
    depth = 16 if 16 in (ia.bit_depth, ib.bit_depth) else 8
    write_image(args.output, result.image, bit_depth=depth)
    print(f"wrote {args.output}")
    if args.decision_map:
        if result.decision_map is None:
            print(f"method {method.name!r} exposes no decision map")
        else:
            write_image(args.decision_map, result.decision_map * 255.0)
            print(f"wrote {args.decision_map}")
    return 0
