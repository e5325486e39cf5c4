"""SD of the fused image."""

from __future__ import annotations

import numpy as np
import pytest

import metrics


def test_constant_image_has_zero_sd():
    z = np.full((10, 10, 3), 9.0)
    assert metrics.compute("sd", z, z, z) == 0.0


def test_two_level_image_sd_is_half_the_step():
    x = np.zeros((10, 10))
    x[:, :5] = 40.0
    assert metrics.compute("sd", x, x, x) == pytest.approx(20.0, rel=1e-12)


def test_vifb_is_mean_of_channel_sds(lytro_pair):
    a, b = lytro_pair
    expected = np.mean([a[..., k].std() for k in range(3)])
    assert metrics.compute("sd", a, b, a, convention="vifb") == pytest.approx(expected, rel=1e-12)


def test_contrast_reduction_lowers_sd(lytro_pair):
    a, b = lytro_pair
    f = (a + b) / 2
    flat = 0.5 * f + 64
    assert metrics.compute("sd", a, b, flat) == pytest.approx(0.5 * metrics.compute("sd", a, b, f), rel=1e-12)
