"""Q_NCIE and Tsallis TE: definitions, MEFB quirks and calibration."""

from __future__ import annotations

import numpy as np
import pytest

import metrics
from bench.color import luma
from bench.matlab import round_half_away
from bench.validate.mefb import metrics_vs_mefb
from metrics.information.histogram import normalize1
from metrics.information.ncie_tsallis import (
    joint_histogram,
    ncie,
    nonlinear_correlation,
    tsallis_mi,
)

CALIBRATION_IMAGES = [("savic_01", "CSR"), ("savic_10", "GFF"), ("aymaz_01", "MSVD"), ("stand_01", "CSR")]


def _tsallis_by_cells(x, y, q, transposed):
    """I_q from its definition, one histogram cell at a time (small images only)."""
    levels_x, levels_y = np.unique(x), np.unique(y)
    n = x.size
    px = {v: np.count_nonzero(x == v) / n for v in levels_x}
    py = {v: np.count_nonzero(y == v) / n for v in levels_y}
    s = 0.0
    for i in levels_x:
        for j in levels_y:
            pij = np.count_nonzero((x == i) & (y == j)) / n
            # MEFB's code divides cell (i, j) by p_Y(i) * p_X(j)
            den = py.get(i, 0.0) * px.get(j, 0.0) if transposed else px[i] * py[j]
            if pij and den:
                s += pij**q / den ** (q - 1)
    return (1 - s) / (1 - q)


def test_tsallis_matches_cellwise_definition(rng):
    x = rng.integers(0, 6, (12, 10)).astype(float)
    y = np.clip(x + rng.integers(-1, 2, x.shape), 0, 255).astype(float)
    for transposed in (False, True):
        assert tsallis_mi(x, y, 1.85, transposed=transposed) == pytest.approx(
            _tsallis_by_cells(x, y, 1.85, transposed), rel=1e-12
        )


def test_ncc_of_an_image_with_itself_is_its_entropy_in_bytes(lytro_pair):
    x = np.clip(round_half_away(luma(lytro_pair[0])), 0, 255)
    p = joint_histogram(x, x).sum(axis=1)
    p = p[p > 0]
    assert nonlinear_correlation(x, x) == pytest.approx(-np.sum(p * np.log2(p)) / 8, rel=1e-12)


def test_ncie_is_one_for_identical_full_range_images_and_drops_for_noise(rng):
    x = rng.permutation(256 * 16).reshape(64, 64) % 256.0
    assert ncie(x, x, x) == pytest.approx(1.0, abs=1e-12)
    noise = rng.integers(0, 256, x.shape).astype(float)
    assert ncie(x, x, noise) < 0.95  # (the joint histogram of 4096 samples is sparse: NCC stays > 0)


def test_fused_closer_to_sources_scores_higher(lytro_pair, rng):
    a, b = lytro_pair
    good = (a + b) / 2
    bad = np.clip(good + rng.normal(0, 40, good.shape), 0, 255)
    for name in ("qncie", "te"):
        assert metrics.compute(name, a, b, good) > metrics.compute(name, a, b, bad), name
        assert metrics.compute(name, a, b, good) == pytest.approx(metrics.compute(name, b, a, good), rel=1e-12)


def test_stretch_to_levels_rounds_like_matlab():
    s = normalize1(np.array([[10.0, 20.0], [30.0, 10.0]]))
    np.testing.assert_array_equal(s, [[0, 128], [255, 0]])  # 127.5 rounds up, like MATLAB
    z = np.zeros((3, 3))
    np.testing.assert_array_equal(normalize1(z), z)


def test_reproduces_octave_calibration_rows(shared_reference):
    df = metrics_vs_mefb(shared_reference, subset=CALIBRATION_IMAGES, metrics=["qncie", "te"])
    assert len(df) == 2 * len(CALIBRATION_IMAGES)
    bad = df[~df["ok"]]
    assert bad.empty, bad[["fused_file", "fusebench_metric", "ours", "reference"]].to_string()
