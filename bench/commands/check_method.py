"""``python -m bench check-method FILE|NAME``: run the method contract without pytest.

    python -m bench check-method my_method.py        # a single-file plugin
    python -m bench check-method gff                 # a registered method

Runs every check of :data:`methods.testing.CHECKS` (the ones the scaffolded
test and the project's own contract test use) on the scikit-image example
pair, prints one line per check and exits 1 if any fails; needs only the
package's ordinary dependencies (no ``[test]`` extra).
"""

from __future__ import annotations

NAME = "check-method"
HELP = "run the method contract checks on a plugin file or a registered method (no pytest needed)"


def add_arguments(p):
    p.add_argument("target", help="a plugin .py file, or the name of a registered method")


def run(args) -> int:
    import time
    from pathlib import Path

    from bench.errors import FusebenchError
    from methods.testing import CHECKS, example_pair

    if args.target.endswith(".py") or Path(args.target).is_file():
        from methods.plugins import load_plugin_file

        names = load_plugin_file(args.target)
        if not names:
            raise FusebenchError(f"plugin file {args.target}: registers no method "
                                 "(decorate the class with @register_method)")
    else:
        import methods

        methods.get_method(args.target)  # a RegistryError naming the known methods otherwise
        names = [args.target]
    a, b = example_pair()
    failed = 0
    for name in names:
        for check_name, check in CHECKS.items():
            t0 = time.perf_counter()
            try:
                check(name, a, b)
            except AssertionError as exc:
                failed += 1
                print(f"FAIL {name}: {check_name}: {exc}")
            except Exception as exc:  # a crash inside the method is a failed check, not ours
                failed += 1
                print(f"FAIL {name}: {check_name}: {type(exc).__name__}: {exc}")
            else:
                print(f"ok   {name}: {check_name} ({time.perf_counter() - t0:.1f} s)")
    total = len(names) * len(CHECKS)
    print(f"{total - failed}/{total} checks passed" + ("" if failed else f" for {', '.join(names)}"))
    return 1 if failed else 0
