"""Command-line entry point: ``python -m bench`` / ``fusebench``.

Each subcommand is a small module in :mod:`bench.commands` defining
``NAME``, ``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``;
modules are discovered automatically, so a new subcommand is one new file.
The commands are thin: they parse arguments and call library functions.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

import bench
from bench.errors import FusebenchError
from bench.registry import import_submodules


def _command_modules():
    return [m for m in import_submodules("bench.commands") if hasattr(m, "NAME") and hasattr(m, "run")]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fusebench",
        description="Benchmark image-fusion methods with validated quality metrics.",
    )
    parser.add_argument("--version", action="version", version=f"fusebench {bench.__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging and tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in _command_modules():
        p = sub.add_parser(mod.NAME, help=mod.HELP, description=getattr(mod, "DESCRIPTION", mod.HELP))
        if hasattr(mod, "add_arguments"):
            mod.add_arguments(p)
        p.set_defaults(_run=mod.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        rc = int(args._run(args) or 0)
        sys.stdout.flush()  # a closed pipe shows up here, not at interpreter exit
        return rc
    except FusebenchError as exc:
        if args.verbose:
            raise
        print(f"error: {one_line(exc)}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # `fusebench ... | head`: the reader went away. Exit quietly, as `cat` would (128 + SIGPIPE),
        # pointing stdout at devnull so Python's final flush does not complain either.
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except (OSError, ValueError):
            pass
        return 141
    except OSError as exc:  # the environment: permission denied, disk full, a path that is a folder
        if args.verbose:
            raise
        where = "".join(f"{f}: " for f in (exc.filename, exc.filename2) if f)
        print(f"error: {where}{exc.strerror or one_line(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def one_line(exc: BaseException) -> str:
    r"""The error message on one line (newlines in a message become "; ").

    >>> one_line(ValueError("bad file\n  line 2\n"))
    'bad file; line 2'
    """
    return "; ".join(part.strip() for part in str(exc).splitlines() if part.strip())
