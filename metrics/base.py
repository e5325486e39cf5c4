"""Metric registry, metadata and the functional ``compute`` entry point.

A metric is registered as data: its conventions map a name to a
single-channel function plus a *channel rule* saying how colour images
reach it, and the metric declares its version, direction, a one-line
description, a citation and (optionally) its usual symbol in LaTeX math, which
report tables use as the column head (:attr:`Metric.symbol`)::

    qsf = register_metric(
        "qsf", higher_is_better=True, description="spatial frequency of F",
        citation="Eskicioglu & Fisher 1995", latex=r"Q^{SF}",
        conventions={"default": Convention(lambda a, b, f: spatial_frequency(f), "luma")},
    )

Channel rules (applied by :func:`compute`, never by the metric itself):

* ``luma`` — colour images reduced to BT.601 luma (:func:`bench.color.luma`;
  a grey pixel stored as equal R, G, B keeps its exact value), grey images
  as they are; the function gets single-channel (A, B, F) (and the reference
  in luma, for full-reference metrics);
* ``vifb_channels`` / ``mefb_channels`` — the MATLAB toolkits' per-channel
  rule (:func:`metrics.channels.toolkit_channels`), mean over the triples;
* ``mefb_channels_gray_fused`` — as ``mefb_channels`` but grey sources with
  an RGB fused image use MATLAB ``rgb2gray(F)`` (MEFB's AG);
* ``as_is`` — the function receives the float images unchanged.

``a``, ``b``, ``f`` are converted to float64 in 0..255 and checked for equal
size before dispatch; images smaller than a convention's ``min_size`` raise
:class:`bench.errors.ImageTooSmallError`. The single applicability check is
:meth:`Metric.applies`; the single convention-name check is
:func:`check_convention`.

    >>> import numpy as np
    >>> m = get_metric("qsf")
    >>> m.applies("vifb"), get_metric("psnr-gt").applies("default")
    (True, False)
    >>> compute("qsf", np.zeros((8, 8)), np.zeros((8, 8)), np.full((8, 8), 7.0))
    0.0
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from bench.errors import ImageTooSmallError, ParameterError, RegistrationError
from bench.io import as_float_image, check_same_size
from bench.registry import Registry
from metrics.channels import to_luma, toolkit_mean
from metrics.features import active, memo, shared_features

CHANNEL_RULES = ("luma", "vifb_channels", "mefb_channels", "mefb_channels_gray_fused", "as_is")


@dataclass(frozen=True)
class Convention:
    """One way of computing a metric: a function and the channel rule feeding it.

    ``fn(a, b, f, **inputs) -> float`` receives single-channel float64 images
    for every rule but ``as_is``. ``identity`` is the documented value for
    F = A = B (``None``: it depends on the image). ``min_size`` is the
    smallest image side the convention accepts. ``grey_as_rgb`` is empty when
    a grey image stored as three equal channels scores as the grey image;
    otherwise it says why not. ``asymmetric`` is empty when swapping A and B
    leaves the score unchanged; otherwise it says why not.
    """

    fn: Callable[..., float]
    channels: str = "luma"
    identity: float | None = None
    min_size: int = 1
    grey_as_rgb: str = ""
    asymmetric: str = ""

    def __post_init__(self):
        if self.channels not in CHANNEL_RULES:
            raise RegistrationError(
                f"unknown channel rule {self.channels!r} (available: {', '.join(CHANNEL_RULES)})"
            )


@dataclass(frozen=True)
class Metric:
    """A registered metric: its conventions and the metadata reports and tests use.

    ``blur_worse``: blurring a sharp fused image makes the score worse (the
    metric measures sharpness or detail transfer).
    """

    name: str
    higher_is_better: bool
    conventions: Mapping[str, Convention]
    description: str
    citation: str
    version: str = "1"
    family: str = ""
    needs_reference: bool = False
    needs_decision_map: bool = False
    blur_worse: bool = False
    latex: str = ""
    module: str = field(default="", compare=False)

    @property
    def fn(self) -> Callable[..., float]:
        """The ``default`` convention's function (its source file fingerprints the metric)."""
        return self.conventions["default"].fn

    @property
    def symbol(self) -> str:
        """The LaTeX math symbol of the metric (``latex``), else its name in upright type.

        >>> import metrics  # registers the built-in metrics
        >>> get_metric("qabf").symbol, get_metric("qsf").symbol
        ('Q^{AB/F}', 'Q^{SF}')
        """
        return self.latex or symbol_fallback(self.name)

    @property
    def direction(self) -> str:
        return "higher" if self.higher_is_better else "lower"

    @property
    def arrow(self) -> str:
        return "↑" if self.higher_is_better else "↓"

    def applies(
        self,
        convention: str,
        *,
        has_reference: bool = False,
        has_mask: bool = False,
        has_decision_map: bool = False,
    ) -> bool:
        """True when the metric has ``convention`` and every input it needs is present."""
        if convention not in self.conventions:
            return False
        if self.needs_reference and not has_reference:
            return False
        if self.needs_decision_map and not (has_mask and has_decision_map):
            return False
        return True

    def __call__(self, a, b, fused, convention: str = "default", **kw) -> float:
        return compute(self.name, a, b, fused, convention=convention, **kw)

    def __reduce__(self):
        # pickled by name (worker processes look it up in their own registry)
        return get_metric, (self.name,)


def symbol_fallback(name: str) -> str:
    """A metric name as LaTeX math in upright type, special characters escaped.

    >>> print(symbol_fallback("my_metric-2"))
    \\mathrm{my\\_metric\\text{-}2}
    """
    out = "".join(c for c in name if c not in "\\{}$&%#^~")
    out = out.replace("_", r"\_").replace("-", r"\text{-}")
    return rf"\mathrm{{{out}}}"


METRICS: Registry[Metric] = Registry("metric", entry_point_group="fusebench.metrics")


def register_metric(
    name: str,
    *,
    higher_is_better: bool,
    conventions: Mapping[str, Convention],
    description: str,
    citation: str,
    version: str = "1",
    family: str | None = None,
    needs_reference: bool = False,
    needs_decision_map: bool = False,
    blur_worse: bool = False,
    latex: str = "",
) -> Metric:
    """Register metric ``name`` and return its :class:`Metric` (callable like ``compute``).

    Invalid registrations raise :class:`bench.errors.RegistrationError`. ``family``
    defaults to the package the default function lives in
    (``metrics.<family>.<module>``). ``latex``: the usual symbol in LaTeX math without
    ``$`` (e.g. ``Q^{AB/F}``); metrics without one get :func:`symbol_fallback`.
    """
    conventions = dict(conventions)
    if "default" not in conventions:
        raise RegistrationError(f"metric {name!r}: a 'default' convention is required")
    for conv, spec in conventions.items():
        if not isinstance(spec, Convention):
            raise RegistrationError(f"metric {name!r}: convention {conv!r} must be a Convention")
    if not description or "\n" in description:
        raise RegistrationError(f"metric {name!r}: give a one-line description")
    module = getattr(conventions["default"].fn, "__module__", "") or ""
    if family is None:
        parts = module.split(".")
        family = parts[1] if len(parts) > 2 and parts[0] == "metrics" else "plugin"
    metric = Metric(
        name=name,
        higher_is_better=higher_is_better,
        conventions=MappingProxyType({"default": conventions.pop("default"), **conventions}),
        description=description,
        citation=citation,
        version=str(version),
        family=family,
        needs_reference=needs_reference,
        needs_decision_map=needs_decision_map,
        blur_worse=blur_worse,
        latex=latex,
        module=module,
    )
    METRICS.add(name, metric)
    return metric


def list_metrics(pattern: str = "*") -> list[str]:
    """Names of registered metrics matching a wildcard / comma list, e.g. ``"q*"``."""
    return METRICS.names(pattern)


def get_metric(name: str) -> Metric:
    return METRICS.get(name)


def known_conventions() -> tuple[str, ...]:
    """Every convention name some registered metric implements, ``default`` first."""
    names = {c for n in METRICS.names() for c in METRICS.get(n).conventions}
    return ("default", *sorted(names - {"default"}))


def check_convention(convention: str) -> str:
    """``convention`` if any metric implements it, else a :class:`ParameterError` listing them.

    >>> check_convention("vifb")
    'vifb'
    """
    known = known_conventions()
    if convention not in known:
        raise ParameterError(f"unknown convention {convention!r} (available: {', '.join(known)})")
    return convention


def _dispatch(spec: Convention, a, b, f, kw: dict) -> float:
    if spec.channels == "luma":
        if "reference" in kw:
            (kw["reference"],) = to_luma(kw["reference"])
        return spec.fn(*to_luma(a, b, f), **kw)
    if spec.channels == "as_is":
        return spec.fn(a, b, f, **kw)
    if spec.channels == "vifb_channels":
        return toolkit_mean(spec.fn, a, b, f, "vifb")
    return toolkit_mean(
        spec.fn, a, b, f, "mefb", fused_only_gray=spec.channels == "mefb_channels_gray_fused"
    )


def _as_float(x, role: str) -> np.ndarray:
    """:func:`bench.io.as_float_image`, converted once per scoring session (float64 is as is)."""
    if isinstance(x, np.ndarray) and x.dtype != np.float64:
        return memo(as_float_image, x, name=role)
    return as_float_image(x, role)


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
    >>> compute("sd", x, x, x)
    0.0
    """
    metric = get_metric(name)
    spec = metric.conventions.get(convention)
    if spec is None:
        raise ParameterError(
            f"metric {metric.name!r} has no convention {convention!r} "
            f"(available: {', '.join(metric.conventions)})"
        )
    a = _as_float(a, "A")
    b = _as_float(b, "B")
    f = _as_float(fused, "F")
    check_same_size(A=a, B=b, F=f)
    if min(f.shape[:2]) < spec.min_size:
        raise ImageTooSmallError(
            f"metric {metric.name!r} ({convention}): image {f.shape[0]}×{f.shape[1]} is too small "
            f"(at least {spec.min_size}×{spec.min_size} needed)"
        )
    kw = {}
    if metric.needs_reference:
        if reference is None:
            raise ParameterError(f"metric {metric.name!r} needs a reference (ground-truth) image")
        ref = _as_float(reference, "reference")
        check_same_size(F=f, reference=ref)
        kw["reference"] = ref
    if metric.needs_decision_map:
        if decision_map is None or mask is None:
            raise ParameterError(f"metric {metric.name!r} needs a decision map and a true mask")
        kw["decision_map"] = np.asarray(decision_map, dtype=np.float64)
        kw["mask"] = np.asarray(mask, dtype=np.float64)
        check_same_size(F=f, decision_map=kw["decision_map"], mask=kw["mask"])
    return float(_dispatch(spec, a, b, f, kw))


def compute_many(
    names,
    a,
    b,
    fused,
    convention: str = "default",
    *,
    reference=None,
    mask=None,
    decision_map=None,
):
    """Several metrics of one fused image, or of each image of a list, sharing features.

    Returns ``{name: value}`` (a list of them when ``fused`` is a list or
    tuple). Values equal :func:`compute`'s; the sources' luma, grey levels
    and Sobel maps are computed once for all metrics and all fused images
    (:func:`metrics.features.shared_features`), each fused image's once for
    all metrics. ``names`` is a list or a wildcard / comma pattern.

    >>> import numpy as np
    >>> x = np.tile(np.arange(16.0) * 10, (16, 1))
    >>> out = compute_many(["qsf", "sd"], x, x, [x, x / 2])
    >>> [round(d["qsf"], 6) for d in out], out[0]["qsf"] == compute("qsf", x, x, x)
    ([9.682458, 4.841229], True)
    """
    if isinstance(names, str):
        names = list_metrics(names)
    many = isinstance(fused, (list, tuple))
    images = list(fused) if many else [fused]
    out = []
    own = active() is None
    with shared_features() as cache:
        a, b = _as_float(a, "A"), _as_float(b, "B")
        ref = None if reference is None else _as_float(reference, "reference")
        for f in images:
            f = _as_float(f, "F")
            out.append({
                n: compute(n, a, b, f, convention, reference=ref, mask=mask, decision_map=decision_map)
                for n in names
            })
            if own:
                cache.keep_only(a, b, ref)  # the next fused image shares only the sources'
    return out if many else out[0]
