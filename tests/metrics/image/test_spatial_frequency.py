"""Q^SF: default, VIFB's channel-seam quirk, MEFB per channel."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from metrics.image.spatial_frequency import spatial_frequency, spatial_frequency_vifb


def test_constant_image_has_zero_sf():
    z = np.full((12, 12, 3), 200.0)
    for conv in ("default", "vifb", "mefb"):
        assert metrics.compute("qsf", z, z, z, convention=conv) == 0.0


def test_checkerboard_value():
    x = (np.indices((8, 8)).sum(axis=0) % 2) * 10.0
    # every horizontal and vertical neighbour differs by 10: RF^2 = CF^2 = 56*100/64
    assert spatial_frequency(x) == pytest.approx(np.sqrt(2 * 56 * 100 / 64), rel=1e-12)


def test_blurred_fusion_scores_lower(lytro_pair):
    a, b = lytro_pair
    sharp = (a + b) / 2
    blurred = ndimage.gaussian_filter(sharp, sigma=(2, 2, 0))
    assert metrics.compute("qsf", a, b, blurred) < 0.7 * metrics.compute("qsf", a, b, sharp)


def test_default_is_luma(lytro_pair):
    a = lytro_pair[0]
    assert metrics.compute("qsf", a, a, a) == pytest.approx(spatial_frequency(luma(a)), rel=1e-12)


def test_vifb_seams_between_channels_count(lytro_pair):
    a = lytro_pair[0]
    h, w, _ = a.shape
    seams = np.sum((a[:, 0, 1] - a[:, -1, 0]) ** 2) + np.sum((a[:, 0, 2] - a[:, -1, 1]) ** 2)
    rf = sum(np.sum(np.diff(a[..., k], axis=1) ** 2) for k in range(3)) + seams
    cf = sum(np.sum(np.diff(a[..., k], axis=0) ** 2) for k in range(3))
    expected = np.sqrt((rf + cf) / (h * 3 * w))
    assert spatial_frequency_vifb(a) == pytest.approx(expected, rel=1e-12)
    assert metrics.compute("qsf", a, a, a, convention="vifb") == pytest.approx(expected, rel=1e-12)
    per_channel = np.mean([spatial_frequency(a[..., k]) for k in range(3)])
    assert metrics.compute("qsf", a, a, a, convention="mefb") == pytest.approx(per_channel, rel=1e-12)
