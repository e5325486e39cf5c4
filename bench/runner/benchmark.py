"""``run_benchmark``: fuse every (method × pair), score, store, report.

    >>> from bench.runner import run_benchmark
    >>> summary = run_benchmark("lytro", methods="classic", data_dir="../shared/datasets",
    ...                         jobs=2)                                   # doctest: +SKIP
    >>> print(summary.line())                                            # doctest: +SKIP
    lytro: 40 tasks, 0 cached, 40 computed, 0 failed; wall 21.4 s -> runs/lytro-20260101-120000

Flow: resolve methods (with ``--param`` overrides and ``--device``) and
metrics; hash each pair; tasks whose fused image *and* every score are in
the cache are answered in the main process without touching a worker; the
rest are grouped into per-pair jobs (sources decoded once per job) and fanned
out on the chosen backend, deep methods running in the main process. Rows
are appended to the run directory as jobs finish.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import logging
import math
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.datasets.base import Dataset, load_dataset
from bench.errors import ParameterError
from bench.runner.cache import FusedCache
from bench.runner.execute import Job, TaskResult, iter_job_results, run_job
from bench.runner.store import RunStore, safe_name
from bench.runner.tasks import (
    MethodPlan,
    Task,
    cache_key,
    metric_specs,
    plan_methods,
    select_methods,
    select_metrics,
)

log = logging.getLogger(__name__)

BACKENDS = ("loky", "threading", "dask")


@dataclass
class RunSummary:
    """Counts of one run; ``ok`` is False when any task failed or the run was interrupted."""

    dataset: str
    run_dir: Path
    tasks: int = 0
    cached: int = 0
    computed: int = 0
    failed: int = 0
    skipped: int = 0
    wall_seconds: float = 0.0
    interrupted: bool = False
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # method, pair, stage, error

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted

    def line(self) -> str:
        s = (
            f"{self.dataset}: {self.tasks} tasks, {self.cached} cached, {self.computed} computed, "
            f"{self.failed} failed"
        )
        if self.skipped:
            s += f", {self.skipped} skipped (modality)"
        if self.interrupted:
            s += ", INTERRUPTED"
        return s + f"; wall {self.wall_seconds:.1f} s -> {self.run_dir}"

    def failure_lines(self, limit: int = 20) -> list[str]:
        """One line per distinct (method, stage, error), naming the pairs it hit."""
        groups: dict[tuple[str, str, str], list[str]] = {}
        for method, pair, stage, err in self.failures:
            groups.setdefault((method, stage, err), []).append(pair)
        lines = []
        for (method, stage, err), pairs in list(groups.items())[:limit]:
            where = ", ".join(pairs[:4]) + (f" and {len(pairs) - 4} more" if len(pairs) > 4 else "")
            lines.append(f"  FAILED {method} on {where} [{stage}]: {err}")
        if len(groups) > limit:
            lines.append(f"  ... and {len(groups) - limit} more kinds of failure (see failures.csv)")
        return lines

    def as_dict(self) -> dict[str, Any]:
        return {
            "tasks": self.tasks, "cached": self.cached, "computed": self.computed,
            "failed": self.failed, "skipped": self.skipped, "wall_seconds": round(self.wall_seconds, 3),
            "interrupted": self.interrupted,
        }


# -- environment record ---------------------------------------------------------
def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for dist in ("fusebench", "numpy", "scipy", "torch", "scikit-image", "PyWavelets", "pandas",
                 "joblib", "matplotlib", "dask", "distributed"):
        try:
            out[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def _git_revision() -> dict[str, Any] | None:
    root = Path(__file__).resolve().parents[2]
    try:
        rev = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10)
        if rev.returncode != 0:
            return None
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10)
        return {"commit": rev.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return None


def _machine() -> dict[str, Any]:
    return {
        "hostname": platform.node(), "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(), "cpu_count": os.cpu_count(),
    }


def resolve_device(device: str | None, plans_need_it: bool) -> str | None:
    """``auto`` -> ``cuda`` when torch sees a GPU, else ``cpu``; torch imported only if needed."""
    if not device or not plans_need_it:
        return None if device in (None, "auto") else device
    if device != "auto":
        return device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def default_run_dir(dataset_name: str, runs_root: str | os.PathLike = "runs", resume: bool = False) -> Path:
    """``runs/<dataset>-<UTC timestamp>``; with ``resume`` the newest existing one for the dataset."""
    root = Path(runs_root)
    stem = safe_name(dataset_name)
    if resume:
        previous = sorted(p for p in root.glob(f"{stem}-*") if (p / "run.json").is_file())
        if previous:
            return previous[-1]
    stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
    path = root / f"{stem}-{stamp}"
    n = 1
    while path.exists():
        n += 1
        path = root / f"{stem}-{stamp}-{n}"
    return path


# -- the run ------------------------------------------------------------------
def run_benchmark(
    dataset: str | Dataset,
    methods: str | list[str] = "classic",
    metrics: str | list[str] | None = None,
    *,
    convention: str = "default",
    data_dir: str | os.PathLike | None = None,
    jobs: int | None = None,
    backend: str = "loky",
    device: str = "auto",
    out: str | os.PathLike | None = None,
    runs_root: str | os.PathLike = "runs",
    cache_dir: str | os.PathLike | None = None,
    params: dict[str, dict[str, str]] | None = None,
    plugins: Iterable[str] = (),
    timeout: float | None = 1800.0,
    scheduler: str | None = None,
    dask_processes: bool = True,
    resume: bool = False,
    progress: bool = True,
    report: bool = True,
    report_options: dict[str, Any] | None = None,
    argv: list[str] | None = None,
) -> RunSummary:
    """Fuse and score ``methods`` × pairs of ``dataset``; write the run directory; return counts.

    ``dataset``: a registered name (``"lytro"``, ``"folder:PATH"``) or a :class:`Dataset`.
    ``methods``: names / wildcards / ``all`` / ``classic`` / ``deep``. ``metrics``: names or
    wildcards (default: the paper's five). ``params``: ``{"gff": {"r1": "30"}}``.
    ``plugins``: single-file method plugins (also loaded in workers). ``jobs`` / ``backend`` /
    ``scheduler`` / ``dask_processes``: parallelism. ``timeout``: per-task seconds (None: no
    limit). ``out``: run directory (default ``runs_root/<dataset>-<UTC time>``; ``resume``
    reuses the newest). ``cache_dir``: default :func:`~bench.runner.cache.default_cache_dir`.
    ``report`` / ``report_options``: call :func:`bench.reports.build_report` at the end.
    Raises :class:`~bench.errors.FusebenchError` for bad selections; task failures are
    recorded, never raised.
    """
    t_start = time.perf_counter()
    started = _dt.datetime.now(_dt.timezone.utc)
    if backend not in BACKENDS:
        raise ParameterError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    plugins = tuple(str(Path(p).resolve()) for p in plugins)
    if plugins:
        from methods.plugins import load_plugin_file

        for p in plugins:
            load_plugin_file(p)
    import metrics as metrics_pkg

    ds = load_dataset(dataset, data_dir) if isinstance(dataset, str) else dataset
    ds_name = dataset if isinstance(dataset, str) else ds.name
    if len(ds) == 0:
        raise ParameterError(f"dataset {ds_name!r} has no pairs")

    method_names = select_methods(methods)
    plans = plan_methods(method_names, params or {}, None)  # device resolved only if needed, below
    metric_names = select_metrics(metrics)
    specs, no_convention = metric_specs(metric_names, convention)
    if no_convention:
        log.warning("metrics without convention %r are skipped: %s", convention, ", ".join(no_convention))

    jobs = max(1, int(jobs or os.cpu_count() or 1))
    cache = FusedCache(cache_dir)
    run_dir = Path(out) if out else default_run_dir(ds_name, runs_root, resume)
    store = RunStore(run_dir)
    record: dict[str, Any] = {
        "status": "running",
        "command": argv if argv is not None else sys.argv,
        "dataset": {"name": ds_name, "pairs": ds.ids(), "data_dir": str(data_dir) if data_dir else None,
                    "has_ground_truth": ds.has_ground_truth, "modality": ds.modality},
        "methods": {p.name: {"version": p.version, "kind": p.kind, "params": dict(p.params)} for p in plans},
        "metrics": {
            s.name: {
                "convention": s.convention,
                "higher_is_better": metrics_pkg.get_metric(s.name).higher_is_better,
                "needs_reference": s.needs_reference,
                "needs_decision_map": s.needs_decision_map,
                "fingerprint": s.fingerprint,
            }
            for s in specs
        },
        "convention": convention,
        "backend": backend, "jobs": jobs, "device": device, "timeout": timeout, "plugins": list(plugins),
        "cache_dir": str(cache.root), "resumed": bool(resume and (run_dir / "run.json").is_file()),
        "versions": _versions(), "git": _git_revision(), "machine": _machine(),
        "start": started.isoformat(),
    }
    store.start(record)

    summary = RunSummary(ds_name, run_dir)
    order = {"pair": {pid: i for i, pid in enumerate(ds.ids())},
             "method": {p.name: i for i, p in enumerate(plans)}}
    bar = None
    try:
        pair_hashes = {pair.id: pair.content_hash() for pair in ds}
        tasks_by_pair, skipped = _plan_tasks(ds, plans, pair_hashes)
        summary.skipped = skipped
        summary.tasks = sum(len(t) for t in tasks_by_pair.values())
        bar = _make_bar(progress, summary.tasks, ds_name)

        linked_sources: set[str] = set()

        def consume(results: list[TaskResult]) -> None:
            rows = _record_results(store, cache, ds, pair_hashes, ds_name, results, linked_sources, summary)
            store.append("scores", rows["scores"])
            store.append("timings", rows["timings"])
            store.append("failures", rows["failures"])
            if bar is not None:
                bar.update(len(results))
                if summary.failed:
                    bar.set_postfix(failed=summary.failed)

        # 1. answered entirely from the cache, in the main process
        pending: dict[str, list[Task]] = {}
        for pair in ds:
            hits, rest = [], []
            for task in tasks_by_pair.get(pair.id, []):
                res = _from_cache(cache, task, pair, pair_hashes[pair.id], specs)
                (hits if res is not None else rest).append(res if res is not None else task)
            if hits:
                consume(hits)
            if rest:
                pending[pair.id] = rest

        # 2. --device for the methods that take one and still have work (importing torch
        #    only when some task needs it)
        _apply_device(device, params or {}, [t for rest in pending.values() for t in rest], record)

        # 3. classic methods on the backend, deep methods in the main process
        common = {"metrics": specs, "cache_root": str(cache.root), "plugins": plugins, "timeout": timeout}
        cpu_jobs, deep_jobs = [], []
        chunks = max(1, math.ceil(2 * jobs / max(1, len(pending)))) if len(pending) < 2 * jobs else 1
        for pair in ds:
            rest = pending.get(pair.id)
            if not rest:
                continue
            classic = [t for t in rest if t.kind != "deep"]
            deep = [t for t in rest if t.kind == "deep"]
            for part in _split(classic, chunks):
                cpu_jobs.append(Job(pair, pair_hashes[pair.id], part, **common))
            if deep:
                deep_jobs.append(Job(pair, pair_hashes[pair.id], deep, **common))
        for _job, results in iter_job_results(
            cpu_jobs, backend, jobs, scheduler=scheduler, dask_processes=dask_processes
        ):
            consume(results)
        for job in deep_jobs:
            consume(run_job(job))
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    finally:
        if bar is not None:
            bar.close()
        summary.wall_seconds = time.perf_counter() - t_start
        store.finalise(order)
        record.update(status="interrupted" if summary.interrupted else "complete",
                      end=_dt.datetime.now(_dt.timezone.utc).isoformat(), summary=summary.as_dict())
        store.write_record(record)

    if report:
        from bench.reports import build_report

        try:
            build_report(run_dir, **{"jobs": jobs, **(report_options or {})})
        except Exception as exc:  # the results are safe; a report problem must not hide them
            log.error("report generation failed: %s: %s", type(exc).__name__, exc)
    summary.wall_seconds = time.perf_counter() - t_start
    return summary


def _apply_device(device: str | None, overrides: dict, tasks: list[Task], record: dict) -> None:
    """Give ``device`` to pending tasks of methods with a ``device`` parameter not set by --param."""
    takers = [t for t in tasks if "device" in t.params and "device" not in overrides.get(t.method, {})]
    if not takers:
        return
    dev = resolve_device(device, True)
    if not dev:
        return
    for t in takers:
        t.overrides = {**t.overrides, "device": dev}
        t.params = {**t.params, "device": dev}
        record["methods"][t.method]["params"]["device"] = dev
    record["device"] = dev


def _make_bar(progress: bool, total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="task", disable=not progress, dynamic_ncols=True,
                file=sys.stderr)


def _split(items: list, n: int) -> list[list]:
    if not items:
        return []
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


def _plan_tasks(ds: Dataset, plans: list[MethodPlan], hashes: dict[str, str]):
    by_pair: dict[str, list[Task]] = {}
    skipped = 0
    for pair in ds:
        for p in plans:
            if pair.modality not in p.modalities:
                skipped += 1
                continue
            key = cache_key(p.name, p.version, p.params, hashes[pair.id])
            by_pair.setdefault(pair.id, []).append(
                Task(p.name, p.version, pair.id, key, p.overrides, p.params, p.kind)
            )
    if skipped:
        log.info("%d (method, pair) combinations skipped: modality not supported by the method", skipped)
    return by_pair, skipped


def _from_cache(cache: FusedCache, task: Task, pair, pair_hash: str, specs) -> TaskResult | None:
    """The task's result if its fused image, every applicable score and the sources are cached."""
    if not cache.has_fused(task.key) or not cache.has_sources(pair_hash, pair.has_ground_truth):
        return None
    meta = cache.load_meta(task.key)
    if meta is None:
        return None
    res = TaskResult(task.method, task.version, task.pair_id, task.key, cached=True,
                     fuse_seconds=float(meta.get("fuse_seconds", float("nan"))),
                     has_decision_map=bool(meta.get("has_decision_map")))
    scores = meta.get("scores", {})
    for spec in specs:
        if not spec.applicable(pair.has_ground_truth, pair.has_mask, res.has_decision_map):
            continue
        if spec.key not in scores:
            return None
        res.scores.append((spec.name, spec.convention, float(scores[spec.key])))
    return res


def _record_results(store, cache, ds, pair_hashes, ds_name, results, linked_sources, summary):
    rows: dict[str, list[dict[str, Any]]] = {"scores": [], "timings": [], "failures": []}
    for r in results:
        base = {"dataset": ds_name, "pair": r.pair_id, "method": r.method, "method_version": r.version}
        pdir = safe_name(r.pair_id)
        if r.pair_id not in linked_sources:
            files = cache.pair_files(pair_hashes[r.pair_id])
            for role, src in files.items():
                if src.is_file():
                    store.link_image(src, pdir, f"{role}.png")
            linked_sources.add(r.pair_id)
        fused_ok = not any(f.stage in ("load", "fuse", "timeout", "worker") for f in r.failures)
        if fused_ok and cache.has_fused(r.key):
            store.link_image(cache.image_path(r.key), pdir, f"{r.method}.png")
            if r.has_decision_map:
                store.link_image(cache.decision_map_path(r.key), pdir, f"{r.method}.dm.png")
        for metric, conv, value in r.scores:
            rows["scores"].append({**base, "metric": metric, "convention": conv, "value": repr(value)})
        status = "failed" if r.failed else ("cached" if r.cached else "computed")
        rows["timings"].append({**base, "cached": r.cached, "fuse_seconds": f"{r.fuse_seconds:.4f}",
                                "score_seconds": f"{r.score_seconds:.4f}", "status": status})
        for f in r.failures:
            rows["failures"].append({**base, "stage": f.stage, "metric": f.metric, "error": f.error,
                                     "traceback": f.traceback})
            summary.failures.append((r.method, r.pair_id, f.stage + (f":{f.metric}" if f.metric else ""),
                                     f.error))
        if r.failed:
            summary.failed += 1
        elif r.cached:
            summary.cached += 1
        else:
            summary.computed += 1
    return rows
