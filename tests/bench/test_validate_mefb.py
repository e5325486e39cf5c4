"""``mefb`` conventions against the Octave calibration values (stratified quick subset).

Parametrised over every metric that has calibration rows AND a registered
``mefb`` convention, so other engineers' metrics are held to the same rule as
soon as they register ``mefb``. FRAGILE rows are reported, not asserted.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bench.validate.mefb import (
    PASS_SHARE,
    load_calibration,
    mefb_metrics,
    metrics_vs_mefb,
    mfifb_root,
    quick_images,
)


def _metric_params() -> list[str]:
    import os
    from pathlib import Path

    env = os.environ.get("FUSEBENCH_TEST_DATA")
    datasets = Path(env) if env else Path(__file__).resolve().parents[3] / "shared" / "datasets"
    csv = datasets.parent / "reference" / "octave_mfifb_calibration.csv"
    if not csv.is_file():  # the fixture below then fails with a clear message
        return sorted(mefb_metrics())
    names = set(pd.read_csv(csv, usecols=["fusebench_metric"])["fusebench_metric"])
    return sorted(names & set(mefb_metrics()))


@pytest.fixture(scope="module")
def calibration(shared_reference):
    return load_calibration(shared_reference)


@pytest.fixture(scope="module")
def subset(shared_reference, calibration):
    return quick_images(calibration, root=mfifb_root(shared_reference))


@pytest.mark.parametrize("name", _metric_params())
def test_mefb_convention_reproduces_octave_values(name, shared_reference, subset):
    df = metrics_vs_mefb(shared_reference, subset=subset, metrics=[name])
    strict = df[(df["status"] == "checked") & ~df["fragile"]]
    if strict.empty:  # metric with only FRAGILE rows: they must at least be computable
        assert df["ours"].notna().any(), f"{name}: no value computed"
        return
    share = strict["ok"].mean()
    worst = strict.sort_values("abs_diff", ascending=False).iloc[0]
    assert share >= PASS_SHARE, (
        f"{name}: {share:.1%} of {len(strict)} calibration rows within tolerance; worst "
        f"{worst['fused_file']}: ours {worst['ours']!r} vs Octave {worst['reference']!r}"
    )


def test_quick_subset_is_stratified(calibration, subset):
    methods = {m for _, m in subset}
    assert methods == set(calibration["method"])
    cases = set(calibration.set_index(["pair", "method"]).loc[subset, "channel_case"])
    assert cases == {"colour", "gray", "gray+rgb"}
    assert len(subset) <= 30


def test_unregistered_metrics_are_reported_as_skipped(shared_reference, subset, monkeypatch):
    import bench.validate.mefb as mod

    monkeypatch.setattr(mod, "mefb_metrics", lambda: ["sd"])
    df = metrics_vs_mefb(shared_reference, subset=subset[:1], metrics=["sd", "qabf"])
    assert set(df.loc[df["status"] == "skipped", "fusebench_metric"]) == {"qabf"}
    assert df.loc[df["status"] == "checked", "ok"].all()
