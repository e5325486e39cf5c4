"""bench.matlab.imresize: MATLAB's imresize (kernels, coordinate map, mirrored borders, antialias)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.errors import ParameterError
from bench.matlab import imresize, imresize_taps


def test_bicubic_keys_kernel_weights_when_enlarging_by_two():
    # u = x/2 + 1/4: phases 0.75 and 0.25 from the nearest sample; Keys a = -0.5 gives
    # k(1.75) = -0.0234375, k(0.75) = 0.2265625, k(0.25) = 0.8671875, k(1.25) = -0.0703125
    idx, w = imresize_taps(6, 12, 2.0)
    w5 = w[5][np.abs(w[5]) > 0]
    np.testing.assert_allclose(sorted(w5), sorted([-0.0234375, 0.2265625, 0.8671875, -0.0703125]))
    assert idx[5][np.abs(w[5]) > 0].tolist() == [1, 2, 3, 4]


def test_halving_bilinear_is_the_antialiased_1_3_3_1_filter():
    # MATLAB imresize(x, 0.5, 'bilinear') filters with the triangle stretched ×2: [1 3 3 1]/8
    x = np.arange(16.0)[None, :] ** 2
    out = imresize(x, (1, 8), "bilinear")
    k = np.array([1, 3, 3, 1]) / 8
    np.testing.assert_allclose(out[0, 1:7], [x[0, 2 * i - 1 : 2 * i + 3] @ k for i in range(1, 7)])
    # without antialiasing it is the plain average of the two nearest samples
    plain = imresize(x, (1, 8), "bilinear", antialias=False)
    np.testing.assert_allclose(plain[0], (x[0, 0::2] + x[0, 1::2]) / 2)


def test_bicubic_reproduces_linear_ramps_away_from_borders_and_constants_everywhere():
    ramp = np.add.outer(np.arange(10.0), 2 * np.arange(12.0))
    up = imresize(ramp, (25, 31))
    yy = (np.arange(1, 26) / 2.5 + 0.5 * (1 - 1 / 2.5)) - 1  # 0-based source coordinates
    xx = (np.arange(1, 32) / (31 / 12) + 0.5 * (1 - 12 / 31)) - 1
    want = np.add.outer(yy, 2 * xx)
    np.testing.assert_allclose(up[4:-4, 4:-4], want[4:-4, 4:-4], atol=1e-12)
    np.testing.assert_allclose(imresize(np.full((7, 9), 3.0), (4, 20)), 3.0)


def test_nearest_and_colour_planes():
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(imresize(x, (6, 8), "nearest"), np.repeat(np.repeat(x, 2, 0), 2, 1))
    rgb = np.stack([x, 2 * x, -x], axis=2)
    out = imresize(rgb, (5, 7))
    for c in range(3):
        np.testing.assert_allclose(out[..., c], imresize(rgb[..., c], (5, 7)))
    with pytest.raises(ParameterError, match="lanczos"):
        imresize(x, (2, 2), "lanczos")
