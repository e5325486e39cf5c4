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

    assert not metrics.get_metric("qlabf").higher_is_better  # the lower-is-better case below
    base = {("p1", "a", "qsf"): 10.0, ("p1", "b", "qsf"): 10.0, ("p2", "a", "qsf"): 5.0,
            ("p1", "a", "qlabf"): 0.1, ("p2", "a", "qlabf"): 0.2}
    new = {("p1", "a", "qsf"): 9.0, ("p1", "b", "qsf"): 10.0 + 1e-9, ("p2", "a", "qsf"): 6.0,
           ("p1", "a", "qlabf"): 0.3, ("p2", "a", "qlabf"): 0.1}
    c = compare(_rows(new), _rows(base))
    st = {(r.pair, r.method, r.metric): r.status for r in c.rows.itertuples()}
    assert st[("p1", "a", "qsf")] == "regression"
    assert st[("p1", "b", "qsf")] == "ok"
    assert st[("p2", "a", "qsf")] == "improvement"
    assert st[("p1", "a", "qlabf")] == "regression"  # higher is worse for this metric
    assert st[("p2", "a", "qlabf")] == "improvement"
    assert c.has_regressions and "regressed methods: a" in c.summary()


def test_worst_first_is_by_relative_change_and_grouped_per_metric():
    # qsf drops by 1 of 10 (10 %), qlabf rises from 0.1 to 0.3 (200 %): qlabf is worse.
    base = {("p1", "a", "qsf"): 10.0, ("p2", "a", "qsf"): 10.0, ("p1", "a", "qlabf"): 0.1}
    new = {("p1", "a", "qsf"): 9.0, ("p2", "a", "qsf"): 8.0, ("p1", "a", "qlabf"): 0.3}
    c = compare(_rows(new), _rows(base))
    worst = c.worst_first()
    assert list(worst.metric[:3]) == ["qlabf", "qsf", "qsf"] and list(worst.pair[1:3]) == ["p2", "p1"]
    g = c.by_method_metric().set_index("metric")
    assert g.loc["qsf", "pairs"] == 2 and abs(g.loc["qsf", "mean_delta"] + 1.5) < 1e-12
    assert abs(g.loc["qsf", "worst_rel_change"] + 0.2) < 1e-12
    md = c.to_markdown()
    assert md.index("qlabf") < md.index("qsf") and "Regressions by method and metric" in md


def test_new_vanished_and_version_change():
    base = {("p1", "a", "qsf"): 10.0, ("p1", "b", "qsf"): 3.0}
    new = {("p1", "a", "qsf"): 1.0, ("p2", "b", "qsf"): 3.0}
    c = compare(_rows(new, version="2"), _rows(base))
    st = {(r.pair, r.method): r.status for r in c.rows.itertuples()}
    assert st[("p1", "a")] == "version-changed"  # expected change, not a regression
    assert st[("p1", "b")] == "vanished" and st[("p2", "b")] == "new"
    assert not c.has_regressions
    vc = c.version_changes()
    assert vc.to_dict(orient="records") == [{"method": "a", "old_version": "1", "new_version": "2", "scores": 1}]
    presence = c.presence_changes()
    assert presence["vanished"]["pair"] == [] and presence["vanished"]["rows"] == 1  # p1 still has method a
    assert presence["new"]["pair"] == ["p2"] and presence["new"]["method"] == []
    assert len(c.vanished) == 1


def test_tolerances():
    base = {("p1", "a", "qsf"): 10.0}
    new = {("p1", "a", "qsf"): 9.99}
    assert compare(_rows(new), _rows(base)).has_regressions
    assert not compare(_rows(new), _rows(base), per_metric={"qsf": 0.02}).has_regressions
    assert not compare(_rows(new), _rows(base), rtol=0.01).has_regressions
