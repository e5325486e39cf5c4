"""Score baselines and regression detection (separate from running).

A *baseline* is a committed copy of a run's tidy scores
(``reports/baselines/NAME.csv``: dataset, pair, method, method_version,
metric, convention, value) plus a JSON header (when, versions, command).
:func:`compare` lines a run's scores up against a baseline per
(dataset, pair, method, metric, convention) and classifies each row.
"""

from bench.regression.baseline import load_baseline, save_baseline
from bench.regression.compare import Comparison, compare

__all__ = ["Comparison", "compare", "load_baseline", "save_baseline"]
