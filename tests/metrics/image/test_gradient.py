"""Q^AG and EI on real and synthetic images."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from metrics.image.gradient import average_gradient, average_gradient_matlab, edge_intensity


def test_constant_image_has_zero_gradient():
    z = np.full((20, 30, 3), 128.0)
    for name in ("qag", "ei"):
        for conv in ("default", "vifb", "mefb"):
            assert metrics.compute(name, z, z, z, convention=conv) == pytest.approx(0.0, abs=1e-9)


def test_average_gradient_of_linear_ramp():
    # I(i, j) = 3 j: forward differences dx = 3, dy = 0 -> sqrt(9/2) everywhere
    x = np.tile(3.0 * np.arange(10), (8, 1))
    assert average_gradient(x) == pytest.approx(3 / np.sqrt(2), rel=1e-12)
    # MATLAB gradient: same slope on all M*N pixels, divided by (M-1)(N-1)
    assert average_gradient_matlab(x) == pytest.approx(3 / np.sqrt(2) * 80 / 63, rel=1e-12)


def test_edge_intensity_of_linear_ramp_with_replicate_padding():
    x = np.tile(np.arange(10.0), (8, 1))
    # Sobel: 8 inside; at the left/right borders replicate padding halves it to 4
    expected = (8 * 8 + 2 * 4) / 10
    assert edge_intensity(x) == pytest.approx(expected, rel=1e-12)


def test_blurred_fusion_scores_lower(lytro_pair):
    a, b = lytro_pair
    sharp = (a + b) / 2
    blurred = ndimage.gaussian_filter(sharp, sigma=(2, 2, 0))
    for name in ("qag", "ei"):
        assert metrics.compute(name, a, b, blurred) < 0.8 * metrics.compute(name, a, b, sharp)


def test_mefb_grey_sources_rgb_fused_uses_rgb2gray_for_ag_and_red_for_ei(lytro_pair):
    from bench.matlab import rgb2gray

    a, b = (x[..., 1] for x in lytro_pair)
    f = lytro_pair[0][:, :, ::-1].copy()
    assert metrics.compute("qag", a, b, f, convention="mefb") == pytest.approx(
        average_gradient_matlab(rgb2gray(f)), rel=1e-12
    )
    assert metrics.compute("ei", a, b, f, convention="mefb") == pytest.approx(edge_intensity(f[..., 0]), rel=1e-12)
