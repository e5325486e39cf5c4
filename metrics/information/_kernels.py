"""Fused numba kernel of Q^MI's two joint histograms (one pass, no per-pixel temporaries).

``joint_counts(a, b, f)`` bins every pixel of the three images to its grey
level (``grey_levels``: nearest integer, halves to even as ``np.rint``,
clipped to 0..255) and counts the (A, F) and (B, F) pairs: the integer
counts ``np.bincount`` gives, so the histograms and entropies computed from
them are the same bits.

    >>> i = np.arange(256.0).reshape(16, 16)
    >>> ja, jb = joint_counts(i, i, i)
    >>> int(ja.sum()), int(ja[5 * 256 + 5]), int(ja[5 * 256 + 6])
    (256, 1, 0)
"""

from __future__ import annotations

import numpy as np

from metrics._numba import njit


@njit
def _level(v):
    return int(min(max(np.rint(v), 0.0), 255.0))


@njit
def _stretched(v, lo, span):
    """normalize1's level: round(255·(v − lo)/span) (halves up; v ≥ lo), 0 for a flat image."""
    if span == 0:
        return 0
    return int(np.floor((v - lo) / span * 255.0 + 0.5))


@njit
def _joint_counts(a, b, f, stretch):
    """The one counting loop; levels by :func:`_level`, or :func:`_stretched` when ``stretch``."""
    la = lb = lf = sa = sb = sf = 0.0
    if stretch:
        la, lb, lf = a.min(), b.min(), f.min()
        sa, sb, sf = a.max() - la, b.max() - lb, f.max() - lf
    ja = np.zeros(65536, np.int64)
    jb = np.zeros(65536, np.int64)
    h, w = f.shape
    for r in range(h):
        ra, rb, rf = a[r], b[r], f[r]
        for c in range(w):
            if stretch:
                k = _stretched(rf[c], lf, sf)
                ja[_stretched(ra[c], la, sa) * 256 + k] += 1
                jb[_stretched(rb[c], lb, sb) * 256 + k] += 1
            else:
                k = _level(rf[c])
                ja[_level(ra[c]) * 256 + k] += 1
                jb[_level(rb[c]) * 256 + k] += 1
    return ja, jb


def joint_counts(a, b, f):
    """(counts of (level A, level F), counts of (level B, level F)), each 256·256 int64."""
    return _joint_counts(a, b, f, False)


def joint_counts_stretched(a, b, f):
    """:func:`joint_counts` on ``normalize1``'s min–max stretched levels (VIFB/MEFB MI)."""
    return _joint_counts(a, b, f, True)
