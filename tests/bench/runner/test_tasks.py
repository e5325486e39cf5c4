"""Method/metric selection and cache keys."""

from __future__ import annotations

import pytest

import methods
from bench.errors import FusebenchError
from bench.runner.tasks import cache_key, metric_specs, plan_methods, select_methods, select_metrics


def test_select_methods_groups_and_wildcards():
    assert select_methods("all") == methods.list_methods("*")
    classic = select_methods("classic")
    assert "average" in classic and all(methods.METHODS.get(n).kind == "classic" for n in classic)
    assert set(select_methods("deep")) == set(methods.list_methods("*", kind="deep"))
    assert select_methods("max*,average,average") == ["max-abs", "average"]
    with pytest.raises(FusebenchError, match="did you mean"):
        select_methods("averge")


def test_select_metrics_defaults_to_registered_paper_metrics():
    import metrics

    assert select_metrics(None) == [m for m in metrics.PAPER_FIVE if m in metrics.METRICS]
    assert select_metrics("qsf,rm*") == ["qsf"] + [m for m in metrics.list_metrics("rm*") if m != "qsf"]
    assert "rmse" in select_metrics("rm*")


def test_cache_key_depends_on_what_changes_the_output():
    base = cache_key("gff", "1", {"r1": 45, "eps1": 0.3}, "pairhash")
    assert base == cache_key("gff", "1", {"eps1": 0.3, "r1": 45}, "pairhash")  # order-free
    assert base != cache_key("gff", "1", {"r1": 30, "eps1": 0.3}, "pairhash")
    assert base != cache_key("gff", "2", {"r1": 45, "eps1": 0.3}, "pairhash")
    assert base != cache_key("gff", "1", {"r1": 45, "eps1": 0.3}, "otherpair")
    # where a method runs is not what it computes
    assert base == cache_key("gff", "1", {"r1": 45, "eps1": 0.3, "device": "cuda"}, "pairhash")
    # plugin code: its source digest is part of the key
    assert base != cache_key("gff", "1", {"r1": 45, "eps1": 0.3}, "pairhash", source="0123abcd")


def test_plan_methods_resolves_overrides_into_full_parameters():
    (plan,) = plan_methods(["average"], {}, "cpu")
    assert plan.param_dict == {} and plan.source is None  # average has no device field
    (gff,) = plan_methods(["gff"], {"gff": {"r1": "30"}}, "cpu")
    assert gff.params.r1 == 30 and isinstance(gff.params, methods.METHODS.get("gff").Params)
    with pytest.raises(FusebenchError, match="not selected"):
        plan_methods(["average"], {"max-abs": {"x": "1"}}, None)


def test_metric_specs_skip_metrics_without_the_convention():
    specs, skipped = metric_specs(["qc", "rmse"], "vifb")
    assert [s.name for s in specs] == ["rmse"] and skipped == ["qc"]
    assert specs[0].key == f"rmse|vifb|v{specs[0].version}"
