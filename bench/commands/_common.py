"""Small helpers shared by subcommands (argument parsing, table printing)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from tabulate import tabulate


def split_list(value: str | None) -> list[str]:
    """``"a, b,c"`` -> ``["a", "b", "c"]``; None or "" -> []."""
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def parse_method_params(items: Sequence[str] | None) -> dict[str, dict[str, str]]:
    """``["gff:r1=30", "dwt:wavelet=db2"]`` -> ``{"gff": {"r1": "30"}, "dwt": {...}}``."""
    from bench.errors import ParameterError

    out: dict[str, dict[str, str]] = {}
    for item in items or []:
        for part in split_list(item):
            if ":" not in part or "=" not in part:
                raise ParameterError(f"--param {part!r}: expected METHOD:NAME=VALUE")
            method, assign = part.split(":", 1)
            key, value = assign.split("=", 1)
            out.setdefault(method.strip().lower(), {})[key.strip()] = value.strip()
    return out


def print_table(rows: list[dict], headers: str | dict = "keys", fmt: str = "simple") -> None:
    print(tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True))


def print_json(obj) -> None:
    json.dump(obj, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")
