"""The benchmark runner: (method × pair) fan-out with a content-addressed cache.

    >>> from bench.runner import run_benchmark
    >>> s = run_benchmark("lytro", methods="classic", metrics="qabf,qsf",
    ...                   data_dir="../shared/datasets", jobs=2)          # doctest: +SKIP
    >>> s.ok, s.run_dir                                                   # doctest: +SKIP

Modules: :mod:`~bench.runner.tasks` (selection, cache keys),
:mod:`~bench.runner.cache` (fused-image store), :mod:`~bench.runner.execute`
(jobs, backends, failure capture), :mod:`~bench.runner.store` (run
directory), :mod:`~bench.runner.benchmark` (the orchestration),
:mod:`~bench.runner.pairs` (pairs from files or arrays).
"""

from bench.runner.benchmark import RunSummary, default_run_dir, run_benchmark
from bench.runner.cache import FusedCache, default_cache_dir
from bench.runner.pairs import array_pair, file_pair
from bench.runner.store import RunStore
from bench.runner.tasks import cache_key, select_methods, select_metrics

__all__ = [
    "FusedCache",
    "RunStore",
    "RunSummary",
    "array_pair",
    "cache_key",
    "default_cache_dir",
    "default_run_dir",
    "file_pair",
    "run_benchmark",
    "select_methods",
    "select_metrics",
]
