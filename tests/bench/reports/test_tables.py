"""Tables: values from scores.csv, direction-aware best/second marks, mean ranks."""

from __future__ import annotations

import pandas as pd
import pytest

from bench.reports.tables import Table, load_results, mean_std_table, per_pair_tables, rank_table


@pytest.fixture(scope="module")
def scores(run_dir):
    return pd.read_csv(run_dir / "scores.csv")


def test_mean_table_matches_scores_and_marks_follow_direction(run_dir, scores):
    res = load_results(run_dir)
    assert res.higher_is_better == {"qsf": True, "rmse": False}  # from the metric registry
    t = mean_std_table(res, rank_baselines=True)  # all three methods compete
    expected = scores.groupby(["method", "metric"])["value"].agg(["mean", "std"])
    marks = t.marks()
    for metric, higher in (("qsf", True), ("rmse", False)):
        col = expected.xs(metric, level="metric")["mean"].round(3)
        ordered = sorted(col.unique(), reverse=higher)
        assert set(marks.index[marks[metric] == "best"]) == set(col.index[col == ordered[0]])
        assert set(marks.index[marks[metric] == "second"]) == set(col.index[col == ordered[1]])
        for method in col.index:
            assert t.values.loc[method, metric] == pytest.approx(expected.loc[(method, metric), "mean"])
            assert t.std.loc[method, metric] == pytest.approx(expected.loc[(method, metric), "std"])
    assert t.arrow("rmse") == "↓" and t.arrow("qsf") == "↑"
    assert t.cell_text("average", "qsf").count(".") == 2 and " ± " in t.cell_text("average", "qsf")


def test_per_pair_tables_mirror_scores(run_dir, scores):
    tables = per_pair_tables(load_results(run_dir))
    assert [t.name for t in tables] == ["pair-lytro-01", "pair-lytro-02", "pair-lytro-03"]
    t = tables[1]
    sub = scores[scores["pair"] == "lytro-02"].set_index(["method", "metric"])["value"]
    for (method, metric), v in sub.items():
        assert t.values.loc[method, metric] == pytest.approx(v)


def test_rank_table_is_a_ranking(run_dir, scores):
    t = rank_table(load_results(run_dir))
    n = len(t.rows)
    # mean ranks of n methods always sum to 1 + ... + n (per metric and overall)
    for col in t.columns:
        assert t.values[col].sum() == pytest.approx(n * (n + 1) / 2)
    # the method with the lowest rmse on every pair has mean rank 1 for rmse
    best = scores[scores.metric == "rmse"].pivot(index="pair", columns="method", values="value").idxmin(axis=1)
    if best.nunique() == 1:
        assert t.values.loc[best.iloc[0], "rmse"] == 1.0
    assert t.higher_is_better["all"] is False


def test_baselines_are_last_and_unmarked_unless_asked(run_dir):
    res = load_results(run_dir)
    default = mean_std_table(res)
    assert default.rows == ["msvd", "average", "max-abs"]  # baselines after the methods
    assert default.baselines == ("average", "max-abs")
    marks = default.marks()
    assert (marks.loc[["average", "max-abs"]] == "").all().all()
    assert (marks.loc["msvd"] == "").all()  # a lone competitor is not "best" of anything
    ranked = mean_std_table(res, rank_baselines=True).marks()
    assert (ranked.loc[["average", "max-abs"]] != "").any().any()
    assert ((ranked == "best").sum() >= 1).all()  # every column has a best once they compete
    assert default.label("msvd") == "MSVD" and default.symbol("rmse") == r"\mathrm{RMSE}"


def test_ties_at_the_printed_precision_share_the_mark():
    values = pd.DataFrame({"q": [0.73124, 0.73089, 0.7200, 0.6]}, index=["a", "b", "c", "d"])
    t = Table("t", "", values, {"q": True})
    marks = t.marks()["q"].to_dict()
    # 0.73124 and 0.73089 both print as 0.731: both bold; 0.720 is then second
    assert marks == {"a": "best", "b": "best", "c": "second", "d": ""}
    t4 = Table("t", "", values, {"q": True}, decimals=4)
    assert t4.marks()["q"].to_dict() == {"a": "best", "b": "second", "c": "", "d": ""}
