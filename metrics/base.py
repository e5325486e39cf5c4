"""Metric registry, metadata and the functional ``compute`` entry point.

A metric is a pure function registered with its metadata::

    @register_metric("qsf", higher_is_better=True, conventions=("default", "vifb"),
                     citation="Eskicioglu & Fisher 1995")
    def qsf(a, b, f, *, convention="default"):
        ...

``a``, ``b``, ``f`` arrive as float64 arrays in 0..255 (H×W or H×W×3), with
equal H×W already checked. Channel handling is the metric's job (see
``metrics.channels``) because conventions differ on it. Full-reference
metrics (``needs_reference=True``) also receive ``reference=`` (the
all-in-focus image); decision-map metrics (``needs_decision_map=True``)
receive ``decision_map=`` and ``mask=``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bench.errors import ParameterError, RegistrationError
from bench.io import as_float_image, check_same_size
from bench.registry import Registry


@dataclass(frozen=True)
class Metric:
    name: str
    fn: Callable[..., float]
    higher_is_better: bool
    conventions: tuple[str, ...] = ("default",)
    citation: str = ""
    needs_reference: bool = False
    needs_decision_map: bool = False
    description: str = ""
    extra: dict = field(default_factory=dict)
    version: str = "1"

    def applies(self, convention: str, *, has_reference: bool = False, has_mask: bool = False,
                has_decision_map: bool = False) -> bool:
        """True when the metric has ``convention`` and every input it needs is present."""
        if convention not in self.conventions:
            return False
        if self.needs_reference and not has_reference:
            return False
        return not (self.needs_decision_map and not (has_mask and has_decision_map))

    @property
    def direction(self) -> str:
        return "higher" if self.higher_is_better else "lower"

    @property
    def arrow(self) -> str:
        return "↑" if self.higher_is_better else "↓"

    def resolve_convention(self, convention: str) -> str | None:
        """The convention to use, or None when this metric lacks it.

        ``"default"`` always resolves. A named convention the metric does not
        implement returns None (callers decide to skip or raise).
        """
        return convention if convention in self.conventions else None

    def __call__(self, a, b, fused, convention: str = "default", **kw) -> float:
        return compute(self.name, a, b, fused, convention=convention, **kw)


METRICS: Registry[Metric] = Registry("metric", entry_point_group="fusebench.metrics")


def register_metric(
    name: str,
    *,
    higher_is_better: bool,
    conventions: tuple[str, ...] = ("default",),
    citation: str = "",
    needs_reference: bool = False,
    needs_decision_map: bool = False,
):
    """Decorator: register ``fn(a, b, f, *, convention, **kw) -> float`` as metric ``name``."""
    if not conventions or conventions[0] != "default":
        raise RegistrationError(f"metric {name!r}: the first convention must be 'default'")

    def deco(fn):
        doc = (fn.__doc__ or "").strip()
        METRICS.add(
            name,
            Metric(
                name=name,
                fn=fn,
                higher_is_better=higher_is_better,
                conventions=tuple(conventions),
                citation=citation,
                needs_reference=needs_reference,
                needs_decision_map=needs_decision_map,
                description=doc.splitlines()[0] if doc else "",
            ),
        )
        return fn

    return deco


def list_metrics(pattern: str = "*") -> list[str]:
    """Names of registered metrics matching a wildcard / comma list, e.g. ``"q*"``."""
    return METRICS.names(pattern)


def get_metric(name: str) -> Metric:
    return METRICS.get(name)


def compute(
    name: str,
    a,
    b,
    fused,
    convention: str = "default",
    *,
    reference=None,
    mask=None,
    decision_map=None,
) -> float:
    """Compute metric ``name`` for sources ``a``, ``b`` and fused image ``fused``.

    Arrays are H×W or H×W×3, uint8/uint16 or float in 0..255.

    >>> import numpy as np
    >>> x = np.full((8, 8), 100.0)
    >>> compute("qsf", x, x, x)          # doctest: +SKIP
    0.0
    """
    metric = get_metric(name)
    if convention not in metric.conventions:
        raise ParameterError(
            f"metric {metric.name!r} has no convention {convention!r} "
            f"(available: {', '.join(metric.conventions)})"
        )
    a = as_float_image(a, "A")
    b = as_float_image(b, "B")
    f = as_float_image(fused, "F")
    check_same_size(A=a, B=b, F=f)
    kw = {}
    if metric.needs_reference:
        if reference is None:
            raise ParameterError(f"metric {metric.name!r} needs a reference (ground-truth) image")
        ref = as_float_image(reference, "reference")
        check_same_size(F=f, reference=ref)
        kw["reference"] = ref
    if metric.needs_decision_map:
        if decision_map is None or mask is None:
            raise ParameterError(f"metric {metric.name!r} needs a decision map and a true mask")
        kw["decision_map"] = np.asarray(decision_map, dtype=np.float64)
        kw["mask"] = np.asarray(mask, dtype=np.float64)
        check_same_size(F=f, decision_map=kw["decision_map"], mask=kw["mask"])
    return float(metric.fn(a, b, f, convention=convention, **kw))
