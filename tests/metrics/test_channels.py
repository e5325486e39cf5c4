"""Channel rules of the toolkit conventions (metrics.channels)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.matlab import rgb2gray
from metrics.channels import to_luma, toolkit_channels, toolkit_mean


def _named(rng):
    rgb = rng.uniform(0, 255, (6, 7, 3))
    grey = rng.uniform(0, 255, (6, 7))
    return rgb, grey


def test_rgb_everywhere_is_per_channel(rng):
    rgb, _ = _named(rng)
    for conv in ("vifb", "mefb"):
        triples = toolkit_channels(rgb, rgb + 1, rgb + 2, conv)
        assert len(triples) == 3
        for k, (x, y, z) in enumerate(triples):
            np.testing.assert_array_equal(y, rgb[..., k] + 1)
            np.testing.assert_array_equal(x, rgb[..., k])
            np.testing.assert_array_equal(z, rgb[..., k] + 2)


def test_grey_source_pairs_with_every_channel(rng):
    rgb, grey = _named(rng)
    triples = toolkit_channels(rgb, grey, rgb, "vifb")
    assert len(triples) == 3 and all(t[1] is grey for t in triples)


def test_mefb_grey_sources_rgb_fused_red_channel_or_rgb2gray(rng):
    rgb, grey = _named(rng)
    (t,) = toolkit_channels(grey, grey, rgb, "mefb")
    np.testing.assert_array_equal(t[2], rgb[..., 0])
    (t,) = toolkit_channels(grey, grey, rgb, "mefb", fused_only_gray=True)
    np.testing.assert_allclose(t[2], rgb2gray(rgb))
    assert len(toolkit_channels(grey, grey, rgb, "vifb")) == 3


def test_grey_fused_uses_rgb2gray_sources(rng):
    rgb, grey = _named(rng)
    (t,) = toolkit_channels(rgb, grey, grey, "vifb")
    np.testing.assert_allclose(t[0], rgb2gray(rgb))


def test_channel_means(rng):
    rgb, grey = _named(rng)

    def fn(x, y, z):
        return float(z.mean())

    assert toolkit_mean(fn, rgb, rgb, rgb, "vifb") == pytest.approx(rgb.mean())
    assert toolkit_mean(fn, grey, grey, rgb, "mefb") == pytest.approx(rgb[..., 0].mean())
    assert toolkit_mean(fn, grey, grey, rgb, "vifb") == pytest.approx(rgb.mean())
    (lum,) = to_luma(rgb)
    np.testing.assert_allclose(lum, rgb @ np.array([0.299, 0.587, 0.114]))
