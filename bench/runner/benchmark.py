"""``run_benchmark``: plan, execute, record every (method × pair) of a dataset.

    >>> import tempfile
    >>> from bench.datasets import load_dataset
    >>> tmp = tempfile.mkdtemp()
    >>> s = run_benchmark(load_dataset("synthetic:count=1"), methods="average", metrics="qsf",
    ...                   out=f"{tmp}/run", cache_dir=f"{tmp}/cache", progress=False)
    >>> s.ok, s.tasks, s.status
    (True, 1, 'complete')

Flow: :func:`plan_run` resolves everything once into an immutable :class:`RunPlan`
(methods with their ``Params`` objects and the device, metric specs with their
versions, pair content hashes, tasks with cache keys); :func:`execute_plan`
answers fully cached tasks in the main process and sends the rest, as per-pair
jobs, to the chosen backend (by default supervised worker processes; deep methods
in a pool of one, one model per worker); each result is recorded in the run
directory (:mod:`bench.results`) as it arrives. Reports are not this module's
business: ``bench run`` chains :func:`bench.reports.build_report` after it.
"""

from __future__ import annotations

import datetime as _dt
import importlib.metadata
import logging
import math
import os
import platform
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.datasets.base import Dataset, load_dataset
from bench.errors import ParameterError, RunDirectoryError
from bench.results import (
    RunLock,
    RunStore,
    is_disk_error,
    kept_pairs,
    read_record,
    remove_stray_temporaries,
    safe_name,
)
from bench.runner.cache import FusedCache
from bench.runner.execute import Job, TaskResult, iter_results, task_from_cache
from bench.runner.tasks import (
    MethodPlan,
    MetricSpec,
    Task,
    cache_key,
    metric_specs,
    needs_device,
    plan_methods,
    resolve_methods,
    select_metrics,
)
from bench.score_as import check as check_score_as

log = logging.getLogger(__name__)

BACKENDS = ("process", "threading", "dask")
ALIASES = {"loky": "process"}  # the former joblib backend's name


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
    status: str = "running"
    error: str = ""
    notes: int = 0
    failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # method, pair, stage, error

    @property
    def ok(self) -> bool:
        return self.failed == 0 and not self.interrupted and not self.error

    def line(self) -> str:
        s = (
            f"{self.dataset}: {self.tasks} tasks, {self.cached} cached, {self.computed} computed, "
            f"{self.failed} failed"
        )
        if self.skipped:
            s += f", {self.skipped} skipped (modality)"
        if self.notes:
            s += f", {self.notes} recomputed (bad cache entries)"
        if self.interrupted:
            s += ", INTERRUPTED"
        if self.error:
            s += f", FAILED: {self.error}"
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
            "interrupted": self.interrupted, "recomputed_bad_cache": self.notes,
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


# -- options ------------------------------------------------------------------------
def check_options(
    *, jobs: int | None, timeout: float | None, backend: str, isolate: bool,
    metrics: str | list[str] | None, out, cache_dir,
) -> tuple[str, int]:
    """Validate run options (ParameterError naming the option); return (backend, jobs)."""
    backend = ALIASES.get(backend, backend)
    if backend not in BACKENDS:
        raise ParameterError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ParameterError(f"--jobs {jobs!r}: expected a whole number of workers >= 1")
    if timeout is not None and not (isinstance(timeout, (int, float)) and math.isfinite(timeout)
                                    and timeout > 0):
        raise ParameterError(f"--timeout {timeout!r}: expected seconds > 0 (or none)")
    if timeout is not None and backend != "process":
        raise ParameterError(
            f"--backend {backend} cannot stop a running method, so it cannot honour --timeout "
            f"{timeout:g}; pass --timeout 0 (no limit) or use --backend process"
        )
    if timeout is not None and not isolate and not hasattr(signal, "SIGALRM"):
        raise ParameterError("--isolate off has no timeout on this platform; pass --timeout 0")
    if not isolate and backend != "process":
        raise ParameterError(f"--isolate off applies to --backend process, not {backend}")
    if not isolate and jobs not in (None, 1):
        raise ParameterError("--isolate off runs every task in the main process: use --jobs 1")
    if metrics is not None and not (metrics.strip(", ") if isinstance(metrics, str) else metrics):
        raise ParameterError("--metrics is empty: name at least one metric (or leave it out "
                             "for the dataset task's default set)")
    for flag, path in (("--out", out), ("--cache-dir", cache_dir)):
        if path is not None and Path(path).exists() and not Path(path).is_dir():
            raise ParameterError(f"{flag} {path}: is a file, expected a directory")
    n = 1 if not isolate else int(jobs or os.cpu_count() or 1)
    return backend, n


# -- plan -------------------------------------------------------------------------
@dataclass(frozen=True)
class RunPlan:
    """Everything a run does, resolved once before anything runs."""

    dataset: Dataset
    name: str
    methods: tuple[MethodPlan, ...]
    metrics: tuple[MetricSpec, ...]
    device: str | None
    pair_hashes: dict[str, str]
    tasks: dict[str, tuple[Task, ...]]  # pair id -> its tasks, in method order
    skipped: int

    @property
    def n_tasks(self) -> int:
        return sum(len(t) for t in self.tasks.values())


def plan_run(
    ds: Dataset, name: str, methods: str | list[str], metrics: str | list[str] | None,
    convention: str, params: dict[str, dict[str, str]], device: str | None,
    score_as: str = "stored",
) -> RunPlan:
    """Resolve methods (``Params`` objects, the device once), metrics and tasks."""
    selection = resolve_methods(methods, ds.modalities)
    method_names = list(selection.names)
    dev = resolve_device(device, needs_device(method_names))
    plans = tuple(plan_methods(method_names, params, dev))
    specs, no_convention = metric_specs(
        select_metrics(metrics, has_ground_truth=ds.has_ground_truth, tasks=ds.modalities),
        convention,
        score_as,
    )
    if not specs:
        raise ParameterError(f"--convention {convention!r}: none of the selected metrics has it "
                             f"({', '.join(no_convention)})")
    if no_convention:
        log.warning("metrics without convention %r are skipped: %s", convention, ", ".join(no_convention))
    hashes = {pair.id: pair.content_hash() for pair in ds}
    tasks: dict[str, tuple[Task, ...]] = {}
    skipped = 0
    for pair in ds:
        row = []
        mixed = pair.meta.get("colour_space", "rgb") if pair.meta else "rgb"
        for p in plans:
            if pair.modality not in p.modalities and p.name not in selection.explicit:
                skipped += 1  # a group member not declared for this pair's task
                continue
            pdict = p.param_dict
            key = cache_key(p.name, p.version, pdict, hashes[pair.id], p.source, mixed)
            row.append(Task(p.name, p.version, pair.id, key, tuple(sorted(pdict.items())), p.kind,
                            mixed))
        if row:
            tasks[pair.id] = tuple(row)
    if skipped:
        log.info("%d (method, pair) combinations skipped: the pair's task is not declared by the "
                 "method (name it, or use --methods 'all!', to run it anyway)", skipped)
    return RunPlan(ds, name, plans, tuple(specs), dev, hashes, tasks, skipped)


# -- the run ------------------------------------------------------------------
def run_benchmark(
    dataset: str | Dataset,
    methods: str | list[str] = "classic",
    metrics: str | list[str] | None = None,
    *,
    convention: str = "default",
    data_dir: str | os.PathLike | None = None,
    jobs: int | None = None,
    backend: str = "process",
    isolate: bool = True,
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
    argv: list[str] | None = None,
    count: int | None = None,
    keep_images: str | int | None = None,
    score_as: str = "stored",
) -> RunSummary:
    """Fuse and score ``methods`` × pairs of ``dataset``; write the run directory; return counts.

    ``dataset``: a registered name (``"lytro"``, ``"folder:PATH"``) or a :class:`Dataset`;
    ``count``: only its first ``count`` pairs. ``score_as``: the image the metrics see
    (:mod:`bench.score_as`: ``"stored"``, or ``"jpeg75"`` = saved as VIFB saved its outputs;
    a resumed run keeps its own).
    ``methods``: names / wildcards / groups (:func:`~bench.runner.tasks.resolve_methods`:
    ``all`` = the methods declared for the dataset's tasks, ``all!`` = every method).
    ``metrics``: names, wildcards or sets (default: the dataset's task default,
    :func:`~bench.runner.tasks.task_metrics`). ``params``: ``{"gff": {"r1": "30"}}``.
    ``plugins``: single-file method plugins (also loaded in workers). ``jobs`` / ``backend``
    (``process``, ``threading``, ``dask``) / ``scheduler`` / ``dask_processes``: parallelism.
    ``isolate``: run plugin code in worker processes (default) or, False, in this process
    (debugging: no crash containment, and the timeout is a catchable SIGALRM).
    ``timeout``: per-task seconds (None: no limit; only the process backend honours one).
    ``keep_images``: the pairs whose fused images and decision maps are copied into the run
    directory (:func:`~bench.results.kept_pairs`: ``"all"``, ``"none"``, a number of first
    pairs or pair ids; default :data:`~bench.results.DEFAULT_KEEP_IMAGES`); every image is
    listed with its sha256 in ``images.csv`` and the sources are always copied.
    ``out``: run directory (default ``runs_root/<dataset>-<UTC time>``; ``resume`` reuses the
    newest, or continues ``out``, adding rows). ``cache_dir``: default
    :func:`~bench.runner.cache.default_cache_dir`.
    Raises :class:`~bench.errors.FusebenchError` for bad options or selections, and
    :class:`~bench.errors.RunDirectoryError` when the run directory is locked by another
    run or cannot be written (run.json then says ``failed``); task failures are recorded,
    never raised.
    """
    t_start = time.perf_counter()
    backend, n_jobs = check_options(jobs=jobs, timeout=timeout, backend=backend, isolate=isolate,
                                    metrics=metrics, out=out, cache_dir=cache_dir)
    plugins = tuple(str(Path(p).resolve()) for p in plugins)
    if plugins:
        from methods.plugins import load_plugin_file

        for p in plugins:
            load_plugin_file(p)
    ds = load_dataset(dataset, data_dir) if isinstance(dataset, str) else dataset
    ds_name = dataset if isinstance(dataset, str) else ds.name
    if count is not None:
        ds = ds.head(count)
    if len(ds) == 0:
        raise ParameterError(f"dataset {ds_name!r} has no pairs")
    plan = plan_run(ds, ds_name, methods, metrics, convention, params or {}, device,
                    check_score_as(score_as))
    keep = kept_pairs(keep_images, ds.ids())

    cache = FusedCache(cache_dir)
    run_dir = Path(out) if out else default_run_dir(ds_name, runs_root, resume)
    if resume and (run_dir / "run.json").is_file():
        before = read_record(run_dir).get("score_as", "stored")
        if before != score_as:
            raise RunDirectoryError(f"run directory {run_dir} was scored with --score-as {before}, "
                                    f"not {score_as}; choose another --out")
    options = {"convention": convention, "score_as": score_as, "backend": backend, "jobs": n_jobs,
               "isolate": isolate, "timeout": timeout, "plugins": list(plugins),
               "data_dir": data_dir, "argv": argv,
               "scheduler": scheduler, "dask_processes": dask_processes,
               "keep_images": "default" if keep_images is None else str(keep_images),
               "kept_pairs": keep}
    try:
        lock = RunLock(run_dir).acquire()
    except OSError as exc:
        raise RunDirectoryError(f"run directory {run_dir}: cannot be written ({exc})") from None
    try:
        return _run_locked(plan, cache, RunStore(run_dir), options, resume=resume, progress=progress,
                           t_start=t_start)
    finally:
        lock.release()


def _run_locked(plan: RunPlan, cache: FusedCache, store: RunStore, options: dict, *, resume: bool,
                progress: bool, t_start: float) -> RunSummary:
    try:
        resumed = resume and (store.dir / "run.json").is_file()
        record = store.open(_record(plan, cache, options, resumed), resume=resume)
        if cache.root.is_dir():
            remove_stray_temporaries(cache.root)
    except OSError as exc:
        raise RunDirectoryError(f"run directory {store.dir}: cannot be written ({exc})") from None
    summary = RunSummary(plan.name, store.dir, tasks=plan.n_tasks, skipped=plan.skipped)
    recorder = _Recorder(store, cache, plan, summary, _make_bar(progress, plan.n_tasks, plan.name),
                         set(options["kept_pairs"]))
    previous_term = _sigterm_as_interrupt()
    try:
        execute_plan(plan, cache, recorder.consume, backend=options["backend"],
                     n_jobs=options["jobs"], isolate=options["isolate"], timeout=options["timeout"],
                     plugins=tuple(options["plugins"]), scheduler=options["scheduler"],
                     dask_processes=options["dask_processes"])
    except KeyboardInterrupt:
        summary.interrupted = True
        raise
    except OSError as exc:
        summary.error = f"cannot write the run directory {store.dir}: {exc}"
        if is_disk_error(exc):
            raise RunDirectoryError(summary.error) from None
        raise
    except Exception as exc:  # a bug, not a task failure: the run is not complete
        summary.error = f"{type(exc).__name__}: {exc}"
        raise
    finally:
        _restore_sigterm(previous_term)
        recorder.close()
        summary.wall_seconds = time.perf_counter() - t_start
        _finish(store, record, plan, summary)
    return summary


def _finish(store: RunStore, record: dict, plan: RunPlan, summary: RunSummary) -> None:
    """Merge and sort the CSVs and write the final run.json with an honest status."""
    order = {"pair": {pid: i for i, pid in enumerate(record["dataset"]["pairs"])},
             "method": {m: i for i, m in enumerate(record["methods"])}}
    failures_left = None
    try:
        failures_left = store.finalise(order)
    except OSError as exc:
        summary.error = summary.error or f"cannot write the run directory {store.dir}: {exc}"
    if summary.error:
        summary.status = "failed"
    elif summary.interrupted:
        summary.status = "interrupted"
    elif summary.failed or failures_left:
        summary.status = "complete-with-failures"
    else:
        summary.status = "complete"
    record.update(status=summary.status, end=_dt.datetime.now(_dt.timezone.utc).isoformat(),
                  summary=summary.as_dict(), device=plan.device)
    if summary.error:
        record["error"] = summary.error
    try:
        store.write_record(record)
    except OSError as exc:
        log.error("run.json of %s not updated: %s", store.dir, exc)


def _record(plan: RunPlan, cache: FusedCache, options: dict, resumed: bool) -> dict[str, Any]:
    import metrics as metrics_pkg

    ds = plan.dataset
    data_dir = options["data_dir"]
    return {
        "status": "running",
        "command": options["argv"] if options["argv"] is not None else sys.argv,
        "dataset": {"name": plan.name, "pairs": ds.ids(), "data_dir": str(data_dir) if data_dir else None,
                    "has_ground_truth": ds.has_ground_truth, "modality": ds.modality,
                    "tasks": list(ds.modalities),
                    "mixed_colour": sorted({t.mixed_colour for ts in plan.tasks.values()
                                            for t in ts})},
        "methods": {p.name: {"version": p.version, "kind": p.kind, "params": p.param_dict,
                             "source_sha256": p.source} for p in plan.methods},
        "metrics": {
            s.name: {
                "convention": s.convention,
                "version": s.version,
                "higher_is_better": metrics_pkg.get_metric(s.name).higher_is_better,
                "needs_reference": s.needs_reference,
                "needs_decision_map": s.needs_decision_map,
            }
            for s in plan.metrics
        },
        "convention": options["convention"], "score_as": options["score_as"],
        "backend": options["backend"], "jobs": options["jobs"],
        "isolate": options["isolate"], "device": plan.device, "timeout": options["timeout"],
        "plugins": options["plugins"], "cache_dir": str(cache.root), "resumed": resumed,
        "keep_images": options["keep_images"], "kept_pairs": options["kept_pairs"],
        "versions": _versions(), "git": _git_revision(), "machine": _machine(),
        "start": _dt.datetime.now(_dt.timezone.utc).isoformat(),
    }


# -- execute ------------------------------------------------------------------------
def execute_plan(plan: RunPlan, cache: FusedCache, consume, *, backend: str = "process",
                 n_jobs: int = 1, isolate: bool = True, timeout: float | None = None,
                 plugins: tuple[str, ...] = (), scheduler: str | None = None,
                 dask_processes: bool = True) -> None:
    """Call ``consume(result)`` for every task of ``plan``: cached ones first (from this
    process), then classic jobs on the backend, then deep jobs in a pool of one worker."""
    specs = list(plan.metrics)
    pending: dict[str, list[Task]] = {}
    for pair in plan.dataset:
        for task in plan.tasks.get(pair.id, ()):
            res, _entry = task_from_cache(cache, task, specs, pair.has_ground_truth, pair.has_mask)
            if res is not None and cache.has_sources(plan.pair_hashes[pair.id], pair.has_ground_truth):
                consume(res)
            else:
                pending.setdefault(pair.id, []).append(task)
    common = {"metrics": specs, "cache_root": str(cache.root), "plugins": plugins}
    chunks = max(1, math.ceil(2 * n_jobs / max(1, len(pending)))) if len(pending) < 2 * n_jobs else 1
    classic, deep = [], []
    for pair in plan.dataset:
        rest = pending.get(pair.id)
        if not rest:
            continue
        h = plan.pair_hashes[pair.id]
        for part in _split([t for t in rest if t.kind != "deep"], chunks):
            classic.append(Job(pair, h, part, **common))
        deep_tasks = [t for t in rest if t.kind == "deep"]
        if deep_tasks:
            deep.append(Job(pair, h, deep_tasks, **common))
    run = {"backend": backend, "isolate": isolate, "timeout": timeout, "plugins": plugins,
           "scheduler": scheduler, "dask_processes": dask_processes}
    for res in iter_results(classic, n_jobs=n_jobs, **run):
        consume(res)
    for res in iter_results(deep, n_jobs=1, **run):  # one model in memory (and on the GPU)
        consume(res)


def _split(items: list, n: int) -> list[list]:
    if not items:
        return []
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


# -- record ---------------------------------------------------------------------------
class _Recorder:
    """Writes each result to the run directory as it arrives and counts it."""

    def __init__(self, store: RunStore, cache: FusedCache, plan: RunPlan, summary: RunSummary, bar,
                 keep: set[str] | None = None):
        self.store, self.cache, self.plan, self.summary, self.bar = store, cache, plan, summary, bar
        self.sources_copied: set[str] = set()
        self.keep = set(plan.tasks) if keep is None else keep

    def consume(self, r: TaskResult) -> None:
        base = {"dataset": self.plan.name, "pair": r.pair_id, "method": r.method,
                "method_version": r.version}
        self._copy_images(r)
        status = "failed" if r.failed else ("cached" if r.cached else "computed")
        if r.note:
            log.warning("%s on %s: %s", r.method, r.pair_id, r.note)
            self.summary.notes += 1
        self.store.append("scores", [
            {**base, "metric": m, "convention": c, "value": repr(v)} for m, c, v in r.scores])
        self.store.append("timings", [{
            **base, "cached": r.cached, "fuse_seconds": f"{r.fuse_seconds:.4f}",
            "score_seconds": f"{r.score_seconds:.4f}", "status": status, "note": r.note}])
        self.store.append("failures", [
            {**base, "stage": f.stage, "metric": f.metric, "error": f.error, "traceback": f.traceback}
            for f in r.failures])
        for f in r.failures:
            self.summary.failures.append(
                (r.method, r.pair_id, f.stage + (f":{f.metric}" if f.metric else ""), f.error))
        if r.failed:
            self.summary.failed += 1
        elif r.cached:
            self.summary.cached += 1
        else:
            self.summary.computed += 1
        if self.bar is not None:
            self.bar.update(1)
            if self.summary.failed:
                self.bar.set_postfix(failed=self.summary.failed)

    def _copy_images(self, r: TaskResult) -> None:
        """Copy the pair's sources (first time) and, for a kept pair, the fused image and
        map; list each in images.csv with its sha256."""
        rows = []
        pair_hash = self.plan.pair_hashes[r.pair_id]

        def record(src, method, filename, key, keep):
            rows.append(self.store.record_image(src, self.plan.name, r.pair_id, method, filename,
                                                key, keep))

        if r.pair_id not in self.sources_copied:
            for role, src in self.cache.pair_files(pair_hash).items():
                if src.is_file():
                    record(src, "", f"{role}.png", pair_hash, True)
            self.sources_copied.add(r.pair_id)
        fused_ok = not any(f.stage in ("load", "fuse", "timeout", "worker") for f in r.failures)
        if fused_ok and self.cache.image_path(r.key).is_file():
            keep = r.pair_id in self.keep
            record(self.cache.image_path(r.key), r.method, f"{r.method}.png", r.key, keep)
            if r.has_decision_map:
                record(self.cache.decision_map_path(r.key), r.method, f"{r.method}.dm.png", r.key,
                       keep)
        self.store.append("images", rows)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _make_bar(progress: bool, total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="task", disable=not progress, dynamic_ncols=True,
                file=sys.stderr)


def _sigterm_as_interrupt():
    """While the run goes, SIGTERM ends it like Ctrl-C (status ``interrupted``)."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum, frame):
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, handler)


def _restore_sigterm(previous) -> None:
    if previous is not None:
        signal.signal(signal.SIGTERM, previous)
