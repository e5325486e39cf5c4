"""Validation of our implementations against published reference values.

Each target is a module here that registers a function
``run(data_dir: Path, *, quick: bool = False, progress: bool = True) -> ValidationReport``
with :func:`register_target`. ``python -m bench validate --against NAME``
runs one and exits non-zero when it falls short.

Targets: ``vifb`` (VIFB's published metric table), ``mefb`` (Octave
calibration values for the ``mefb`` convention), ``mfifb-outputs`` (our
methods against the original implementations' fused images), ``vifb-outputs``
(our methods against VIFB's fused images of its classic methods).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.registry import Registry, discover_submodules, module_order


@dataclass
class ValidationReport:
    """Per-row agreement figures (one row per metric or method) and a verdict."""

    title: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    ok: bool = True
    notes: list[str] = field(default_factory=list)


TARGETS: Registry[Callable[..., ValidationReport]] = Registry(
    "validation target", discover=discover_submodules(__name__), order=module_order(__name__)
)


def register_target(name: str):
    return TARGETS.register(name)


def get_target(name: str) -> Callable[..., ValidationReport]:
    return TARGETS.get(name)


def list_targets() -> list[str]:
    """Names of the validation targets (their modules are imported on the first lookup).

    >>> list_targets()
    ['mefb', 'mfifb-outputs', 'vifb', 'vifb-outputs']
    """
    return TARGETS.names("*")


def within_tolerance(ours: float, ref: float, atol: float = 1e-3, rtol: float = 1e-4) -> bool:
    """The project's agreement rule: |ours − ref| ≤ max(atol, rtol·|ref|)."""
    return abs(ours - ref) <= max(atol, rtol * abs(ref))

