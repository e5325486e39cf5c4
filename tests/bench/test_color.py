"""bench.color: BT.601 luma keeps grey pixels exact; per-channel helpers."""

from __future__ import annotations

import numpy as np
from skimage import data

from bench.color import BT601, luma, per_channel, weighted_blend


def test_grey_pixels_keep_their_exact_value():
    levels = np.arange(256.0)
    rgb = np.repeat(levels[None, :, None], 3, axis=2)
    assert np.count_nonzero(rgb @ BT601 != levels) > 0  # the weights' sum is not exactly 1
    np.testing.assert_array_equal(luma(rgb)[0], levels)
    cam = data.camera().astype(np.float64)
    np.testing.assert_array_equal(luma(np.repeat(cam[..., None], 3, axis=2)), cam)


def test_colour_pixels_are_the_bt601_weighted_sum():
    img = data.astronaut()[:64, :64].astype(np.float64)
    y = luma(img)
    coloured = ~((img[..., 0] == img[..., 1]) & (img[..., 1] == img[..., 2]))
    assert coloured.mean() > 0.9
    np.testing.assert_array_equal(y[coloured], (img @ BT601)[coloured])
    np.testing.assert_allclose(y, 0.299 * img[..., 0] + 0.587 * img[..., 1] + 0.114 * img[..., 2], rtol=1e-12)


def test_per_channel_and_weighted_blend():
    a, b = np.zeros((2, 3, 3)), np.ones((2, 3, 3))
    np.testing.assert_array_equal(per_channel(np.maximum, a, b), b)
    w = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.25]])
    np.testing.assert_array_equal(weighted_blend(w, b * 8, a)[..., 2], w * 8)


def test_ihs_round_trip_is_exact_to_rounding():
    from bench.color import IHS, IHS_INVERSE, ihs_to_rgb, rgb_to_ihs

    np.testing.assert_allclose(IHS @ IHS_INVERSE, np.eye(3), atol=1e-15)
    img = data.astronaut().astype(np.float64)
    np.testing.assert_allclose(ihs_to_rgb(rgb_to_ihs(img)), img, rtol=0, atol=1e-10)
    ihs = rgb_to_ihs(img)
    np.testing.assert_allclose(ihs[..., 0], img.mean(axis=2), atol=1e-10)  # I = (R+G+B)/3
    np.testing.assert_allclose(rgb_to_ihs(ihs_to_rgb(ihs)), ihs, rtol=0, atol=1e-10)
