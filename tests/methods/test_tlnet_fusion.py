"""The tlnet fusion plugin: the consistency rule, Q^AB/F choice, shipped checkpoint on real data."""

from __future__ import annotations

import numpy as np
import pytest

import methods
import metrics
from bench.errors import FusebenchError
from bench.io import read_image
from methods.tlnet.fusion import DEFAULT_CHECKPOINT, blend, consistent_decision_maps


def test_consistency_rule_truth_table():
    # pixels: (M1, M2) = (1,0) agree S1 blurred; (0,1) agree S2 blurred; (1,1), (0,0) disagree
    m1 = np.array([[1, 0, 1, 0]])
    m2 = np.array([[0, 1, 1, 0]])
    d1, d2 = consistent_decision_maps(m1, m2)
    np.testing.assert_array_equal(d1, [[1, 0, 0, 0]])  # undecided -> S1
    np.testing.assert_array_equal(d2, [[1, 0, 1, 1]])  # undecided -> S2
    a, b = np.zeros((1, 4)), np.full((1, 4), 10.0)
    np.testing.assert_array_equal(blend(a, b, d1), [[10, 0, 0, 0]])


@pytest.fixture(scope="module")
def lytro_result(lytro_pair):
    a, b = lytro_pair
    return a, b, methods.get_method("tlnet").fuse(a, b)


def test_outputs_maps_and_picks_higher_qabf(lytro_result):
    a, b, res = lytro_result
    ex = res.extras
    assert ex["M1"].shape == ex["M2"].shape == a.shape[:2]
    assert set(np.unique(ex["M1"])) <= {0.0, 1.0} and set(np.unique(res.decision_map)) <= {0.0, 1.0}
    chosen_q = ex["qabf_F1"] if ex["chosen"] == "F1" else ex["qabf_F2"]
    assert chosen_q == max(ex["qabf_F1"], ex["qabf_F2"])
    np.testing.assert_allclose(res.image, blend(b, a, res.decision_map), atol=1e-9)
    assert metrics.compute("qabf", a, b, res.image) == pytest.approx(chosen_q, abs=1e-3)
    # the two sources are focused in different places: the maps must not be uniform
    assert 0.1 < ex["M1"].mean() < 0.9 and 0.1 < ex["M2"].mean() < 0.9


def test_beats_average_on_lytro(lytro_result):
    a, b, res = lytro_result
    q_avg = metrics.compute("qabf", a, b, (a + b) / 2)
    assert metrics.compute("qabf", a, b, res.image) > q_avg + 0.05


def test_beats_average_psnr_on_mf_voc(shared_datasets):
    root = shared_datasets / "mf-voc"
    names = sorted(p.name for p in (root / "groundtruth").glob("*.jpg"))[::100][:4]
    gain = []
    for n in names:
        a, _ = read_image(root / "sourceA" / n)
        b, _ = read_image(root / "sourceB" / n)
        gt, _ = read_image(root / "groundtruth" / n)
        f = methods.get_method("tlnet").fuse(a, b).image
        gain.append(metrics.compute("psnr-gt", a, b, f, reference=gt)
                    - metrics.compute("psnr-gt", a, b, (a + b) / 2, reference=gt))
    assert np.mean(gain) > 1.0, gain


def test_checkpoint_name_is_visible():
    cls = methods.METHODS.get("tlnet")
    assert DEFAULT_CHECKPOINT in cls.version and DEFAULT_CHECKPOINT in cls.info()["citation"]
    assert "NO ImageNet" in cls.citation


def test_missing_checkpoint_is_named(tmp_path):
    with pytest.raises(FusebenchError, match="nope-net"):
        methods.get_method("tlnet").fuse(np.zeros((8, 8)), np.zeros((8, 8)), checkpoint="nope-net")
