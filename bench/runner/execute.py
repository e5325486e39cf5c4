"""Executing jobs: fuse + score with failure capture, on loky / threading / dask.

A *job* is one pair with the tasks (methods) to run on it, so the pair's
sources, ground truth and mask are decoded once per job, not once per method
or metric. :func:`run_job` never raises: every exception, NaN/inf output,
wrong shape or timeout becomes a failure record on its task, and the other
tasks of the job go on. Results are written to the cache inside the job, so
a killed run keeps everything already finished.

Backends (:func:`iter_job_results`, results are yielded as jobs finish):

* ``loky`` (default): joblib worker processes;
* ``threading``: joblib threads (light, but a hung method cannot be stopped);
* ``dask``: a ``dask.distributed`` cluster at ``scheduler`` or a LocalCluster;
* deep (torch) methods never go to workers: the runner calls
  :func:`run_job` in the main process (no forked CUDA context).

Per-task timeouts use ``SIGALRM`` where the job runs in a process's main
thread (loky workers, the main process). In threads (``threading``,
``dask`` with threaded workers) a method that overruns is recorded as timed
out when it returns.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.datasets.base import Pair
from bench.io import to_uint
from bench.runner.cache import FusedCache
from bench.runner.tasks import MetricSpec, Task


class TaskTimeout(Exception):
    """A method ran longer than the per-task timeout."""


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

    @property
    def failed(self) -> bool:
        return bool(self.failures)


@dataclass
class Job:
    pair: Pair
    pair_hash: str
    tasks: list[Task]
    metrics: list[MetricSpec]
    cache_root: str
    plugins: tuple[str, ...] = ()
    timeout: float | None = None


# -- helpers -----------------------------------------------------------------
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


def _load_plugins(paths: tuple[str, ...]) -> None:
    if paths:
        from methods.plugins import load_plugin_file

        for p in paths:
            load_plugin_file(p)


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


# -- the job -----------------------------------------------------------------
def run_job(job: Job) -> list[TaskResult]:
    """Fuse (or fetch from the cache) and score every task of ``job``; never raises."""
    import metrics

    results = [TaskResult(t.method, t.version, t.pair_id, t.key) for t in job.tasks]
    cache = FusedCache(job.cache_root)
    try:
        _load_plugins(job.plugins)
        pair = job.pair
        a, b = pair.a, pair.b
        gt, mask = pair.ground_truth, pair.mask
        depth = source_bit_depth(pair, a, b)
        if not cache.has_sources(job.pair_hash, gt is not None):
            cache.put_sources(job.pair_hash, {"A": a, "B": b, "GT": gt, "mask": mask}, depth)
    except Exception as exc:
        for r in results:
            r.failures.append(Failure("load", _describe(exc), traceback.format_exc()))
        return results

    for task, res in zip(job.tasks, results):
        meta = cache.load_meta(task.key) if cache.has_fused(task.key) else None
        try:
            if meta is not None:
                image, dm = cache.load_fused(task.key)
                res.cached = True
                res.fuse_seconds = float(meta.get("fuse_seconds", float("nan")))
            else:
                method = _method_instance(task.method)
                what = f"method {task.method!r} on pair {task.pair_id!r}"
                t0 = time.perf_counter()
                with deadline(job.timeout, what):
                    out = method.fuse(a, b, **task.overrides)
                res.fuse_seconds = time.perf_counter() - t0
                if job.timeout and res.fuse_seconds > job.timeout:
                    raise TaskTimeout(f"{what} took {res.fuse_seconds:.1f} s (timeout {job.timeout:g} s)")
                image = quantise(out.image, depth)
                dm = quantise_map(out.decision_map) if out.decision_map is not None else None
                meta = {
                    "method": task.method,
                    "version": task.version,
                    "params": task.params,
                    "pair": task.pair_id,
                    "pair_hash": job.pair_hash,
                    "bit_depth": depth,
                    "fuse_seconds": res.fuse_seconds,
                }
                cache.put_fused(task.key, image, dm, depth, meta)
                meta = cache.load_meta(task.key) or {**meta, "scores": {}}
        except TaskTimeout as exc:
            res.failures.append(Failure("timeout", str(exc)))
            continue
        except Exception as exc:
            res.failures.append(Failure("fuse", _describe(exc), traceback.format_exc()))
            continue
        res.has_decision_map = dm is not None

        t0 = time.perf_counter()
        cached_scores = meta.get("scores", {})
        new_scores: dict[str, float] = {}
        for spec in job.metrics:
            if not spec.applicable(gt is not None, mask is not None, dm is not None):
                continue
            value = cached_scores.get(spec.key)
            if value is None:
                try:
                    value = metrics.compute(
                        spec.name, a, b, image, convention=spec.convention,
                        reference=gt if spec.needs_reference else None,
                        mask=mask if spec.needs_decision_map else None,
                        decision_map=dm if spec.needs_decision_map else None,
                    )
                except Exception as exc:
                    res.failures.append(
                        Failure("score", _describe(exc), traceback.format_exc(), metric=spec.name)
                    )
                    continue
                if not np.isfinite(value):
                    res.failures.append(Failure("score", f"metric returned {value}", metric=spec.name))
                    continue
                new_scores[spec.key] = value
            res.scores.append((spec.name, spec.convention, float(value)))
        if new_scores:
            cache.put_scores(task.key, meta, new_scores)
        res.score_seconds = time.perf_counter() - t0
    return results


def failed_results(job: Job, exc: BaseException) -> list[TaskResult]:
    """Results marking every task of ``job`` failed (a worker died under it)."""
    out = []
    for t in job.tasks:
        r = TaskResult(t.method, t.version, t.pair_id, t.key)
        r.failures.append(Failure("worker", _describe(exc)))
        out.append(r)
    return out


# -- backends ------------------------------------------------------------------
def iter_job_results(
    jobs: list[Job],
    backend: str = "loky",
    n_jobs: int = 1,
    *,
    scheduler: str | None = None,
    dask_processes: bool = True,
) -> Iterator[tuple[Job, list[TaskResult]]]:
    """Yield ``(job, results)`` as jobs finish, in any order."""
    if not jobs:
        return
    if backend == "dask":
        yield from _iter_dask(jobs, n_jobs, scheduler, dask_processes)
        return
    if backend not in ("loky", "threading"):
        raise ValueError(f"unknown backend {backend!r} (loky, threading, dask)")
    if n_jobs <= 1 or len(jobs) == 1:
        for job in jobs:
            yield job, run_job(job)
        return
    yield from _iter_joblib(jobs, backend, n_jobs)


def _tagged(index: int, job: Job) -> tuple[int, list[TaskResult]]:
    return index, run_job(job)


def _iter_joblib(jobs, backend, n_jobs):
    from joblib import Parallel, delayed

    done: set[int] = set()
    try:
        gen = Parallel(n_jobs=n_jobs, backend=backend, return_as="generator_unordered")(
            delayed(_tagged)(i, job) for i, job in enumerate(jobs)
        )
        for i, results in gen:
            done.add(i)
            yield jobs[i], results
    except (KeyboardInterrupt, GeneratorExit):
        raise
    except Exception as exc:  # a worker died (segfault, OOM kill): fail what is left
        for i, job in enumerate(jobs):
            if i not in done:
                yield job, failed_results(job, exc)


def _iter_dask(jobs, n_jobs, scheduler, processes):
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
                yield job, fut.result()
            except Exception as exc:
                yield job, failed_results(job, exc)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
