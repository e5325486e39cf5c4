"""Q^AB/F (Xydeas & Petrovic) default and vifb conventions."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from metrics.edge.qabf import QABF_MAX, qabf_map_value, strength_orientation


def test_perfect_fusion_reaches_analytic_maximum(lytro_pair):
    a = lytro_pair[0]
    expected = 0.9994 / (1 + np.exp(-7.5)) * 0.9879 / (1 + np.exp(-4.4))
    assert QABF_MAX == pytest.approx(expected, rel=1e-15)
    assert metrics.compute("qabf", a, a, a) == pytest.approx(expected, rel=1e-12)


def test_blurred_fusion_scores_lower(lytro_pair):
    a, b = lytro_pair
    sharp = (a + b) / 2
    blurred = ndimage.gaussian_filter(sharp, sigma=(2, 2, 0))
    assert metrics.compute("qabf", a, b, blurred) < metrics.compute("qabf", a, b, sharp) - 0.05


def test_range_and_symmetry(lytro_pair):
    a, b = lytro_pair
    f = (a + b) / 2
    q = metrics.compute("qabf", a, b, f)
    assert 0 < q < QABF_MAX
    assert q == pytest.approx(metrics.compute("qabf", b, a, f), rel=1e-12)


def test_orientation_is_half_pi_where_no_horizontal_response():
    x = np.zeros((9, 9))
    x[4:, :] = 100.0  # horizontal edge: sx == 0 everywhere
    g, alpha = strength_orientation(x)
    assert g.max() > 0
    np.testing.assert_allclose(alpha[2:-2, 2:-2], np.pi / 2)


def test_flat_sources_give_zero_not_nan():
    z = np.zeros((16, 16))  # (a constant non-zero image has edges at the zero-padded border)
    assert qabf_map_value(z, z, z) == 0.0


def test_default_uses_luma_and_vifb_scores_channels(lytro_pair):
    a, b = lytro_pair
    f = (a + b) / 2
    assert metrics.compute("qabf", a, b, f) == pytest.approx(qabf_map_value(luma(a), luma(b), luma(f)), rel=1e-12)
    per_channel = np.mean(
        [qabf_map_value(*(255.0 * x[..., k] for x in (a, b, f)), equal_rule="vifb") for k in range(3)]
    )
    assert metrics.compute("qabf", a, b, f, convention="vifb") == pytest.approx(per_channel, rel=1e-12)
