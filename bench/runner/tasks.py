"""Choosing methods and metrics, and planning (method × pair) tasks with cache keys.

Method selections accept names, wildcards and the groups ``all``,
``classic`` and ``deep``, comma-separated::

    >>> select_methods("average,max*")
    ['average', 'max-abs']

A task's cache key is the SHA-256 of a canonical JSON of
``{format, method, version, params, source, pair content hash}`` where
``source`` is the digest of plugin code (:func:`methods.plugins.source_digest`;
None for built-in and installed methods); the ``device`` parameter is left out
(it says where a method runs, not what it computes)::

    >>> len(cache_key("gff", "1", {"r1": 45}, "ab12"))
    64

A score is cached under ``metric|convention|v<version>`` with the metric's declared
``version`` (bumped whenever its output changes), so a new metric version re-scores
but does not re-fuse::

    >>> score_key("qsf", "default", "1")
    'qsf|default|v1'
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from dataclasses import dataclass
from typing import Any

from bench.errors import ParameterError

GROUPS = ("all", "classic", "deep")
EXECUTION_PARAMS = frozenset({"device"})  # not part of the cache key
CACHE_FORMAT = "2"  # 2: plugin source digest, pair GT/mask content, checksummed entries


def select_methods(spec: str | list[str]) -> list[str]:
    """Method names for a selection of names / wildcards / ``all`` / ``classic`` / ``deep``."""
    import methods

    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for part in (p.strip().lower() for p in parts):
        if not part:
            continue
        if part == "all":
            hits = methods.list_methods("*")
        elif part in ("classic", "deep"):
            hits = methods.list_methods("*", kind=part)
        else:
            hits = methods.METHODS.names(part, strict=True)
        out.extend(h for h in hits if h not in out)
    if not out:
        raise ParameterError(f"--methods {spec!r} selects no method (known: {', '.join(methods.METHODS)})")
    return out


def select_metrics(spec: str | list[str] | None, *, has_ground_truth: bool = False) -> list[str]:
    """Metric names; ``None`` means the paper's five (those registered, with a warning for the
    rest), plus ``metrics.GROUND_TRUTH_DEFAULT`` when the dataset has ground truth."""
    import metrics

    if not spec:
        wanted = metrics.PAPER_FIVE + (metrics.GROUND_TRUTH_DEFAULT if has_ground_truth else ())
        present = [m for m in wanted if m in metrics.METRICS]
        missing = [m for m in wanted if m not in metrics.METRICS]
        if missing:
            warnings.warn(f"default metrics not available yet: {', '.join(missing)}", stacklevel=2)
        if not present:
            raise ParameterError("none of the paper's five metrics is registered; pass --metrics")
        return present
    return metrics.METRICS.names(spec, strict=True)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def cache_key(
    method: str, version: str, params: dict[str, Any], pair_hash: str, source: str | None = None
) -> str:
    """Key of one fused image: method + version + parameters (minus ``device``) + plugin
    source digest + pair content hash."""
    kept = {k: v for k, v in params.items() if k not in EXECUTION_PARAMS}
    blob = _canonical({"format": CACHE_FORMAT, "method": method, "version": str(version),
                       "params": kept, "source": source, "pair": pair_hash})
    return hashlib.sha256(blob.encode()).hexdigest()


def score_key(metric: str, convention: str, version: str) -> str:
    return f"{metric}|{convention}|v{version}"


@dataclass(frozen=True)
class MetricSpec:
    """A metric to compute, the convention it resolves to, its version and requirements."""

    name: str
    convention: str
    version: str
    needs_reference: bool
    needs_decision_map: bool

    @property
    def key(self) -> str:
        return score_key(self.name, self.convention, self.version)

    def applicable(self, has_ground_truth: bool, has_mask: bool, has_decision_map: bool) -> bool:
        import metrics

        return metrics.get_metric(self.name).applies(
            self.convention, has_reference=has_ground_truth, has_mask=has_mask,
            has_decision_map=has_decision_map,
        )


def metric_specs(names: list[str], convention: str) -> tuple[list[MetricSpec], list[str]]:
    """(specs, skipped-names): metrics lacking a named convention are skipped, not errors."""
    import metrics

    specs, skipped = [], []
    for name in names:
        m = metrics.get_metric(name)
        if convention not in m.conventions:
            skipped.append(name)
            continue
        specs.append(
            MetricSpec(name, convention, str(m.version), m.needs_reference, m.needs_decision_map)
        )
    return specs, skipped


@dataclass(frozen=True)
class MethodPlan:
    """One selected method, resolved once: its ``Params`` object (device included), the
    same as a plain dict (run.json, cache key) and its plugin source digest."""

    name: str
    version: str
    kind: str
    modalities: tuple[str, ...]
    params: Any  # the method's Params dataclass instance
    source: str | None = None

    @property
    def param_dict(self) -> dict[str, Any]:
        import methods

        return methods.METHODS.get(self.name).describe_params(self.params)


def plan_methods(
    names: list[str], param_overrides: dict[str, dict[str, str]], device: str | None
) -> list[MethodPlan]:
    """Resolve each method's parameters once; ``device`` goes to methods whose Params have
    that field and whose ``--param`` does not set it."""
    import methods
    from methods.plugins import source_digest

    unknown = sorted(set(param_overrides) - set(names))
    if unknown:
        raise ParameterError(f"--param given for method(s) not selected: {', '.join(unknown)}")
    plans = []
    for name in names:
        cls = methods.METHODS.get(name)
        overrides: dict[str, Any] = dict(param_overrides.get(name, {}))
        fields = {f.name for f in dataclasses.fields(cls.Params)}
        if device and "device" in fields and "device" not in overrides:
            overrides["device"] = device
        plans.append(MethodPlan(name, str(cls.version), cls.kind, tuple(cls.modalities),
                                cls.make_params(**overrides), source_digest(cls)))
    return plans


def needs_device(names: list[str]) -> bool:
    """True when some of the methods ``names`` has a ``device`` parameter."""
    import methods

    return any("device" in {f.name for f in dataclasses.fields(methods.METHODS.get(n).Params)}
               for n in names)


@dataclass(frozen=True)
class Task:
    """One (method × pair) unit of work; ``params`` are the Params fields (plain values)."""

    method: str
    version: str
    pair_id: str
    key: str
    params: tuple[tuple[str, Any], ...] = ()
    kind: str = "classic"

    def make_params(self):
        """The method's Params object (the registered class, no string conversion)."""
        import methods

        return methods.METHODS.get(self.method).Params(**dict(self.params))
