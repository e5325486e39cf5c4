"""Validation target ``vifb-outputs`` on real VIFB files (small pairs, fast methods)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.errors import DataError
from bench.validate import get_target, list_targets
from bench.validate.vifb_outputs import NOT_REGISTERED, ROWS, compare_pair, summarize


def test_target_lists_every_vifb_classic_method():
    assert "vifb-outputs" in list_targets()
    assert len(ROWS) == 18
    assert {v for v, _ in ROWS.values()} >= {"ADF", "CBF", "TIF", "FPDE", "GFF", "MGFF", "MSVD",
                                            "LP_SR", "RP_SR", "NSCT_SR", "CNN", "LatLRR"}


def test_quick_run_one_pair_each_and_unregistered_rows(shared_datasets, monkeypatch):
    import bench.validate.vifb_outputs as vo

    monkeypatch.setattr(vo, "QUICK_PAIRS", ["manWalking"])  # IR stored as grey (L) JPEG
    monkeypatch.setitem(vo.ROWS, "no-such-method", ("NOPE", {}))
    rep = get_target("vifb-outputs")(shared_datasets, quick=True, progress=False,
                                     methods_=("tif", "fpde", "no-such-method"))
    pairs = [r for r in rep.rows if r["pair"] != "summary"]
    assert [(r["method"], r["pair"]) for r in pairs] == [("tif", "manWalking"), ("fpde", "manWalking")]
    for r in pairs:
        # VIFB's MATLAB code, saved as it saves: the same file; unsaved, within JPEG noise
        assert r["psnr_saved"] == np.inf and r["dq"] == 0.0
        assert 35 < r["psnr"] < 45 and 0.3 < r["qabf_theirs"] < 0.7
    summ = {r["method"]: r for r in rep.rows if r["pair"] == "summary"}
    assert summ["tif"]["verdict"].startswith("PASS median psnr 38.0")
    assert summ["no-such-method"]["verdict"] == NOT_REGISTERED
    assert rep.ok  # an unregistered row is not a failure


@pytest.mark.parametrize("method, pair", [
    ("adf", "walking"),  # the infrared file has three equal channels: per-channel alike
    ("fpde", "walking2"),  # anti-correlated details: KL weights −0.11, 1.11 (signs kept)
])
def test_bit_identical_saved_alike(shared_datasets, method, pair):
    row = compare_pair(shared_datasets, method, pair)
    assert row["psnr_saved"] == np.inf and row["dq"] == 0.0


def test_gff_follows_vifbs_wrapper_on_a_grey_infrared_file(shared_datasets):
    # run_GFF.m re-saves the sources as JPEG; load_images puts a grey IR into the visible
    # image's green channel: emulated, our gff gives VIFB's file; fused normally, it does not
    import methods
    from bench.datasets import load_dataset
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr

    row = compare_pair(shared_datasets, "gff", "manWalking")
    assert row["psnr_saved"] == np.inf and row["dq"] == 0.0
    pair = load_dataset("vifb", data_dir=str(shared_datasets))["manWalking"]
    theirs, _ = read_image(shared_datasets / "vifb" / "fused" / "manWalking_GFF.jpg")
    fused = methods.get_method("gff").fuse(pair.a, pair.b).image
    assert psnr(np.rint(fused), theirs) < row["psnr"] - 5


def test_qabf_theirs_is_vifbs_published_value(shared_datasets):
    import pandas as pd

    row = compare_pair(shared_datasets, "tif", "manWalking")
    pub = pd.read_csv(shared_datasets / "vifb" / "published_metrics" / "vifb_metrics_per_image.csv")
    value = pub.query("image == 'manWalking' and method == 'TIF' and metric == 'Qabf'")["value"]
    assert row["qabf_theirs"] == pytest.approx(float(value.iloc[0]), abs=1e-4)


def test_summary_needs_18_of_21():
    rows = [{"method": "m", "pair": str(i), "psnr": 30.0, "psnr_saved": 30.0, "qabf_ours": 0.5,
             "qabf_theirs": 0.5, "dq": 0.0 if i < 18 else 0.1, "dq_raw": 0.0} for i in range(21)]
    assert summarize(rows, "m")["verdict"].startswith("PASS")
    rows[0]["dq"] = -0.031
    assert summarize(rows, "m")["verdict"].startswith("FAIL median psnr 30.00 < 35.0; "
                                                      "|dq| <= 0.03 on 17/21 (need 18)")
    rows = [dict(r, psnr=36.0) for r in rows]
    assert summarize(rows, "m")["verdict"].startswith("PASS median psnr 36.00 >= 35.0")


def test_unknown_method_and_missing_data(tmp_path, shared_datasets):
    run = get_target("vifb-outputs")
    with pytest.raises(DataError, match="no VIFB outputs for"):
        run(shared_datasets, quick=True, progress=False, methods_=("dwt",))
    with pytest.raises(DataError):
        run(tmp_path, quick=True, progress=False, methods_=("tif",))


def test_a_runs_images_are_reused_when_they_are_what_the_target_computes(shared_datasets, tmp_path):
    """``--run``: msvd's PNG from a real one-pair VIFB run gives the figures of fusing it
    again (VIFB's file, saved alike); a run with other parameters or gff's prepared
    sources is not reused."""
    import json

    from bench.runner import run_benchmark
    from bench.validate.vifb_outputs import run_images

    s = run_benchmark("vifb", data_dir=shared_datasets, methods="msvd", metrics="en", count=1,
                      jobs=1, out=tmp_path / "run", cache_dir=tmp_path / "cache", progress=False)
    assert s.ok
    found = run_images(tmp_path / "run", "msvd")
    (pair,) = found
    rep = get_target("vifb-outputs")(shared_datasets, progress=False, methods_=("msvd",),
                                     run_=tmp_path / "run")
    rows = [r for r in rep.rows if r["pair"] != "summary"]
    assert [r["pair"] for r in rows] == [pair]  # the run's pairs only: nothing fused again
    assert rows[0] == compare_pair(shared_datasets, "msvd", pair)
    assert rows[0]["psnr_saved"] == np.inf
    assert any("msvd: the images of run" in n and "1 of 21 pairs" in n for n in rep.notes)
    record = json.loads((tmp_path / "run" / "run.json").read_text())
    record["methods"]["nsct-sr"] = {"version": "1", "params": {"directions": "2,3,3,4"}}
    record["methods"]["gff"] = {"version": "1", "params": {}}
    (tmp_path / "run" / "run.json").write_text(json.dumps(record))
    assert run_images(tmp_path / "run", "nsct-sr") == {}  # VIFB ran nsct-sr with directions=2
    assert run_images(tmp_path / "run", "gff") == {}  # VIFB's wrapper re-saved gff's sources
