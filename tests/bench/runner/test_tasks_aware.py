"""Task-aware method and metric selection (issue 15): 'all' vs 'all!', groups, explicit names,
per-task default metrics, the mixed-colour policy in the cache key."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import methods
from bench.datasets import Dataset, Pair
from bench.errors import FusebenchError
from bench.runner.benchmark import plan_run
from bench.runner.tasks import (
    MEDICAL_METRICS,
    VIFB_METRICS,
    cache_key,
    resolve_methods,
    select_methods,
    select_metrics,
)

MF_ONLY = {"cnn-patch", "sesf", "tlnet"}  # declared for multi-focus only


def test_all_is_the_methods_declared_for_the_task():
    medical = select_methods("all", tasks=["medical"])
    assert not MF_ONLY & set(medical)
    assert set(medical) == set(methods.list_methods(task="medical"))
    assert MF_ONLY <= set(select_methods("all", tasks=["multi-focus"]))
    assert select_methods("all!", tasks=["medical"]) == methods.list_methods("*")
    assert select_methods("all") == methods.list_methods("*")  # no task given: everything


def test_ir_vis_alias_and_unknown_task():
    assert select_methods("deep", tasks=["ir-vis"]) == select_methods("deep", tasks=["ir-visible"])
    with pytest.raises(FusebenchError, match="unknown task"):
        select_methods("all", tasks=["thermal"])


def test_named_groups_filter_by_task_and_names_run_anyway():
    assert "tlnet" in select_methods("paper", tasks=["multi-focus"])
    assert "tlnet" not in select_methods("paper", tasks=["ir-visible"])
    with pytest.warns(UserWarning, match="tlnet.*not declared"):
        sel = resolve_methods("paper,tlnet", tasks=["ir-visible"])
    assert "tlnet" in sel.names and sel.explicit == {"tlnet"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # declared: no warning
        resolve_methods("gff", tasks=["ir-visible"])


def test_empty_selection_names_the_task_and_all_bang(monkeypatch):
    # every registered group has members for every task, so empty one: only multi-focus methods
    only_mf = {n: methods.METHODS.get(n) for n in MF_ONLY}
    monkeypatch.setattr(methods.METHODS, "names",
                        lambda pattern="*", strict=False: sorted(only_mf))
    monkeypatch.setattr(methods.METHODS, "get", lambda name: only_mf[name])
    with pytest.raises(FusebenchError, match="no method for task.*medical.*'all!'"):
        select_methods("all", tasks=["medical"])
    assert set(select_methods("all!", tasks=["medical"])) == MF_ONLY


def test_default_metrics_follow_the_task():
    import metrics

    assert select_metrics(None, tasks=["multi-focus"]) == list(metrics.PAPER_FIVE)
    assert select_metrics(None, tasks=["ir-vis"]) == list(VIFB_METRICS)
    assert len(VIFB_METRICS) == 13
    assert select_metrics(None, tasks=["medical"]) == list(MEDICAL_METRICS)
    both = select_metrics(None, tasks=["multi-focus", "medical"])
    assert both[:5] == list(metrics.PAPER_FIVE) and set(MEDICAL_METRICS) <= set(both)
    assert select_metrics("vifb,psnr") == list(VIFB_METRICS)
    assert select_metrics("paper") == list(metrics.PAPER_FIVE)


def _pair(pid, task, colour_space=None):
    z = np.zeros((8, 8))
    meta = {"colour_space": colour_space} if colour_space else {}
    return Pair(pid, task, lambda: z, lambda: z, hash_fn=lambda: pid * 8, meta=meta)


def test_plan_skips_undeclared_group_members_but_runs_named_methods():
    ds = Dataset("mixed", [_pair("m", "multi-focus"), _pair("d", "medical")], modality="multi-focus")
    plan = plan_run(ds, "mixed", "mfifb", "qsf", "default", {}, "cpu")
    per_pair = {pid: {t.method for t in ts} for pid, ts in plan.tasks.items()}
    assert {"sesf", "cnn-patch"} <= per_pair["m"] and not {"sesf", "cnn-patch"} & per_pair["d"]
    # the mfifb members not declared for medical (sesf, cnn-patch, dsift, ...) skip that pair
    not_medical = [m for m in methods.list_methods("*", group="mfifb")
                   if "medical" not in methods.METHODS.get(m).modalities]
    assert {"sesf", "cnn-patch"} <= set(not_medical) and plan.skipped == len(not_medical)
    everything = plan_run(ds, "mixed", "all!", "qsf", "default", {}, "cpu")
    assert {t.method for t in everything.tasks["d"]} == set(methods.list_methods("*"))
    assert everything.skipped == 0
    with pytest.warns(UserWarning, match="not declared"):
        plan = plan_run(Dataset("med", [_pair("d", "medical")], modality="medical"), "med",
                        "sesf", "qsf", "default", {}, "cpu")
    assert [t.method for t in plan.tasks["d"]] == ["sesf"] and plan.skipped == 0


def test_mixed_colour_policy_is_part_of_the_cache_key_only_when_set():
    rgb = cache_key("gff", "1", {}, "h")
    assert rgb == cache_key("gff", "1", {}, "h", mixed_colour="rgb")
    assert rgb != cache_key("gff", "1", {}, "h", mixed_colour="ycbcr")
    ds = Dataset("med", [_pair("p", "medical", "ycbcr"), _pair("q", "medical")], modality="medical")
    plan = plan_run(ds, "med", "average", "qsf", "default", {}, None)
    (tp,), (tq,) = plan.tasks["p"], plan.tasks["q"]
    assert tp.mixed_colour == "ycbcr" and tq.mixed_colour == "rgb"
