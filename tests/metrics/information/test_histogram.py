"""EN, CE, Q^MI, Q^NMI: histogram metrics (default conventions and toolkit quirks)."""

from __future__ import annotations

import numpy as np
import pytest

import metrics
from bench.color import luma
from metrics.information.histogram import entropy_bits, grey_levels, mutual_information


def test_entropy_of_uniform_256_level_histogram_is_8_bits():
    ramp = np.tile(np.arange(256.0), (4, 1))
    assert entropy_bits(ramp) == pytest.approx(8.0, abs=1e-12)
    assert metrics.compute("en", ramp, ramp, ramp) == pytest.approx(8.0, abs=1e-12)


def test_entropy_of_constant_image_is_zero(lytro_pair):
    z = np.full((32, 32), 77.0)
    assert metrics.compute("en", z, z, z) == 0.0


def test_entropy_bounded_on_real_image(lytro_pair):
    a = lytro_pair[0]
    e = metrics.compute("en", a, a, a)
    assert 5.0 < e < 8.0


def test_mi_symmetric_in_sources(lytro_pair):
    a, b = lytro_pair
    f = 0.7 * a + 0.3 * b
    for name in ("qmi", "qnmi", "ce"):
        for conv in metrics.get_metric(name).conventions:
            x = metrics.compute(name, a, b, f, convention=conv)
            y = metrics.compute(name, b, a, f, convention=conv)
            assert x == pytest.approx(y, rel=1e-12), (name, conv)


def test_mi_of_image_with_itself_is_its_entropy(lytro_pair):
    a = grey_levels(luma(lytro_pair[0]))
    mi, ha, hf = mutual_information(a, a)
    assert mi == pytest.approx(ha, rel=1e-12) and ha == pytest.approx(hf, rel=1e-12)
    # F = A = B: Q^MI = 2 H(A), Q^NMI = 2 (1/2 + 1/2) = 2
    img = lytro_pair[0]
    assert metrics.compute("qmi", img, img, img) == pytest.approx(2 * ha, rel=1e-12)
    assert metrics.compute("qnmi", img, img, img) == pytest.approx(2.0, rel=1e-12)


def test_mi_of_independent_noise_is_near_zero(rng):
    a = rng.integers(0, 256, (256, 256)).astype(float)
    f = rng.integers(0, 256, (256, 256)).astype(float)
    # finite-sample bias of a 256x256-bin plug-in estimate is ~ (255^2)/(2 N ln2) bits
    assert metrics.compute("qmi", a, a, f) < 2 * (1.4)


def test_cross_entropy_zero_when_histograms_equal_and_positive_otherwise(lytro_pair):
    a, b = lytro_pair
    assert metrics.compute("ce", a, a, a) == pytest.approx(0.0, abs=1e-12)
    assert metrics.compute("ce", a, b, np.clip(a * 0.5, 0, 255)) > 0.1


def test_vifb_mi_uses_natural_log_of_stretched_bins(lytro_pair):
    a = lytro_pair[0]
    # F = A = B: per channel MI = H(channel) in nats after min-max stretch; 2 H overall
    expected = []
    for k in range(3):
        x = a[..., k]
        idx = np.floor((x - x.min()) / (x.max() - x.min()) * 255 + 0.5).astype(int)
        p = np.bincount(idx.ravel(), minlength=256) / idx.size
        p = p[p > 0]
        expected.append(-2 * np.sum(p * np.log(p)))
    assert metrics.compute("qmi", a, a, a, convention="vifb") == pytest.approx(np.mean(expected), rel=1e-12)
