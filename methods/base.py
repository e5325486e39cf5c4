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
calls ``run`` with float64 arrays in 0..255, then checks the output: same
shape as the inputs, finite (NaN/inf raise :class:`MethodOutputError`), and
clipped into 0..255. ``run`` must be pure and deterministic.

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

    def fuse(self, a, b, **overrides: Any) -> FusionResult:
        """Fuse sources ``a`` and ``b``; keyword arguments override default parameters."""
        params = overrides.pop("params", None)
        if params is None:
            params = self.make_params(**overrides)
        elif overrides:
            params = dataclasses.replace(params, **overrides)
        fa = as_float_image(a, "A")
        fb = as_float_image(b, "B")
        check_same_size(A=fa, B=fb)
        if fa.ndim != fb.ndim:  # one grey, one colour: fuse in colour
            fa, fb = _to_rgb(fa), _to_rgb(fb)
        result = self.run(fa, fb, params)
        return self.check_result(result, fa.shape)

    def check_result(self, result: FusionResult, shape: tuple[int, ...]) -> FusionResult:
        if not isinstance(result, FusionResult):
            raise MethodOutputError(
                f"method {self.name!r} returned {type(result).__name__}, expected FusionResult"
            )
        img = np.asarray(result.image, dtype=np.float64)
        if img.shape != shape:
            raise MethodOutputError(
                f"method {self.name!r} returned an image of shape {img.shape}, expected {shape}"
            )
        if not np.all(np.isfinite(img)):
            bad = int(np.size(img) - np.count_nonzero(np.isfinite(img)))
            raise MethodOutputError(f"method {self.name!r} returned {bad} NaN/inf pixels")
        result.image = np.clip(img, 0.0, 255.0)
        if result.decision_map is not None:
            dm = np.asarray(result.decision_map, dtype=np.float64)
            if dm.shape != shape[:2] or not np.all(np.isfinite(dm)):
                raise MethodOutputError(
                    f"method {self.name!r} returned a decision map of shape {dm.shape} "
                    f"(expected {shape[:2]}, finite)"
                )
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
            "params": cls.describe_params(),
        }


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
    if not dataclasses.is_dataclass(cls.Params):
        problems.append("Params must be a dataclass")
    if problems:
        raise RegistrationError(f"method class {cls.__qualname__}: " + "; ".join(problems))
    METHODS.add(cls.name, cls, replace=METHODS._items.get(cls.name) is cls)
    return cls


def list_methods(pattern: str = "*", kind: str | None = None) -> list[str]:
    """Registered method names matching a wildcard / comma list, optionally of one kind."""
    names = METHODS.names(pattern)
    if kind:
        names = [n for n in names if METHODS.get(n).kind == kind]
    return names


def get_method(name: str) -> FusionMethod:
    """A fresh instance of the method registered as ``name``."""
    return METHODS.get(name)()
