"""bench.matlab against values computed by MATLAB's own formulas on small known arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bench.errors import ParameterError
from bench.matlab import (
    SOBEL,
    fspecial_gaussian,
    gaussian_taps,
    im2double,
    imfilter,
    imfilter_separable,
    mat2gray,
    rgb2gray,
    round_half_away,
    sobel,
)

X = np.array([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0], [9.0, 10.0, 11.0, 12.0]])


def test_fspecial_gaussian_3x3_sigma_1():
    # fspecial('gaussian', 3, 1): h = exp(-(x^2+y^2)/2) for x, y in {-1,0,1}, h = h/sum(h(:))
    e1, e2 = math.exp(-0.5), math.exp(-1.0)
    total = 1 + 4 * e1 + 4 * e2
    expected = np.array([[e2, e1, e2], [e1, 1.0, e1], [e2, e1, e2]]) / total
    np.testing.assert_allclose(fspecial_gaussian(3, 1.0), expected, rtol=1e-15)
    np.testing.assert_allclose(fspecial_gaussian(3, 1.0, summation="sequential"), expected, rtol=1e-15)
    assert fspecial_gaussian(3, 1.0)[1, 1] == pytest.approx(0.2041799555716891, rel=1e-15)


def test_fspecial_gaussian_cuts_taps_below_eps_like_matlab():
    # h(h < eps*max(h(:))) = 0: with sigma 0.3 the corners of a 7×7 kernel vanish
    k = fspecial_gaussian(7, 0.3)
    raw = np.exp(-(np.add.outer(np.arange(-3.0, 4) ** 2, np.arange(-3.0, 4) ** 2)) / (2 * 0.09))
    assert k[0, 0] == 0.0 and raw[0, 0] > 0.0
    assert k.sum() == pytest.approx(1.0, abs=1e-15)


def test_gaussian_taps_are_the_separable_factor():
    g = gaussian_taps(11, 1.5)
    np.testing.assert_allclose(np.outer(g, g), fspecial_gaussian(11, 1.5), rtol=1e-13)
    assert gaussian_taps(5, 2.0, normalize=False)[2] == 1.0
    assert gaussian_taps(5, 2.0, normalize=False)[0] == math.exp(-4.0 / 8.0)
    with pytest.raises(ParameterError, match="sigma"):
        gaussian_taps(3, 0.0)


def test_imfilter_borders_on_a_known_array():
    k = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])  # correlation: value of the left neighbour
    assert imfilter(X, k, "zero")[:, 0].tolist() == [0.0, 0.0, 0.0]
    assert imfilter(X, k, "replicate")[:, 0].tolist() == [1.0, 5.0, 9.0]
    assert imfilter(X, k, "symmetric")[:, 0].tolist() == [1.0, 5.0, 9.0]  # c b a | a b c
    assert imfilter(X, k, "circular")[:, 0].tolist() == [4.0, 8.0, 12.0]
    assert imfilter(X, k, "mirror")[:, 0].tolist() == [2.0, 6.0, 10.0]  # c b | a b c
    np.testing.assert_array_equal(imfilter(X, k)[:, 1:], X[:, :-1])


def test_imfilter_valid_and_separable():
    box = np.ones((3, 3))
    # filter2(ones(3), X, 'valid') = [54 63] (sums of the two 3×3 windows)
    assert imfilter(X, box, shape="valid").tolist() == [[54.0, 63.0]]
    assert imfilter_separable(X, np.ones(3), shape="valid").tolist() == [[54.0, 63.0]]
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (13, 17, 3))
    g = gaussian_taps(5, 1.2)
    for border in ("zero", "replicate", "symmetric", "circular"):
        np.testing.assert_allclose(imfilter_separable(x, g, g, border), imfilter(x, np.outer(g, g), border), rtol=1e-12)
    with pytest.raises(ParameterError, match="border"):
        imfilter(X, box, "nearest")
    with pytest.raises(ParameterError, match="odd"):
        imfilter(X, np.ones((2, 2)))
    assert imfilter(X, np.ones((2, 2)), shape="valid").shape == (2, 3)  # even kernels: 'valid' only


def test_sobel_is_matlab_fspecial_sobel():
    assert SOBEL.tolist() == [[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]
    gx, gy = sobel(X, "replicate")
    # interior pixel (1,1): gy = top row − bottom row = (1+2·2+3) − (9+2·10+11) = −32
    assert gy[1, 1] == -32.0
    # gx = left − right = (1+2·5+9) − (3+2·7+11) = −8
    assert gx[1, 1] == -8.0
    for border in ("zero", "replicate", "symmetric", "circular", "mirror"):
        for a, b in zip(sobel(X * 1.7, border), sobel(X * 1.7, border, separable=True)):
            np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-12)


def test_round_half_away_from_zero():
    x = np.array([-2.5, -1.5, -0.5, -0.4, 0.0, 0.4, 0.5, 1.5, 2.5, 254.5])
    assert round_half_away(x).tolist() == [-3.0, -2.0, -1.0, -0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 255.0]
    assert np.rint(x).tolist() != round_half_away(x).tolist()  # numpy: halves to even


def test_rgb2gray_weights():
    # rgb2gray: 0.298936021293776 R + 0.587043074451121 G + 0.114020904255103 B
    px = np.array([[[10.0, 20.0, 30.0]]])
    assert rgb2gray(px)[0, 0] == pytest.approx(0.298936021293776 * 10 + 0.587043074451121 * 20 + 0.114020904255103 * 30)
    assert rgb2gray(X) is not None and np.array_equal(rgb2gray(X), X)


def test_im2double_and_mat2gray():
    assert im2double(np.array([0, 128, 255], dtype=np.uint8)).tolist() == [0.0, 128 / 255, 1.0]
    assert im2double(np.array([65535], dtype=np.uint16)).tolist() == [1.0]
    assert im2double(np.array([-32768, 32767], dtype=np.int16)).tolist() == [0.0, 1.0]
    # mat2gray: delta = 1/(max-min), I = delta*A - min*delta, clipped
    d = 1.0 / 11.0
    np.testing.assert_array_equal(mat2gray(X), np.clip(d * X + (-1.0 * d), 0, 1))
    assert mat2gray(X, (2.0, 4.0))[0].tolist() == [0.0, 0.0, 0.5, 1.0]
    assert mat2gray(np.full((2, 2), 7.0)).tolist() == [[1.0, 1.0], [1.0, 1.0]]
