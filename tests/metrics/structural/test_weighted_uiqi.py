"""Piella's Q_W and Q_E: definition, flat-window handling and MEFB's Qw."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.validate.mefb import metrics_vs_mefb
from metrics.structural.ssim import uiqi_map
from metrics.structural.weighted_uiqi import weighted_quality

CALIBRATION_IMAGES = [("savic_02", "GFF"), ("savic_10", "MSVD"), ("aymaz_01", "CSR")]


def _qw_by_windows(a, b, f, n=8):
    """Q_W from its definition, one n×n window at a time (small images only)."""
    num = den = 0.0
    for i in range(a.shape[0] - n + 1):
        for j in range(a.shape[1] - n + 1):
            wa, wb, wf = (x[i : i + n, j : j + n] for x in (a, b, f))
            sa, sb = wa.var(ddof=1), wb.var(ddof=1)
            lam = sa / (sa + sb) if sa + sb > 0 else 0.5
            q0a = uiqi_map(wa, wf, n)[0, 0]
            q0b = uiqi_map(wb, wf, n)[0, 0]
            num += max(sa, sb) * (lam * q0a + (1 - lam) * q0b)
            den += max(sa, sb)
    return num / den


def test_vectorised_qw_matches_window_by_window_definition(rng):
    a = rng.uniform(0, 255, (14, 13))
    b = ndimage.uniform_filter(a, 3) + rng.normal(0, 5, a.shape)
    f = 0.6 * a + 0.4 * b
    assert weighted_quality(a, b, f) == pytest.approx(_qw_by_windows(a, b, f), rel=1e-10)


def test_identical_images_score_one_and_blur_scores_lower(lytro_pair):
    a, b = (x[:256, :256] for x in lytro_pair)
    f = (a + b) / 2
    blurred = ndimage.gaussian_filter(f, sigma=(2, 2, 0))
    for name in ("qw", "qe"):
        assert metrics.compute(name, a, a, a) == pytest.approx(1.0, abs=1e-9), name
        assert metrics.compute(name, a, b, blurred) < metrics.compute(name, a, b, f) - 0.05, name
        assert metrics.compute(name, b, a, f) == pytest.approx(metrics.compute(name, a, b, f), rel=1e-9)


def test_flat_images_are_defined():
    flat = np.full((16, 16), 50.0)
    assert weighted_quality(flat, flat, flat) == pytest.approx(1.0)
    v = weighted_quality(flat, flat, np.full((16, 16), 100.0))
    assert v == pytest.approx(2 * 50 * 100 / (50**2 + 100**2))


def test_mefb_qw_reproduces_octave_calibration_rows(shared_reference):
    df = metrics_vs_mefb(shared_reference, subset=CALIBRATION_IMAGES, metrics=["qw"])
    assert len(df) == len(CALIBRATION_IMAGES)
    bad = df[~df["ok"]]
    assert bad.empty, bad[["fused_file", "ours", "reference"]].to_string()
