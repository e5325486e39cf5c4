"""Executing jobs: fuse + score with failure capture, isolated in worker processes.

A *job* is one pair with the tasks (methods) to run on it, so the pair's sources,
ground truth and mask are decoded once per job, and the metrics' features of
the sources (luma, grey levels, Sobel maps: :mod:`metrics.features`) are
computed once per job and shared by every method's scoring. The decoded arrays are made
read-only (and every method gets private read-only copies, see
:meth:`methods.base.FusionMethod.fuse`), so no plugin can change what another
method or a metric sees. :func:`iter_job` never raises: every exception, bad
output or cache problem becomes a failure or a note on its task. Results are
written to the cache inside the job, so a killed run keeps everything finished.
:func:`task_from_cache` is the one cached-result lookup, used by the main process
(tasks answered without a worker) and by the workers.

Where jobs run (:func:`iter_results`):

* ``process`` backend (default, ``isolate=True``): a supervised pool of worker
  processes (:mod:`bench.runner.pool`); a worker that dies fails only the task it
  was running, a task past ``timeout`` is ended by killing its worker;
* ``isolate=False`` (``--isolate off``): the main process, one job after another;
  the timeout is a ``SIGALRM`` that a plugin can catch, and a crash ends the run;
* ``threading``: threads of the main process (no isolation, no timeout);
* ``dask``: a ``dask.distributed`` cluster (no timeout).
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bench.datasets.base import Pair
from bench.io import to_uint
from bench.runner.cache import Entry, FusedCache
from bench.runner.tasks import MetricSpec, Task
from bench.score_as import as_scored


class TaskTimeout(Exception):
    """A method ran longer than the per-task timeout (in-process runs only)."""


@dataclass
class Failure:
    stage: str  # load | fuse | timeout | score | worker
    error: str
    traceback: str = ""
    metric: str = ""


@dataclass
class TaskResult:
    method: str
    version: str
    pair_id: str
    key: str
    cached: bool = False
    fuse_seconds: float = float("nan")
    score_seconds: float = 0.0
    scores: list[tuple[str, str, float]] = field(default_factory=list)  # (metric, convention, value)
    failures: list[Failure] = field(default_factory=list)
    has_decision_map: bool = False
    note: str = ""  # e.g. a corrupt cache entry that was recomputed

    @property
    def failed(self) -> bool:
        return bool(self.failures)

    @classmethod
    def of(cls, task: Task) -> TaskResult:
        return cls(task.method, task.version, task.pair_id, task.key)

    @classmethod
    def failure(cls, task: Task, stage: str, error: str) -> TaskResult:
        res = cls.of(task)
        res.failures.append(Failure(stage, error))
        return res


@dataclass
class Job:
    pair: Pair
    pair_hash: str
    tasks: list[Task]
    metrics: list[MetricSpec]
    cache_root: str
    plugins: tuple[str, ...] = ()
    soft_timeout: float | None = None  # SIGALRM timeout, for in-process runs

    def with_tasks(self, tasks: list[Task]) -> Job:
        return replace(self, tasks=list(tasks))


# -- helpers -----------------------------------------------------------------
_ALLOCATOR: list[bool] = []


def tune_allocator() -> bool:
    """Let glibc keep freed image-sized buffers instead of unmapping them (once per process).

    By default glibc serves every allocation above a (dynamic) threshold with
    a fresh ``mmap`` and unmaps it on free, so each float64 temporary of a
    metric page-faults on first touch: at 520² that is about half the scoring
    time on a loaded machine (docs/performance.md). Raising the mmap and trim
    thresholds to 32 MiB / 1 GiB keeps those buffers in the heap for reuse.
    Affects speed only, never values. Returns False where it does not apply
    (not glibc). Called by every job; a worker process is the runner's own.
    """
    if not _ALLOCATOR:
        ok = False
        try:
            import ctypes

            libc = ctypes.CDLL(None)
            m_trim_threshold, m_mmap_threshold = -1, -3
            ok = bool(libc.mallopt(m_mmap_threshold, 32 << 20)) and bool(libc.mallopt(m_trim_threshold, 1 << 30))
        except (OSError, AttributeError):
            ok = False
        _ALLOCATOR.append(ok)
    return _ALLOCATOR[0]


def source_bit_depth(pair: Pair, a: np.ndarray, b: np.ndarray) -> int:
    """16 when the pair says so or its pixels are not whole 8-bit values, else 8."""
    declared = pair.meta.get("bit_depth") if pair.meta else None
    if declared in (8, 16):
        return int(declared)
    whole = all(np.array_equal(x, np.rint(x)) for x in (a, b))
    return 8 if whole else 16


def quantise(image: np.ndarray, bit_depth: int) -> np.ndarray:
    """The float image exactly as it reads back from the cache PNG."""
    q = to_uint(image, bit_depth).astype(np.float64)
    return q / 257.0 if bit_depth == 16 else q


def quantise_map(dm: np.ndarray) -> np.ndarray:
    """A decision map exactly as it reads back from its 16-bit PNG."""
    return to_uint(np.asarray(dm) * 255.0, 16).astype(np.float64) / 257.0 / 255.0


@contextlib.contextmanager
def deadline(seconds: float | None, what: str):
    """Raise :class:`TaskTimeout` after ``seconds`` (main thread only; else a no-op)."""
    usable = (
        seconds
        and seconds > 0
        and hasattr(signal, "SIGALRM")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _alarm(signum, frame):
        raise TaskTimeout(f"{what} exceeded the {seconds:g} s timeout")

    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


_INSTANCES: dict[str, tuple[type, Any]] = {}


def _method_instance(name: str):
    """One instance per method per process (deep methods keep their network loaded)."""
    import methods

    cls = methods.METHODS.get(name)
    hit = _INSTANCES.get(name)
    if hit is None or hit[0] is not cls:
        hit = (cls, cls())
        _INSTANCES[name] = hit
    return hit[1]


def load_plugins(paths: tuple[str, ...]) -> None:
    if paths:
        from methods.plugins import load_plugin_file

        for p in paths:
            load_plugin_file(p)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _frozen(x: np.ndarray | None) -> np.ndarray | None:
    if x is not None:
        x = np.array(x, dtype=np.float64, copy=True)
        x.setflags(write=False)
    return x


# -- the one cached-result lookup ----------------------------------------------------
def task_from_cache(
    cache: FusedCache, task: Task, specs: list[MetricSpec], has_gt: bool, has_mask: bool
) -> tuple[TaskResult | None, Entry | None]:
    """(the complete cached result or None, the verified cache entry or None).

    The result is complete when the fused image verifies and every applicable score is
    cached and valid; otherwise the entry (if any) tells the caller what can be reused.
    """
    entry = cache.lookup(task.key)
    if entry is None or entry.problem:
        return None, entry
    res = TaskResult.of(task)
    res.cached, res.fuse_seconds, res.has_decision_map = True, entry.fuse_seconds, entry.has_decision_map
    for spec in specs:
        if not spec.applicable(has_gt, has_mask, entry.has_decision_map):
            continue
        if spec.key not in entry.scores:
            return None, entry
        res.scores.append((spec.name, spec.convention, entry.scores[spec.key]))
    return res, entry


# -- the job -----------------------------------------------------------------
def iter_job(job: Job) -> Iterator[tuple]:
    """Events of one job: ``("start", i)`` before task ``i``, ``("done", i, TaskResult)``
    after it. Never raises for a task's failure."""
    cache = FusedCache(job.cache_root)
    tune_allocator()
    try:
        load_plugins(job.plugins)
        pair = job.pair
        a, b = _frozen(pair.a), _frozen(pair.b)
        gt, mask = _frozen(pair.ground_truth), _frozen(pair.mask)
        depth = source_bit_depth(pair, a, b)
        if not cache.has_sources(job.pair_hash, gt is not None):
            cache.put_sources(job.pair_hash, {"A": a, "B": b, "GT": gt, "mask": mask}, depth)
    except Exception as exc:
        tb = traceback.format_exc()
        for i, task in enumerate(job.tasks):
            res = TaskResult.of(task)
            res.failures.append(Failure("load", _describe(exc), tb))
            yield "done", i, res
        return
    sources = (a, b, gt, mask, depth)
    from metrics.features import FeatureCache, shared_features

    features = FeatureCache()  # the sources' features, shared by every method's scoring
    for i, task in enumerate(job.tasks):
        yield "start", i
        with shared_features(features):
            res = run_task(job, task, cache, sources)
        features.keep_only(a, b, gt, mask)  # forget this method's fused image
        yield "done", i, res


def run_job(job: Job) -> list[TaskResult]:
    """Every task of ``job``, in the calling process."""
    return [ev[2] for ev in iter_job(job) if ev[0] == "done"]


def run_task(job: Job, task: Task, cache: FusedCache, sources) -> TaskResult:
    """Fuse (or reuse the verified cached image) and score one task."""
    import metrics

    a, b, gt, mask, depth = sources
    res = TaskResult.of(task)
    done, entry = task_from_cache(cache, task, job.metrics, gt is not None, mask is not None)
    if done is not None:
        return done
    if entry is not None and entry.problem:
        res.note = f"{entry.problem}; recomputed"
    try:
        if entry is not None and entry.image_ok:
            image, dm = entry.load()
            res.cached, res.fuse_seconds, meta = True, entry.fuse_seconds, entry.meta
            scores = dict(entry.scores)
        else:
            method = _method_instance(task.method)
            what = f"method {task.method!r} on pair {task.pair_id!r}"
            t0 = time.perf_counter()
            with deadline(job.soft_timeout, what):
                out = method.fuse(a, b, params=task.make_params(), mixed_colour=task.mixed_colour)
            res.fuse_seconds = time.perf_counter() - t0
            image = quantise(out.image, depth)
            dm = quantise_map(out.decision_map) if out.decision_map is not None else None
            meta = cache.put_fused(task.key, image, dm, depth, {
                "method": task.method, "version": task.version, "params": dict(task.params),
                "pair": task.pair_id, "pair_hash": job.pair_hash, "bit_depth": depth,
                "fuse_seconds": res.fuse_seconds,
            })
            scores = {}
    except TaskTimeout as exc:
        res.failures.append(Failure("timeout", str(exc)))
        return res
    except Exception as exc:
        res.failures.append(Failure("fuse", _describe(exc), traceback.format_exc()))
        return res
    res.has_decision_map = dm is not None

    t0 = time.perf_counter()
    new = False
    scored: dict[str, np.ndarray] = {}  # --score-as -> the image the metrics see
    for spec in job.metrics:
        if not spec.applicable(gt is not None, mask is not None, dm is not None):
            continue
        value = scores.get(spec.key)
        if value is None:
            try:
                if spec.score_as not in scored:
                    scored[spec.score_as] = as_scored(image, spec.score_as)
                value = float(metrics.compute(
                    spec.name, a, b, scored[spec.score_as], convention=spec.convention,
                    reference=gt if spec.needs_reference else None,
                    mask=mask if spec.needs_decision_map else None,
                    decision_map=dm if spec.needs_decision_map else None,
                ))
            except Exception as exc:
                res.failures.append(
                    Failure("score", _describe(exc), traceback.format_exc(), metric=spec.name)
                )
                continue
            if not np.isfinite(value):
                res.failures.append(Failure("score", f"metric returned {value}", metric=spec.name))
                continue
            scores[spec.key], new = value, True
        res.scores.append((spec.name, spec.convention, value))
    if new:
        try:
            cache.put_scores(meta, task.key, scores)
        except OSError as exc:
            res.note = (res.note + "; " if res.note else "") + f"scores not cached ({exc})"
    res.score_seconds = time.perf_counter() - t0
    return res


# -- where jobs run ------------------------------------------------------------------
def iter_results(
    jobs: list[Job],
    *,
    backend: str = "process",
    n_jobs: int = 1,
    isolate: bool = True,
    timeout: float | None = None,
    plugins: tuple[str, ...] = (),
    scheduler: str | None = None,
    dask_processes: bool = True,
) -> Iterator[TaskResult]:
    """Yield each task's result as it finishes, in any order."""
    if not jobs:
        return
    if backend == "dask":
        yield from _iter_dask(jobs, n_jobs, scheduler, dask_processes)
    elif backend == "threading":
        yield from _iter_threads(jobs, n_jobs)
    elif not isolate:
        for job in jobs:
            yield from run_job(replace(job, soft_timeout=timeout))
    else:
        from bench.runner.pool import WorkerPool

        with WorkerPool(n_jobs, plugins=plugins) as pool:
            yield from pool.run(jobs, timeout)


def _iter_threads(jobs: list[Job], n_jobs: int) -> Iterator[TaskResult]:
    from concurrent.futures import ThreadPoolExecutor, as_completed

    with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as ex:
        futures = [ex.submit(run_job, job) for job in jobs]
        try:
            for fut in as_completed(futures):
                yield from fut.result()
        finally:
            for fut in futures:
                fut.cancel()


def _iter_dask(jobs, n_jobs, scheduler, processes) -> Iterator[TaskResult]:
    import logging

    from dask.distributed import Client, LocalCluster, as_completed

    if not logging.getLogger().isEnabledFor(logging.DEBUG):
        logging.getLogger("distributed").setLevel(logging.WARNING)  # cluster chatter
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(
            n_workers=max(1, n_jobs), threads_per_worker=1, processes=processes, dashboard_address=None
        )
        client = Client(cluster)
    try:
        futures = client.map(run_job, jobs, pure=False)
        index = {f.key: j for f, j in zip(futures, jobs)}
        for fut in as_completed(futures):
            job = index[fut.key]
            try:
                yield from fut.result()
            except Exception as exc:  # the dask worker died under the job
                for t in job.tasks:
                    yield TaskResult.failure(t, "worker", f"dask worker lost: {_describe(exc)}")
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
