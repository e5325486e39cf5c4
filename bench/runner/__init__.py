"""The benchmark runner: (method × pair) fan-out with a content-addressed cache.

    >>> from bench.runner import run_benchmark, array_pair
    >>> callable(run_benchmark), array_pair("p", [[0.0]], [[1.0]]).id
    (True, 'p')

Modules: :mod:`~bench.runner.tasks` (selection, cache keys),
:mod:`~bench.runner.cache` (fused-image store, verified reads),
:mod:`~bench.runner.execute` (jobs, backends, failure capture),
:mod:`~bench.runner.pool` (supervised worker processes),
:mod:`~bench.runner.benchmark` (plan, execute, record),
:mod:`~bench.runner.pairs` (pairs from files or arrays). The run directory's
format belongs to :mod:`bench.results`.
"""

from bench.runner.benchmark import RunSummary, default_run_dir, run_benchmark
from bench.runner.cache import FusedCache, default_cache_dir
from bench.runner.pairs import array_pair, file_pair
from bench.runner.tasks import cache_key, select_methods, select_metrics

__all__ = [
    "FusedCache",
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
