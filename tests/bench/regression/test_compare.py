"""Regression classification on tidy score tables (direction from the metric registry)."""

import pandas as pd

from bench.regression import compare


def _rows(values, version="1"):
    return pd.DataFrame(
        [
            {"dataset": "d", "pair": p, "method": m, "method_version": version if m == "a" else "1",
             "metric": k, "convention": "default", "value": v}
            for (p, m, k), v in values.items()
        ]
    )


def test_direction_aware_classification():
    import metrics

    lower = next(n for n in metrics.list_metrics() if not metrics.get_metric(n).higher_is_better) \
        if any(not metrics.get_metric(n).higher_is_better for n in metrics.list_metrics()) else None
    base = {("p1", "a", "qsf"): 10.0, ("p1", "b", "qsf"): 10.0, ("p2", "a", "qsf"): 5.0}
    new = {("p1", "a", "qsf"): 9.0, ("p1", "b", "qsf"): 10.0 + 1e-9, ("p2", "a", "qsf"): 6.0}
    if lower:
        base[("p1", "a", lower)] = 1.0
        new[("p1", "a", lower)] = 2.0  # higher is worse for this metric
    c = compare(_rows(new), _rows(base))
    st = {(r.pair, r.method, r.metric): r.status for r in c.rows.itertuples()}
    assert st[("p1", "a", "qsf")] == "regression"
    assert st[("p1", "b", "qsf")] == "ok"
    assert st[("p2", "a", "qsf")] == "improvement"
    if lower:
        assert st[("p1", "a", lower)] == "regression"
    assert c.has_regressions and "a" in c.summary()


def test_new_vanished_and_version_change():
    base = {("p1", "a", "qsf"): 10.0, ("p1", "b", "qsf"): 3.0}
    new = {("p1", "a", "qsf"): 1.0, ("p2", "b", "qsf"): 3.0}
    c = compare(_rows(new, version="2"), _rows(base))
    st = {(r.pair, r.method): r.status for r in c.rows.itertuples()}
    assert st[("p1", "a")] == "version-changed"  # expected change, not a regression
    assert st[("p1", "b")] == "vanished" and st[("p2", "b")] == "new"
    assert not c.has_regressions


def test_tolerances():
    base = {("p1", "a", "qsf"): 10.0}
    new = {("p1", "a", "qsf"): 9.99}
    assert compare(_rows(new), _rows(base)).has_regressions
    assert not compare(_rows(new), _rows(base), per_metric={"qsf": 0.02}).has_regressions
    assert not compare(_rows(new), _rows(base), rtol=0.01).has_regressions
