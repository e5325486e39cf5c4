"""Fused numba kernels of Q^AG (average gradient) and Q^SF (spatial frequency).

Each sum runs over the same flat index range as the numpy code's temporary
array and adds in numpy's pairwise order (:func:`metrics._numba.plan`), the
terms computed on the fly by row segments of ≤ 128: the same float64
operations in the same order, so the same bits as ``gradient.py`` /
``spatial_frequency.py`` (kept as the oracle; ``FUSEBENCH_NUMBA=0``), with
no image-sized temporaries.

    >>> ramp = np.tile(np.arange(8.0), (8, 1))   # dx = 1, dy = 0: each term sqrt(1/2)
    >>> round(ag_sum(ramp) / 49, 4), sf_sums(ramp)
    (0.7071, (56.0, 0.0))
"""

from __future__ import annotations

import math

import numpy as np

from metrics._numba import combine, njit, pairwise_block, plan


@njit
def _ag_leaf(x, lo, n, cols, out):
    """Terms sqrt(((dx² + dy²)) / 2) of flat positions lo..lo+n of the (M−1)×(N−1) grid."""
    r = lo // cols
    c = lo - r * cols
    t = 0
    while t < n:
        m = min(n - t, cols - c)
        row, below = x[r], x[r + 1]
        for j in range(c, c + m):
            dy = below[j] - row[j]
            dx = row[j + 1] - row[j]
            out[t + j - c] = math.sqrt((dx * dx + dy * dy) / 2.0)
        t += m
        c = 0
        r += 1


@njit
def ag_sum(x):
    """Σ over the (M−1)×(N−1) interior of sqrt((dx² + dy²)/2), forward differences."""
    cols = x.shape[1] - 1
    out = np.empty(128)
    starts, lengths, program = plan((x.shape[0] - 1) * cols)
    sums = np.empty((starts.size, 1))
    for j in range(starts.size):
        _ag_leaf(x, starts[j], lengths[j], cols, out)
        sums[j, 0] = pairwise_block(out, 0, lengths[j])
    return combine(sums, program)[0]


@njit
def _diff2_leaf(x, lo, n, cols, axis, out):
    """Squared differences along ``axis`` (1: x[i, j+1] − x[i, j]; 0: x[i+1, j] − x[i, j])."""
    r = lo // cols
    c = lo - r * cols
    t = 0
    while t < n:
        m = min(n - t, cols - c)
        row = x[r]
        if axis == 1:
            for j in range(c, c + m):
                d = row[j + 1] - row[j]
                out[t + j - c] = d * d
        else:
            below = x[r + 1]
            for j in range(c, c + m):
                d = below[j] - row[j]
                out[t + j - c] = d * d
        t += m
        c = 0
        r += 1


@njit
def _diff2_sum(x, axis):
    rows = x.shape[0] - (1 - axis)
    cols = x.shape[1] - axis
    out = np.empty(128)
    starts, lengths, program = plan(rows * cols)
    sums = np.empty((starts.size, 1))
    for j in range(starts.size):
        _diff2_leaf(x, starts[j], lengths[j], cols, axis, out)
        sums[j, 0] = pairwise_block(out, 0, lengths[j])
    return combine(sums, program)[0]


@njit
def sf_sums(x):
    """(Σ (x[i, j+1] − x[i, j])², Σ (x[i+1, j] − x[i, j])²) in np.sum's order."""
    return _diff2_sum(x, 1), _diff2_sum(x, 0)


@njit
def _grad_term(x, r, c, h, w):
    """sqrt((gx² + gy²)/2) of ``np.gradient`` at (r, c): central inside, one-sided at the border."""
    row = x[r]
    if c == 0:
        gx = (row[1] - row[0]) / 1.0
    elif c == w - 1:
        gx = (row[w - 1] - row[w - 2]) / 1.0
    else:
        gx = (row[c + 1] - row[c - 1]) / 2.0
    if r == 0:
        gy = (x[1, c] - x[0, c]) / 1.0
    elif r == h - 1:
        gy = (x[h - 1, c] - x[h - 2, c]) / 1.0
    else:
        gy = (x[r + 1, c] - x[r - 1, c]) / 2.0
    return math.sqrt((gx * gx + gy * gy) / 2.0)


@njit
def _agm_leaf(x, lo, n, out):
    h, w = x.shape
    r = lo // w
    c = lo - r * w
    t = 0
    while t < n:
        m = min(n - t, w - c)
        if r == 0 or r == h - 1:
            for j in range(c, c + m):
                out[t + j - c] = _grad_term(x, r, j, h, w)
        else:
            lo_c, hi_c = max(c, 1), min(c + m, w - 1)
            for j in range(c, lo_c):
                out[t + j - c] = _grad_term(x, r, j, h, w)
            up, row, down = x[r - 1], x[r], x[r + 1]
            for j in range(lo_c, hi_c):
                gx = (row[j + 1] - row[j - 1]) / 2.0
                gy = (down[j] - up[j]) / 2.0
                out[t + j - c] = math.sqrt((gx * gx + gy * gy) / 2.0)
            for j in range(max(hi_c, lo_c), c + m):
                out[t + j - c] = _grad_term(x, r, j, h, w)
        t += m
        c = 0
        r += 1


@njit
def ag_matlab_sum(x):
    """Σ over all M·N pixels of sqrt((gx² + gy²)/2), (gy, gx) = ``np.gradient(x)``."""
    out = np.empty(128)
    starts, lengths, program = plan(x.size)
    sums = np.empty((starts.size, 1))
    for j in range(starts.size):
        _agm_leaf(x, starts[j], lengths[j], out)
        sums[j, 0] = pairwise_block(out, 0, lengths[j])
    return combine(sums, program)[0]
