"""Metric version guard: a metric's output may change only with a version bump.

Result caches and regression baselines key scores by ``Metric.version``. This
test recomputes every metric × convention on two small fixed embedded inputs
(scikit-image's camera and astronaut, 48×48 multi-focus pairs) and compares
with ``reference_values.json``, which stores each value with the version it
was computed under. After changing a metric on purpose, bump its ``version``
and regenerate the file::

    PYTHONPATH=. python tests/metrics/test_versions.py --regen
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import ndimage
from skimage import data

import metrics

REFERENCE = Path(__file__).with_name("reference_values.json")
REL_TOL = 1e-9  # platform noise (BLAS, FFT) stays far below this


def _inputs() -> dict[str, tuple[np.ndarray, ...]]:
    out = {}
    for kind, sharp in (("grey", data.camera()[200:248, 220:268]), ("colour", data.astronaut()[60:108, 200:248])):
        s = (1.5, 1.5, 0)[: sharp.ndim]
        blur = np.rint(ndimage.gaussian_filter(sharp.astype(np.float64), s)).astype(np.uint8)
        a, b = sharp.copy(), sharp.copy()
        a[:, 24:] = blur[:, 24:]
        b[:, :24] = blur[:, :24]
        out[kind] = (a, b, blur)
    return out


def _value(name: str, conv: str, a, b, f) -> float:
    m = metrics.get_metric(name)
    kw = {}
    if m.needs_reference:
        kw["reference"] = a
    if m.needs_decision_map:
        mask = np.zeros(f.shape[:2])
        mask[:, :24] = 1.0
        kw["mask"], kw["decision_map"] = mask, ndimage.gaussian_filter(mask, 2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return metrics.compute(name, a, b, f, convention=conv, **kw)


def current_values() -> dict[str, dict]:
    """``{"name|convention": {"version": v, "values": {kind: value}}}`` for every registered metric."""
    inputs = _inputs()
    out = {}
    for name in metrics.list_metrics():
        m = metrics.get_metric(name)
        for conv in m.conventions:
            vals = {kind: _value(name, conv, *x) for kind, x in inputs.items()}
            out[f"{name}|{conv}"] = {"version": m.version, "values": {k: repr(v) for k, v in vals.items()}}
    return out


def _same(old: str, new: str) -> bool:
    a, b = float(old), float(new)
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return old == new
    return math.isclose(a, b, rel_tol=REL_TOL, abs_tol=1e-15)


STORED = json.loads(REFERENCE.read_text()) if REFERENCE.is_file() else {}
CURRENT_KEYS = [f"{n}|{c}" for n in metrics.list_metrics() for c in metrics.get_metric(n).conventions]


@pytest.fixture(scope="module")
def current():
    return current_values()


@pytest.mark.parametrize("key", CURRENT_KEYS)
def test_output_changes_only_with_a_version_bump(key, current):
    name, conv = key.split("|")
    assert key in STORED, f"no reference value for metric {name!r} ({conv}): regenerate {REFERENCE.name}"
    old, new = STORED[key], current[key]
    if old["version"] != new["version"]:
        pytest.fail(
            f"metric {name!r} is version {new['version']} but {REFERENCE.name} holds version "
            f"{old['version']}: regenerate it (python tests/metrics/test_versions.py --regen)"
        )
    changed = {k: (old["values"][k], v) for k, v in new["values"].items() if not _same(old["values"][k], v)}
    assert not changed, (
        f"metric {name!r} ({conv}) changed its output on the reference inputs without a version bump "
        f"{changed}: bump the version of metric {name!r} and regenerate {REFERENCE.name}"
    )


def test_no_stale_reference_values():
    stale = sorted(set(STORED) - set(CURRENT_KEYS))
    assert not stale, f"{REFERENCE.name} lists unregistered metric conventions {stale}: regenerate it"


def test_every_metric_starts_at_a_declared_version():
    for name in metrics.list_metrics():
        assert metrics.get_metric(name).version.isdigit(), name


if __name__ == "__main__":
    if sys.argv[1:] != ["--regen"]:
        sys.exit(__doc__)
    REFERENCE.write_text(json.dumps(current_values(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {REFERENCE}")
