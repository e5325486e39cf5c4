"""Q_C (Cvejic) and Q_Y (Yang): default stability, MEFB's fragile variant, calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage, signal

import metrics
from bench.validate.mefb import metrics_vs_mefb
from metrics.structural.weighted_ssim import (
    filter2_valid_fma,
    fma,
    liu_window,
    q_cvejic,
    q_yang,
)

# grey, colour, grey+RGB-fused, and lytro_04/CSR whose saturated flat windows make
# Octave's value (qc 1.0248, qy 1.5531) depend on the exact rounding of each window sum
CALIBRATION_IMAGES = [("savic_10", "CSR"), ("savic_01", "MSVD"), ("aymaz_01", "GFF"), ("lytro_04", "CSR")]


def test_identical_images_score_one(lytro_pair):
    a = lytro_pair[0]
    for name in ("qc", "qy"):
        assert metrics.compute(name, a, a, a) == pytest.approx(1.0, abs=1e-9)


def test_default_is_finite_and_defined_on_flat_images():
    flat, other = np.full((20, 20), 200.0), np.full((20, 20), 30.0)
    assert q_yang(flat, flat, flat) == pytest.approx(1.0)
    assert q_cvejic(flat, flat, flat) == pytest.approx(1.0)
    for fn in (q_yang, q_cvejic):
        v = fn(flat, flat, other)
        assert np.isfinite(v) and 0 < v < 1


def test_blur_lowers_scores_and_sources_are_symmetric(lytro_pair):
    a, b = (x[:256, :256] for x in lytro_pair)
    f = (a + b) / 2
    blurred = ndimage.gaussian_filter(f, sigma=(2.5, 2.5, 0))
    for name in ("qc", "qy"):
        good = metrics.compute(name, a, b, f)
        assert metrics.compute(name, a, b, blurred) < good - 0.02, name
        assert metrics.compute(name, b, a, f) == pytest.approx(good, rel=1e-9), name


def test_yang_takes_the_better_source_where_sources_disagree(rng):
    a = rng.uniform(0, 255, (40, 40))
    b = rng.uniform(0, 255, (40, 40))  # unrelated to a: SSIM(A,B) < 0.75 everywhere
    assert q_yang(a, b, a) == pytest.approx(1.0, abs=1e-12)
    assert q_yang(a, b, b) == pytest.approx(1.0, abs=1e-12)


def test_fma_is_correctly_rounded(rng):
    from fractions import Fraction

    x = rng.integers(0, 65026, 3000).astype(float)  # products of 8-bit pixels
    k = float(rng.uniform(0, 0.1))
    z = rng.uniform(0, 1e4, x.size)
    got = fma(x, k, z)
    exact = [float(Fraction(xi) * Fraction(k) + Fraction(zi)) for xi, zi in zip(x, z)]
    np.testing.assert_array_equal(got, exact)
    assert np.count_nonzero(got != x * k + z) > 0  # two roundings differ somewhere


def test_octave_filter_emulation_agrees_with_plain_correlation(rng):
    x = rng.integers(0, 256, (30, 25)).astype(float)
    k = liu_window(7, 1.5)
    assert k.sum() == pytest.approx(1.0, abs=1e-15)
    np.testing.assert_allclose(filter2_valid_fma(x, k), signal.correlate2d(x, k, mode="valid"), rtol=1e-13)
    rows, cols = np.array([0, 5, 23]), np.array([3, 0, 18])
    np.testing.assert_array_equal(filter2_valid_fma(x, k, rows, cols), filter2_valid_fma(x, k)[rows, cols])


def test_reproduces_octave_calibration_rows_including_a_fragile_one(shared_reference):
    df = metrics_vs_mefb(shared_reference, subset=CALIBRATION_IMAGES, metrics=["qc", "qy"])
    assert set(df["fusebench_metric"]) == {"qc", "qy"}
    assert len(df) >= 2 * len(CALIBRATION_IMAGES) - 1  # one qy value was NaN/Inf in Octave: no row
    assert df["fragile"].all()
    bad = df[~df["ok"]]
    assert bad.empty, bad[["fused_file", "fusebench_metric", "ours", "reference"]].to_string()


def test_default_is_stable_where_mefb_is_fragile(shared_datasets):
    """lytro_04/CSR has saturated flat regions: a 1e-9 nudge must not move the default."""
    from bench.io import read_image

    root = shared_datasets / "mfifb"
    a, b, f = (
        read_image(root / p)[0][200:330, 0:130]
        for p in ("sources/lytro_04_A.jpg", "sources/lytro_04_B.jpg", "fused/CSR/lytro_04_CSR.jpg")
    )
    nudged = f + 1e-9
    for name in ("qc", "qy"):
        v = metrics.compute(name, a, b, f)
        assert np.isfinite(v) and abs(metrics.compute(name, a, b, nudged) - v) < 1e-9, name
