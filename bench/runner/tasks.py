"""Choosing methods and metrics, and planning (method × pair) tasks with cache keys.

Method selections accept names, wildcards and the groups ``all``,
``classic`` and ``deep``, comma-separated::

    >>> select_methods("average,max*")                        # doctest: +SKIP
    ['average', 'max-abs']

A task's cache key is the SHA-256 of a canonical JSON of
``{method, version, params, pair content hash}``; the ``device`` parameter is
left out (it says where a method runs, not what it computes)::

    >>> cache_key("gff", "1", {"r1": 45}, "ab12...")           # doctest: +SKIP
    'c0ffee...'

A score is cached under ``metric|convention|fingerprint`` where the
fingerprint hashes the source file defining the metric, so editing a metric
re-scores but does not re-fuse.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import warnings
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bench.errors import ParameterError

GROUPS = ("all", "classic", "deep")
EXECUTION_PARAMS = frozenset({"device"})  # not part of the cache key
CACHE_FORMAT = "1"


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


def select_metrics(spec: str | list[str] | None) -> list[str]:
    """Metric names; ``None`` means the paper's five (those registered, with a warning for the rest)."""
    import metrics

    if not spec:
        present = [m for m in metrics.PAPER_FIVE if m in metrics.METRICS]
        missing = [m for m in metrics.PAPER_FIVE if m not in metrics.METRICS]
        if missing:
            warnings.warn(f"default metrics not available yet: {', '.join(missing)}", stacklevel=2)
        if not present:
            raise ParameterError("none of the paper's five metrics is registered; pass --metrics")
        return present
    return metrics.METRICS.names(spec, strict=True)


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def cache_key(method: str, version: str, params: dict[str, Any], pair_hash: str) -> str:
    """Key of one fused image: method + version + parameters (minus ``device``) + pair hash."""
    kept = {k: v for k, v in params.items() if k not in EXECUTION_PARAMS}
    blob = _canonical(
        {"format": CACHE_FORMAT, "method": method, "version": str(version), "params": kept, "pair": pair_hash}
    )
    return hashlib.sha256(blob.encode()).hexdigest()


@cache
def _file_digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def metric_fingerprint(name: str) -> str:
    """Hash of the source file that defines metric ``name`` (changes when its code does)."""
    import metrics

    fn = metrics.get_metric(name).fn
    try:
        src = inspect.getsourcefile(fn)
    except TypeError:
        src = None
    return _file_digest(src) if src and Path(src).is_file() else "nosource"


def score_key(metric: str, convention: str, fingerprint: str) -> str:
    return f"{metric}|{convention}|{fingerprint}"


@dataclass(frozen=True)
class MetricSpec:
    """A metric to compute, the convention it resolves to, and its requirements."""

    name: str
    convention: str
    fingerprint: str
    needs_reference: bool
    needs_decision_map: bool

    @property
    def key(self) -> str:
        return score_key(self.name, self.convention, self.fingerprint)

    def applicable(self, has_ground_truth: bool, has_mask: bool, has_decision_map: bool) -> bool:
        if self.needs_reference and not has_ground_truth:
            return False
        if self.needs_decision_map and not (has_mask and has_decision_map):
            return False
        return True


def metric_specs(names: list[str], convention: str) -> tuple[list[MetricSpec], list[str]]:
    """(specs, skipped-names): metrics lacking a named convention are skipped, not errors."""
    import metrics

    specs, skipped = [], []
    for name in names:
        m = metrics.get_metric(name)
        conv = m.resolve_convention(convention)
        if conv is None:
            skipped.append(name)
            continue
        specs.append(
            MetricSpec(name, conv, metric_fingerprint(name), m.needs_reference, m.needs_decision_map)
        )
    return specs, skipped


@dataclass
class MethodPlan:
    """One selected method with its resolved parameters."""

    name: str
    version: str
    kind: str
    modalities: tuple[str, ...]
    overrides: dict[str, Any]  # what the worker passes to make_params
    params: dict[str, Any]  # the full resolved parameters (run.json, cache key)


def plan_methods(
    names: list[str], param_overrides: dict[str, dict[str, str]], device: str | None
) -> list[MethodPlan]:
    """Resolve each method's parameters; ``device`` goes to methods whose Params have that field."""
    import dataclasses

    import methods

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
        params = cls.describe_params(cls.make_params(**overrides))
        plans.append(MethodPlan(name, str(cls.version), cls.kind, tuple(cls.modalities), overrides, params))
    return plans


@dataclass
class Task:
    """One (method × pair) unit of work."""

    method: str
    version: str
    pair_id: str
    key: str
    overrides: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "classic"
