"""The wrapping curvelet transform (methods/mst/cvt.py): tight frame, structure, directions."""

from __future__ import annotations

import numpy as np
import pytest

from bench.color import luma
from methods.mst import cvt


@pytest.fixture(scope="module")
def photo(shared_datasets):
    from bench.io import read_image

    a, _ = read_image(shared_datasets / "lytro" / "lytro-01-A.jpg")
    return luma(a)[100:227, 150:260]  # 127×110: odd and even sizes


@pytest.mark.parametrize("levels", [1, 2, 4])
def test_perfect_reconstruction_and_parseval(photo, levels):
    d = cvt.forward(photo, levels)
    assert np.abs(cvt.inverse(d) - photo).max() < 1e-10
    energy = np.sum(d.low ** 2) + sum(np.sum(h ** 2) for h in d.highs)
    assert energy == pytest.approx(np.sum(photo ** 2), rel=1e-12)  # a tight frame
    # the adjoint of a tight frame: <T x, c> = <x, T* c> for any coefficients c
    rng = np.random.default_rng(levels)
    c = cvt.forward(photo, levels)
    c.low = rng.standard_normal(c.low.shape)
    c.highs = [rng.standard_normal(h.shape) for h in c.highs]
    lhs = np.sum(d.low * c.low) + sum(np.sum(x * y) for x, y in zip(d.highs, c.highs))
    assert lhs == pytest.approx(np.sum(photo * cvt.inverse(c)), rel=1e-10)


def test_scales_and_angles_are_curvelab_s():
    """nbscales = levels + 1, 16 angles at the second-coarsest scale doubling every other
    scale (16, 32, 32, 64); the coarsest band is CurveLab's 2⌊2M⌋+1 square, M = N/3/2^(J-1)."""
    d = cvt.forward(np.zeros((520, 520)), 4)
    assert [len(r) for r in d.meta["scales"]] == [16, 32, 32, 64]
    m = 520 / 3 / 2 ** 4
    assert d.low.shape == (2 * int(2 * m) + 1,) * 2 == (43, 43)
    total = d.low.size + sum(h.size for h in d.highs)
    assert 6 < total / 520 ** 2 < 8  # CurveLab's real transform with curvelets at the finest: ≈ 7.2
    # finest wedges are needles: long along the frequency axis, narrow across
    fine = [d.highs[i].shape for i in d.meta["scales"][-1]]
    assert all(max(s) > 2.5 * min(s) for s in fine)


@pytest.mark.parametrize("angle", [0, 22, 45, 63, 100, 135, 160])
def test_oriented_grating_lands_in_the_matching_wedges(angle):
    size, freq = 128, 0.3  # cycles per pixel: the finest scale
    y, x = np.mgrid[0:size, 0:size]
    th = np.deg2rad(angle)  # frequency direction, counter-clockwise from the horizontal axis
    img = np.cos(2 * np.pi * freq * (np.cos(th) * x - np.sin(th) * y))
    d = cvt.forward(img, 4)
    e = np.array([np.sum(h ** 2) for h in d.highs])
    dirs = np.array(cvt.wedge_directions(img.shape, 4))
    off = np.abs((dirs - angle + 90) % 180 - 90)  # angular distance, degrees
    assert off[np.argmax(e)] <= 7.5  # half a wedge at 64 angles: 360 / 64 / 2 ≈ 5.6, up to ~7
    assert e[off > 20].sum() < 0.02 * e.sum()  # almost nothing in far-off directions
    # two neighbouring wedges (cosine + sine arrays each) in at most two neighbouring scales
    assert np.sort(e)[-8:].sum() > 0.8 * e.sum()


def test_window_pair_is_a_smooth_partition():
    r = np.linspace(-0.5, 1.5, 201)
    up, down = cvt.window_pair(r)
    np.testing.assert_allclose(up ** 2 + down ** 2, 1.0, atol=1e-15)
    np.testing.assert_allclose(down, cvt.window_pair(1 - r)[0], atol=1e-15)
    assert np.all(np.diff(up) >= 0) and up[r <= 0].max() == 0 and down[r >= 1].max() == 0
