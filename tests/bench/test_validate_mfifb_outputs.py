"""Validation target ``mfifb-outputs`` on a quick subset (real MFIFB files)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.errors import DataError
from bench.validate import get_target, list_targets
from bench.validate.mfifb_outputs import compare_pair, psnr, save_like_matlab_jpeg, summarize


def test_target_is_registered():
    assert "mfifb-outputs" in list_targets()


def test_quick_run_reports_per_pair_figures_and_verdicts(shared_datasets):
    run = get_target("mfifb-outputs")
    rep = run(shared_datasets, quick=True, progress=False, methods_=("gff", "mgff"))
    pairs = [r for r in rep.rows if r["pair"] != "summary"]
    assert len(pairs) == 6 and {r["method"] for r in pairs} == {"gff", "mgff"}
    for r in pairs:
        assert r["psnr"] > 35 and abs(r["dq"]) < 0.01
        assert r["psnr_saved"] >= r["psnr"]  # saving like theirs only brings us closer
    summ = {r["method"]: r for r in rep.rows if r["pair"] == "summary"}
    assert summ["gff"]["verdict"].startswith("PASS median psnr")
    assert summ["mgff"]["verdict"].startswith("PASS |dq|")
    assert rep.ok


def test_msvd_is_bit_identical_saved_alike(shared_datasets):
    rep = get_target("mfifb-outputs")(shared_datasets, quick=True, progress=False, methods_=("msvd",))
    pairs = [r for r in rep.rows if r["pair"] != "summary"]
    assert all(r["psnr_saved"] == np.inf and r["dq"] == 0.0 for r in pairs)
    (summ,) = [r for r in rep.rows if r["pair"] == "summary"]
    assert summ["verdict"].endswith("3/3 bit-identical saved alike")


def test_summary_fails_when_agreement_is_poor():
    rows = [{"method": "gff", "pair": f"p{i}", "psnr": 30.0, "psnr_saved": 30.0,
             "qabf_ours": 0.7, "qabf_theirs": 0.6, "dq": 0.1, "dq_raw": 0.1} for i in range(3)]
    assert summarize(rows, "gff")["verdict"].startswith("FAIL")
    rows = [dict(r, method="mgff") for r in rows]
    assert summarize(rows, "mgff")["verdict"].startswith("FAIL |dq| <= 0.03 on 0/3")


def test_jpeg_round_trip_and_psnr():
    x = np.tile(np.linspace(0, 255, 64), (48, 1))[..., None].repeat(3, axis=2)
    y = save_like_matlab_jpeg(x)
    assert y.shape == x.shape and 35 < psnr(y, x) < np.inf
    assert psnr(x, x) == np.inf


def test_missing_data_is_reported(tmp_path, shared_datasets):
    with pytest.raises(DataError, match="mfifb"):
        get_target("mfifb-outputs")(tmp_path, quick=True, progress=False)
    with pytest.raises(DataError, match="missing"):
        compare_pair(shared_datasets / "mfifb", "gff", "lytro_99")
