"""Choosing methods and metrics, and planning (method × pair) tasks with cache keys.

Method selections accept names, wildcards and groups, comma-separated::

    >>> select_methods("average,max*")
    ['average', 'max-abs']

Groups: ``all`` (every method declared for the dataset's task(s), i.e. whose
``modalities`` hold the task of some pair), ``all!`` (every registered method,
whatever its tasks), ``classic`` / ``deep`` (by ``kind``) and the named groups
the methods declare (``vifb-classic``, ``mfifb``, ``paper``:
:data:`methods.base.GROUPS`); with the dataset's tasks given, a group keeps only
methods declared for them. Names and wildcards are explicit: they run on every
pair, with a warning when the method is not declared for the task::

    >>> "tlnet" in select_methods("paper", tasks=["medical"])
    False
    >>> "tlnet" in select_methods("all!", tasks=["medical"])
    True

Metrics: without ``--metrics`` a run scores its dataset's task default
(:data:`TASK_METRICS`: multi-focus = the paper's five, ir-visible = VIFB's 13,
medical = :data:`MEDICAL_METRICS`); the sets are also names for ``--metrics``
(``paper``, ``vifb``, ``medical``)::

    >>> select_metrics("medical")
    ['en', 'qmi', 'qabf', 'ssim', 'vifp', 'qcb', 'sd']

A task's cache key is the SHA-256 of a canonical JSON of
``{format, method, version, params, source, pair content hash}`` where
``source`` is the digest of plugin code (:func:`methods.plugins.source_digest`;
None for built-in and installed methods); the ``device`` parameter is left out
(it says where a method runs, not what it computes)::

    >>> len(cache_key("gff", "1", {"r1": 45}, "ab12"))
    64

A score is cached under ``metric|convention|v<version>`` with the metric's declared
``version`` (bumped whenever its output changes), so a new metric version re-scores
but does not re-fuse; a score of the image saved as a benchmark saved its outputs
(``--score-as``, :mod:`bench.score_as`) carries that in its key::

    >>> score_key("qsf", "default", "1"), score_key("qsf", "vifb", "1", "jpeg75")
    ('qsf|default|v1', 'qsf|vifb|v1|as:jpeg75')
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import warnings
from dataclasses import dataclass
from typing import Any

from bench.errors import ParameterError

GROUPS = ("all", "all!", "classic", "deep", "vifb-classic", "mfifb", "paper")
EXECUTION_PARAMS = frozenset({"device"})  # not part of the cache key
CACHE_FORMAT = "2"  # 2: plugin source digest, pair GT/mask content, checksummed entries

#: VIFB's 13 metrics in the order of its average table (Zhang et al. 2020).
VIFB_METRICS = ("qag", "ce", "ei", "en", "qmi", "psnr", "qabf", "qcb", "qcv", "rmse", "qsf",
                "ssim", "sd")
#: Medical fusion's usual no-reference set (entropy, mutual information, Q^AB/F, SSIM, VIF,
#: Chen-Blum, standard deviation), as reported across the PET/SPECT/CT + MRI literature.
MEDICAL_METRICS = ("en", "qmi", "qabf", "ssim", "vifp", "qcb", "sd")
#: Named metric sets accepted by ``--metrics``.
METRIC_SETS = {"paper": None, "vifb": VIFB_METRICS, "medical": MEDICAL_METRICS}  # paper: PAPER_FIVE
#: The default metrics of each task (``--metrics`` not given).
TASK_METRICS = {"multi-focus": "paper", "ir-visible": "vifb", "medical": "medical"}


@dataclass(frozen=True)
class MethodSelection:
    """Selected method names, and those the user named (or matched by a wildcard): these run
    on every pair; group members only on pairs of a task they declare."""

    names: tuple[str, ...]
    explicit: frozenset[str] = frozenset()


def _tasks(tasks) -> tuple[str, ...] | None:
    from bench.datasets.base import canonical_task

    if tasks is None:
        return None
    return tuple(dict.fromkeys(canonical_task(t) for t in ([tasks] if isinstance(tasks, str)
                                                           else tasks)))


def resolve_methods(spec: str | list[str], tasks=None) -> MethodSelection:
    """:class:`MethodSelection` for ``spec`` on a dataset of ``tasks`` (None: any task)."""
    import methods
    from methods.base import GROUPS as METHOD_GROUPS

    tasks = _tasks(tasks)

    def declared(name: str) -> bool:
        return tasks is None or any(t in methods.METHODS.get(name).modalities for t in tasks)

    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    explicit: set[str] = set()
    for part in (p.strip().lower() for p in parts):
        if not part:
            continue
        if part == "all!":  # every method, on every pair, whatever its tasks
            hits = methods.list_methods("*")
            explicit.update(hits)
        elif part == "all" or part in METHOD_GROUPS:
            hits = methods.list_methods("*", group=None if part == "all" else part)
            hits = [h for h in hits if declared(h)]
        else:
            hits = methods.METHODS.names(part, strict=True)
            explicit.update(hits)
        out.extend(h for h in hits if h not in out)
    if not out:
        where = f" for task(s) {', '.join(tasks)}" if tasks else ""
        raise ParameterError(
            f"--methods {spec!r} selects no method{where} (known: {', '.join(methods.METHODS)}; "
            "'all!' selects every method whatever its tasks)"
        )
    forced = any(p.strip().lower() == "all!" for p in parts)
    undeclared = [] if forced else [n for n in out if n in explicit and not declared(n)]
    if undeclared:
        warnings.warn(
            f"method(s) {', '.join(undeclared)} not declared for task(s) {', '.join(tasks or ())}: "
            "run anyway because named",
            stacklevel=2,
        )
    return MethodSelection(tuple(out), frozenset(explicit))


def select_methods(spec: str | list[str], tasks=None) -> list[str]:
    """Method names for a selection of names / wildcards / groups (module docstring) on a
    dataset of ``tasks`` (modalities; None: any task)."""
    return list(resolve_methods(spec, tasks).names)


def task_metrics(tasks) -> tuple[str, ...]:
    """The default metrics of a dataset of ``tasks``: each task's set, in order, no repeats.

    >>> task_metrics(["ir-vis"])[:3]
    ('qag', 'ce', 'ei')
    """
    import metrics

    out: list[str] = []
    for t in _tasks(tasks) or ("multi-focus",):
        wanted = METRIC_SETS[TASK_METRICS[t]] or metrics.PAPER_FIVE
        out.extend(m for m in wanted if m not in out)
    return tuple(out)


def select_metrics(
    spec: str | list[str] | None, *, has_ground_truth: bool = False, tasks=None
) -> list[str]:
    """Metric names; ``None`` means the default of the dataset's ``tasks`` (:func:`task_metrics`;
    the paper's five when no task is given), those registered with a warning for the rest,
    plus ``metrics.GROUND_TRUTH_DEFAULT`` when the dataset has ground truth. The names
    ``paper``, ``vifb`` and ``medical`` in ``spec`` expand to those sets."""
    import metrics

    if not spec:
        wanted = task_metrics(tasks) + (metrics.GROUND_TRUTH_DEFAULT if has_ground_truth else ())
        present = [m for m in wanted if m in metrics.METRICS]
        missing = [m for m in wanted if m not in metrics.METRICS]
        if missing:
            warnings.warn(f"default metrics not available yet: {', '.join(missing)}", stacklevel=2)
        if not present:
            raise ParameterError("none of the default metrics is registered; pass --metrics")
        return present
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    out: list[str] = []
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if part.lower() in METRIC_SETS:
            hits = list(METRIC_SETS[part.lower()] or metrics.PAPER_FIVE)
        else:
            hits = metrics.METRICS.names(part, strict=True)
        out.extend(h for h in hits if h not in out)
    return out


def _canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str)


def cache_key(
    method: str, version: str, params: dict[str, Any], pair_hash: str, source: str | None = None,
    mixed_colour: str = "rgb",
) -> str:
    """Key of one fused image: method + version + parameters (minus ``device``) + plugin
    source digest + pair content hash (+ the mixed-colour policy when it is not the
    default ``rgb``, so the keys of every other run are unchanged)."""
    kept = {k: v for k, v in params.items() if k not in EXECUTION_PARAMS}
    key = {"format": CACHE_FORMAT, "method": method, "version": str(version),
           "params": kept, "source": source, "pair": pair_hash}
    if mixed_colour != "rgb":
        key["mixed_colour"] = mixed_colour
    return hashlib.sha256(_canonical(key).encode()).hexdigest()


def score_key(metric: str, convention: str, version: str, score_as: str = "stored") -> str:
    key = f"{metric}|{convention}|v{version}"
    return key if score_as == "stored" else f"{key}|as:{score_as}"


@dataclass(frozen=True)
class MetricSpec:
    """A metric to compute, the convention it resolves to, its version and requirements."""

    name: str
    convention: str
    version: str
    needs_reference: bool
    needs_decision_map: bool
    score_as: str = "stored"  # bench.score_as: the image the metric sees

    @property
    def key(self) -> str:
        return score_key(self.name, self.convention, self.version, self.score_as)

    def applicable(self, has_ground_truth: bool, has_mask: bool, has_decision_map: bool) -> bool:
        import metrics

        return metrics.get_metric(self.name).applies(
            self.convention, has_reference=has_ground_truth, has_mask=has_mask,
            has_decision_map=has_decision_map,
        )


def metric_specs(names: list[str], convention: str,
                 score_as: str = "stored") -> tuple[list[MetricSpec], list[str]]:
    """(specs, skipped-names): metrics lacking a named convention are skipped, not errors."""
    import metrics

    specs, skipped = [], []
    for name in names:
        m = metrics.get_metric(name)
        if convention not in m.conventions:
            skipped.append(name)
            continue
        specs.append(
            MetricSpec(name, convention, str(m.version), m.needs_reference, m.needs_decision_map,
                       score_as)
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
    mixed_colour: str = "rgb"  # FusionMethod.fuse's policy for a grey + colour pair

    def make_params(self):
        """The method's Params object (the registered class, no string conversion)."""
        import methods

        return methods.METHODS.get(self.method).Params(**dict(self.params))
