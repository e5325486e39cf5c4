"""Box and guided filters (methods/filters.py), checked on real Lytro crops."""

from __future__ import annotations

import numpy as np

from bench.color import luma
from methods.filters import box_filter, box_mean, guided_filter


def _brute_box(x, r):
    out = np.zeros_like(x)
    for i in range(x.shape[0]):
        for j in range(x.shape[1]):
            out[i, j] = x[max(i - r, 0): i + r + 1, max(j - r, 0): j + r + 1].sum()
    return out


def test_box_filter_matches_clipped_window_sums(lytro_pair):
    x = luma(lytro_pair[0])[100:131, 200:223]
    for r in (1, 4, 20):
        np.testing.assert_allclose(box_filter(x, r), _brute_box(x, r), rtol=1e-12, atol=1e-8)
    # colour stacks are filtered channel by channel
    xc = lytro_pair[0][100:120, 200:215]
    np.testing.assert_allclose(box_filter(xc, 3)[..., 2], _brute_box(xc[..., 2], 3), atol=1e-8)


def test_box_mean_of_constant_is_constant_even_at_borders():
    np.testing.assert_allclose(box_mean(np.full((7, 9), 3.5), 4), 3.5)


def test_guided_filter_limits(lytro_pair):
    g = luma(lytro_pair[0])[:80, :90] / 255.0
    p = luma(lytro_pair[1])[:80, :90] / 255.0
    # huge eps: a -> 0, q -> mean of the box mean of p (plain smoothing)
    q = guided_filter(g, p, 3, 1e9)
    np.testing.assert_allclose(q, box_mean(box_mean(p, 3), 3), atol=1e-6)
    # self-guided with tiny eps keeps the image (edge preserving)
    np.testing.assert_allclose(guided_filter(g, g, 3, 1e-10), g, atol=1e-4)


def test_guided_filter_preserves_a_step_edge():
    step = np.tile(np.r_[np.zeros(10), np.ones(10)], (12, 1))
    noisy = step + 0.05 * np.random.default_rng(3).standard_normal(step.shape)
    out = guided_filter(step, noisy, 4, 1e-3)
    assert abs(out[:, 9].mean()) < 0.05 and abs(out[:, 10].mean() - 1) < 0.05
    assert np.std(out[:, 2:8] - 0) < np.std(noisy[:, 2:8])  # flat side got smoothed


def test_colour_guide_follows_colour_edges(lytro_pair):
    g = lytro_pair[0][50:110, 60:140] / 255.0
    p = luma(lytro_pair[0])[50:110, 60:140] / 255.0
    q = guided_filter(g, p, 4, 1e-4)
    assert q.shape == p.shape
    assert np.mean(np.abs(q - p)) < 0.02  # a colour guide reproduces its own luma closely
