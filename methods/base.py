"""The fusion-method interface and registry.

A method is a subclass of :class:`FusionMethod` registered by name::

    from dataclasses import dataclass
    from methods.base import FusionMethod, FusionResult, register_method

    @register_method
    class Average(FusionMethod):
        name = "average"
        version = "1"
        kind = "classic"
        modalities = ("multi-focus", "ir-visible", "medical")
        colour = "per-channel"
        citation = "pixel-wise mean"

        @dataclass
        class Params:
            pass

        def run(self, a, b, params):
            return FusionResult(image=(a + b) / 2)

``method.fuse(a, b, **overrides)`` checks the inputs (same H×W; uint8,
uint16 or float 0..255), builds ``Params`` from the defaults plus overrides,
calls ``run`` with **read-only** float64 arrays in 0..255 (private copies:
a method that writes into them fails with :class:`MethodOutputError` naming
it, and the caller's arrays can never change), then checks the output
(:meth:`FusionMethod.check_result`): same shape as the inputs, finite,
a dtype and range that fit the sources' bit depth (``uint16`` output for
8-bit sources, or values far outside 0..255, are errors, not clipped), and
only then clipped into 0..255 (ringing overshoot is normal). ``run`` must be
pure and deterministic.

    >>> import numpy as np
    >>> class Bad(FusionMethod):
    ...     name = "bad"
    ...     def run(self, a, b, params):
    ...         a *= 0
    ...         return FusionResult(image=b)
    >>> Bad().fuse(np.ones((4, 4)), np.ones((4, 4)))
    Traceback (most recent call last):
    ...
    bench.errors.MethodOutputError: method 'bad' wrote into its read-only input arrays (copy them first: a = a.copy())

``colour`` says how colour inputs are treated: ``"per-channel"`` (each RGB
channel fused on its own), ``"luma-chroma"`` (luma fused, chroma blended) or
``"gray-weights"`` (weights computed on grey, applied to every channel).
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from bench.errors import MethodOutputError, ParameterError, RegistrationError
from bench.io import as_float_image, check_same_size
from bench.registry import Registry

KINDS = ("classic", "deep")
MODALITIES = ("multi-focus", "ir-visible", "medical")
COLOUR_POLICIES = ("per-channel", "luma-chroma", "gray-weights")
#: Named groups a method may declare in ``groups`` (``classic``/``deep`` also follow ``kind``).
GROUPS = ("vifb-classic", "mfifb", "paper", "classic", "deep")
#: How :meth:`FusionMethod.fuse` treats a grey source paired with a colour one
#: (:func:`bench.color.fuse_luma_restore_chroma`): ``"rgb"`` replicates the grey source
#: into three channels (the default); ``"ycbcr"`` fuses the grey source with the colour
#: source's BT.601 luma Y through the method's grey path and puts the colour source's
#: Cb, Cr back (the convention of the medical PET/SPECT + MRI literature).
MIXED_COLOUR_POLICIES = ("rgb", "ycbcr", "ihs")


@dataclass
class FusionResult:
    """Output of a fusion method.

    ``image``: H×W or H×W×3 float64 in 0..255 (same shape as the inputs).
    ``decision_map``: optional H×W weight of source A in 0..1.
    ``extras``: optional named arrays/values for reports (e.g. focus maps).
    """

    image: np.ndarray
    decision_map: np.ndarray | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class FusionMethod:
    """Base class of every fusion method. Subclasses set the class attributes."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = "1"
    kind: ClassVar[str] = "classic"
    modalities: ClassVar[tuple[str, ...]] = ("multi-focus",)
    colour: ClassVar[str] = "per-channel"
    citation: ClassVar[str] = ""
    #: Other names the method answers to (old names kept working; results use ``name``).
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Why fuse(X, X) is not X (e.g. a published contrast post-processing); empty when it is.
    identity_exempt: ClassVar[str] = ""
    #: fuse(X, X) may differ from X by this much (grey levels) where the method's own
    #: construction bounds it (e.g. csr's shrunk detail); see docs/adding-a-method.md.
    identity_atol: ClassVar[float] = 1.0
    #: Parameter overrides the contract checks (methods/testing.py) use, for methods whose
    #: defaults take minutes on the checks' images; the defaults are tested elsewhere.
    contract_params: ClassVar[dict[str, Any]] = {}
    #: (rows, cols) cap on the contract checks' larger crops (odd-size colour, grey uint8,
    #: identical inputs) for methods that take minutes there even with ``contract_params``
    #: (csmca: about 5 CPU-minutes per channel at 333×417); None: the checks' own sizes.
    contract_crop: ClassVar[tuple[int, int] | None] = None
    #: Named groups (from :data:`GROUPS`) the method belongs to, e.g. ``("mfifb", "paper")``;
    #: ``classic``/``deep`` membership also follows ``kind`` without being listed.
    groups: ClassVar[tuple[str, ...]] = ()
    #: Benchmark -> the name the benchmark publishes the method under, e.g.
    #: ``{"vifb": "MSVD", "mfifb": "MSVD"}`` (report tables can use it: :func:`published_name`).
    published_names: ClassVar[dict[str, str]] = {}

    @dataclass
    class Params:
        pass

    # -- to implement ---------------------------------------------------
    def run(self, a: np.ndarray, b: np.ndarray, params: Any) -> FusionResult:
        raise NotImplementedError

    # -- public API -------------------------------------------------------
    @classmethod
    def make_params(cls, **overrides: Any) -> Any:
        """Defaults with ``overrides`` applied; strings are converted to the field's type."""
        fields = {f.name: f for f in dataclasses.fields(cls.Params)}
        hints = typing.get_type_hints(cls.Params)
        values = {}
        for key, value in overrides.items():
            if key not in fields:
                known = ", ".join(fields) or "none"
                raise ParameterError(
                    f"method {cls.name!r} has no parameter {key!r} (parameters: {known})"
                )
            values[key] = _coerce(cls.name, key, value, hints.get(key, fields[key].type))
        return cls.Params(**values)

    @classmethod
    def describe_params(cls, params: Any = None) -> dict[str, Any]:
        """Parameters as a plain dict (used in cache keys and run records)."""
        p = params if params is not None else cls.Params()
        return dataclasses.asdict(p)

    def fuse(self, a, b, *, mixed_colour: str = "rgb", **overrides: Any) -> FusionResult:
        """Fuse sources ``a`` and ``b``; keyword arguments override default parameters.

        ``mixed_colour`` (:data:`MIXED_COLOUR_POLICIES`) applies only when one source is
        grey and the other colour: ``"rgb"`` fuses in colour (the grey source repeated
        into R, G and B); ``"ycbcr"`` fuses the grey source with the colour source's luma
        and restores the colour source's chroma (:func:`bench.color.fuse_luma_restore_chroma`);
        ``"ihs"`` the same with the intensity (R+G+B)/3, keeping hue and saturation.
        """
        params = overrides.pop("params", None)
        if params is None:
            params = self.make_params(**overrides)
        elif overrides:
            params = dataclasses.replace(params, **overrides)
        if mixed_colour not in MIXED_COLOUR_POLICIES:
            raise ParameterError(
                f"mixed-colour policy {mixed_colour!r} not in {MIXED_COLOUR_POLICIES}"
            )
        fa = as_float_image(a, "A")
        fb = as_float_image(b, "B")
        check_same_size(A=fa, B=fb)
        if fa.ndim != fb.ndim and mixed_colour in ("ycbcr", "ihs"):
            from bench.color import fuse_luma_restore_chroma

            bit_depth = _bit_depth(a, b)
            # a and b are the caller's arrays: the grey fusion below makes its own
            # read-only copies of the luma and the grey source
            return fuse_luma_restore_chroma(
                lambda ya, yb: self._fuse_checked(ya, yb, ya, yb, params, bit_depth),
                fa, fb, space=mixed_colour,
            )
        if fa.ndim != fb.ndim:  # one grey, one colour: fuse in colour
            fa, fb = _to_rgb(fa), _to_rgb(fb)
        return self._fuse_checked(fa, fb, a, b, params, _bit_depth(a, b))

    def _fuse_checked(self, fa, fb, a, b, params, bit_depth: int) -> FusionResult:
        """``run`` on read-only private copies of float sources ``fa``, ``fb``; checked output."""
        fa, fb = _read_only_copy(fa, a), _read_only_copy(fb, b)
        try:
            result = self.run(fa, fb, params)
        except ValueError as exc:
            if "read-only" not in str(exc):
                raise
            raise MethodOutputError(
                f"method {self.name!r} wrote into its read-only input arrays (copy them first: "
                "a = a.copy())"
            ) from exc
        peak = max(float(fa.max(initial=0.0)), float(fb.max(initial=0.0)))
        return self.check_result(result, fa.shape, bit_depth=bit_depth, source_peak=peak)

    def check_result(
        self,
        result: FusionResult,
        shape: tuple[int, ...],
        *,
        bit_depth: int = 8,
        source_peak: float | None = None,
    ) -> FusionResult:
        """Validate ``run``'s output for sources of ``shape`` and ``bit_depth``; clip into range.

        Integer output: ``uint8`` is 0..255, ``uint16`` is accepted only for 16-bit sources
        (and scaled by 1/257 like them). Float output: ringing overshoot is clipped, but values
        outside -255..510 (a 16-bit or 0..65535 scale) or a 0..1 image from sources peaking
        above 8 (a forgotten ×255) are errors. The decision map must be H×W and finite.
        """
        if not isinstance(result, FusionResult):
            raise MethodOutputError(
                f"method {self.name!r} returned {type(result).__name__}, expected FusionResult"
            )
        raw = np.asarray(result.image)
        where = f"method {self.name!r} returned"
        if raw.dtype.kind not in "uif" and raw.dtype != np.bool_:
            raise MethodOutputError(f"{where} an image of dtype {raw.dtype}, expected float or uint")
        if raw.dtype == np.uint16 and bit_depth != 16:
            raise MethodOutputError(
                f"{where} a uint16 image for {bit_depth}-bit sources (max {int(raw.max(initial=0))}); "
                "return float64 in 0..255"
            )
        img = raw.astype(np.float64) / (257.0 if raw.dtype == np.uint16 else 1.0)
        if img.shape != shape:
            raise MethodOutputError(f"{where} an image of shape {img.shape}, expected {shape}")
        finite = np.isfinite(img)
        if not finite.all():
            bad = int(finite.size - np.count_nonzero(finite))
            raise MethodOutputError(f"{where} {bad} non-finite (NaN/inf) pixels")
        lo, hi = float(img.min(initial=0.0)), float(img.max(initial=0.0))
        if lo < -255.0 or hi > 510.0:
            raise MethodOutputError(
                f"{where} values {lo:.6g}..{hi:.6g}, far outside 0..255 for {bit_depth}-bit "
                "sources (wrong scale?)"
            )
        if raw.dtype.kind == "f" and source_peak is not None and source_peak > 8.0 and hi <= 1.0:
            raise MethodOutputError(
                f"{where} values in 0..{hi:.3g} for sources peaking at {source_peak:.4g} "
                "(a 0..1 image? return 0..255)"
            )
        result.image = np.clip(img, 0.0, 255.0)
        if result.decision_map is not None:
            dm = np.asarray(result.decision_map, dtype=np.float64)
            if dm.shape != shape[:2]:
                raise MethodOutputError(
                    f"{where} a decision map of shape {dm.shape}, expected {shape[:2]}"
                )
            finite = np.isfinite(dm)
            if not finite.all():
                bad = int(finite.size - np.count_nonzero(finite))
                raise MethodOutputError(f"{where} a decision map with {bad} non-finite (NaN/inf) values")
            result.decision_map = np.clip(dm, 0.0, 1.0)
        return result

    @classmethod
    def info(cls) -> dict[str, Any]:
        return {
            "name": cls.name,
            "version": cls.version,
            "kind": cls.kind,
            "modalities": list(cls.modalities),
            "colour": cls.colour,
            "citation": cls.citation,
            "aliases": list(cls.aliases),
            "identity_exempt": cls.identity_exempt,
            "groups": sorted(method_groups(cls)),
            "published_names": dict(cls.published_names),
            "params": cls.describe_params(),
        }


def _bit_depth(a: Any, b: Any) -> int:
    return 16 if np.asarray(a).dtype == np.uint16 or np.asarray(b).dtype == np.uint16 else 8


def _read_only_copy(x: np.ndarray, original: Any) -> np.ndarray:
    """``x`` as a read-only array that shares no memory with the caller's ``original``."""
    if np.may_share_memory(x, np.asarray(original)):
        x = x.copy()
    x.setflags(write=False)
    return x


def _to_rgb(x: np.ndarray) -> np.ndarray:
    return x if x.ndim == 3 else np.repeat(x[..., None], 3, axis=2)


def _coerce(method: str, key: str, value: Any, typ: Any) -> Any:
    if not isinstance(value, str):
        return value
    origin = typing.get_origin(typ)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        args = [t for t in typing.get_args(typ) if t is not type(None)]
        if value.lower() in ("none", "null", ""):
            return None
        typ = args[0] if args else str
    try:
        if typ is bool:
            low = value.strip().lower()
            if low in ("1", "true", "yes", "on"):
                return True
            if low in ("0", "false", "no", "off"):
                return False
            raise ValueError(value)
        if typ in (int, float, str):
            return typ(value)
    except ValueError:
        raise ParameterError(
            f"method {method!r}: parameter {key}={value!r} is not a valid {getattr(typ, '__name__', typ)}"
        ) from None
    return value


METHODS: Registry[type[FusionMethod]] = Registry("method", entry_point_group="fusebench.methods")


def register_method(cls: type[FusionMethod]) -> type[FusionMethod]:
    """Class decorator: validate the declaration and register it under ``cls.name``."""
    problems = []
    if not cls.name:
        problems.append("name is empty")
    if cls.kind not in KINDS:
        problems.append(f"kind {cls.kind!r} not in {KINDS}")
    bad_mod = [m for m in cls.modalities if m not in MODALITIES]
    if bad_mod:
        problems.append(f"unknown modalities {bad_mod}")
    if cls.colour not in COLOUR_POLICIES:
        problems.append(f"colour {cls.colour!r} not in {COLOUR_POLICIES}")
    bad_groups = [g for g in cls.groups if g not in GROUPS]
    if bad_groups:
        problems.append(f"unknown groups {bad_groups} (known: {', '.join(GROUPS)})")
    wrong_kind = [g for g in cls.groups if g in KINDS and g != cls.kind]
    if wrong_kind:
        problems.append(f"groups {wrong_kind} contradict kind {cls.kind!r}")
    if not isinstance(cls.published_names, dict) or not all(
        isinstance(k, str) and isinstance(v, str) and k and v
        for k, v in cls.published_names.items()
    ):
        problems.append("published_names must map benchmark names to published names (strings)")
    if not dataclasses.is_dataclass(cls.Params):
        problems.append("Params must be a dataclass")
    if problems:
        raise RegistrationError(f"method class {cls.__qualname__}: " + "; ".join(problems))
    METHODS.add(cls.name, cls, replace=METHODS._items.get(cls.name) is cls)
    for alias in cls.aliases:
        METHODS.add_alias(alias, cls.name)
    return cls


def method_groups(cls: type[FusionMethod]) -> set[str]:
    """The groups ``cls`` belongs to: its declared ``groups`` plus its ``kind``.

    >>> class M(FusionMethod):
    ...     groups = ("mfifb", "paper")
    >>> sorted(method_groups(M))
    ['classic', 'mfifb', 'paper']
    """
    return set(cls.groups) | {cls.kind}


def list_methods(
    pattern: str = "*",
    kind: str | None = None,
    *,
    task: str | None = None,
    group: str | None = None,
) -> list[str]:
    """Registered method names matching a wildcard / comma list, optionally of one kind,
    declared for one ``task`` (a modality) and/or in one named ``group`` (:func:`method_groups`);
    examples in :mod:`methods` and :mod:`bench.runner.tasks`."""
    names = METHODS.names(pattern)
    if kind:
        names = [n for n in names if METHODS.get(n).kind == kind]
    if task:
        names = [n for n in names if task in METHODS.get(n).modalities]
    if group:
        names = [n for n in names if group in method_groups(METHODS.get(n))]
    return names


def published_name(method: str | type[FusionMethod], benchmark: str) -> str:
    """The name ``benchmark`` (``"vifb"``, ``"mfifb"``) publishes ``method`` (a registered
    name or a class) under; the method's own name when the benchmark has none for it.

    >>> class M(FusionMethod):
    ...     name = "lp-sr"
    ...     published_names = {"vifb": "LP_SR", "mfifb": "MST_SR"}
    >>> published_name(M, "mfifb"), published_name(M, "mefb")
    ('MST_SR', 'lp-sr')
    """
    cls = METHODS.get(method) if isinstance(method, str) else method
    return cls.published_names.get(benchmark, cls.name)


def get_method(name: str) -> FusionMethod:
    """A fresh instance of the method registered as ``name``."""
    return METHODS.get(name)()
