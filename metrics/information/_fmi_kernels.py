"""Compiled FMI window loop (numba): the formulas of :mod:`metrics.information.fmi`, one window at a time.

Imported lazily by :func:`metrics.information.fmi.feature_mutual_information`
(numba's import and the cached compilation are paid on the first FMI call, not
when the metric registry loads). Each window's values are gathered straight
from the three gradient images (no (9, n) copies); per window pair the
Fréchet-bound copula is the 2l−1-step merge of the two cdfs and the joint
entropy the scaled product's closed form corrected on those cells (module
docstring of :mod:`metrics.information.fmi`). The arithmetic is that of the
vectorised code it replaced, in the same order where the order is defined
(sequential sums over a window); values agree to ~1e-15 relative
(tests/metrics/test_fast_paths.py checks them against the cell-by-cell oracle).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _window_stats(g, i, j, w, raw, pdf, cdf0, cdfp, cen, lg, out3):
    """Fill raw/pdf/cdf/centred/log2 of the w×w window at (i, j) (column-major); out3 = sd, H, Σp."""
    l = w * w
    k = 0
    for c in range(w):
        for r in range(w):
            raw[k] = g[i + r, j + c]
            k += 1
    lo = raw[0]
    hi = raw[0]
    for k in range(1, l):
        v = raw[k]
        if v < lo:
            lo = v
        if v > hi:
            hi = v
    rng = hi - lo
    for k in range(l):
        pdf[k] = (raw[k] - lo) / rng if rng > 0 else 1.0
    s = pdf[0]
    for k in range(1, l):
        s += pdf[k]
    for k in range(l):
        pdf[k] = pdf[k] / s
    for k in range(l, 2 * l):
        pdf[k] = 0.0
        lg[k] = 0.0
    cdf0[0] = 0.0
    acc = pdf[0]
    cdf0[1] = acc
    for k in range(1, l):
        acc += pdf[k]
        cdf0[k + 1] = acc
    for k in range(l):
        cdfp[k] = cdf0[k + 1]
    for k in range(l, 2 * l):
        cdfp[k] = cdf0[l]
    total = pdf[0]
    for k in range(1, l):
        total += pdf[k]
    mean = total / l
    m1 = 0.0
    m2 = 0.0
    ent = 0.0
    for k in range(l):
        p = pdf[k]
        cen[k] = p - mean
        idx = k + 1.0
        m1 += idx * p
        m2 += idx * idx * p
        lg[k] = math.log2(p) if p != 0 else 0.0
        ent += p * lg[k]
    out3[0] = math.sqrt(abs(m2 - m1 * m1))
    out3[1] = -ent
    out3[2] = total


@njit(cache=True, nogil=True)
def _pair(l, xraw, xpdf, xcdf0, xcdfp, xcen, xlg, xst, fraw, fpdf, fcdf0, fcdfp, fcen, flg, fst, rev,
          cells_i, cells_j, mass):
    """FMI_XF of one window pair (module docstring of metrics.information.fmi)."""
    same = True
    for k in range(l):
        if xraw[k] != fraw[k]:
            same = False
            break
    if same:
        return 1.0
    num = 0.0
    sxx = 0.0
    sff = 0.0
    for k in range(l):
        num += xcen[k] * fcen[k]
        sxx += xcen[k] * xcen[k]
        sff += fcen[k] * fcen[k]
    c = num / math.sqrt(sxx * sff) if num != 0 else 0.0
    neg = c < 0
    px = xcdfp
    if neg:  # lower bound: the upper bound with X's index reversed, P_X'(j) = 1 − P_X(l − j)
        for r in range(l):
            rev[r] = 1.0 - xcdf0[l - 1 - r]
        for r in range(l, 2 * l):
            rev[r] = 1.0 - xcdf0[0]
        px = rev
    xent, fent = xst[1], fst[1]
    xtot, ftot = xst[2], fst[2]
    # the 2l−1 cells of the comonotone staircase: Σ C_ij = Σ_cells mass·(l − i)(l − j)
    fi = 0
    xj = 0
    prev = 0.0
    wi = float(l)
    wj = float(l)
    sum_c = 0.0
    steps = 2 * l - 1
    for s in range(steps):
        a = fcdfp[fi]
        b = px[xj]
        h = min(a, b)
        m = h - prev
        cj = xj
        wjs = wj
        if neg and cj < l:  # back to X's own index (neg is fixed per window pair)
            cj = l - 1 - cj
            wjs = (l + 1) - wjs
        cells_i[s] = fi
        cells_j[s] = cj
        mass[s] = m
        sum_c += wi * wjs * m
        prev = h
        step_i = a <= b  # branch-free: the merge direction is data-dependent
        step_j = b <= a
        wi -= step_i
        wj -= step_j
        fi += step_i
        xj += step_j
    sf = 0.0
    sx = 0.0
    for k in range(1, l + 1):
        sf += fcdf0[k]
        sx += xcdf0[k]
    cov = sum_c - sf * sx
    sds = xst[0] * fst[0]
    phi = c * sds / cov if (c != 0 and sds > 0) else 0.0
    keep = 1.0 - phi
    log_keep = math.log2(abs(keep)) if keep != 0 else 0.0
    # Σ_all (1 − φ) p_F p_X log2|(1 − φ) p_F p_X| in closed form, corrected on the cells
    neg_h = keep * (ftot * xtot * log_keep - xtot * fent - ftot * xent)
    s1 = 0.0
    s2 = 0.0
    for s in range(steps):
        ci = cells_i[s]
        cj = cells_j[s]
        prod = keep * (fpdf[ci] * xpdf[cj])
        joint = phi * mass[s] + prod
        if joint != 0:
            s1 += joint * math.log2(abs(joint))
        s2 += prod * (flg[ci] + xlg[cj] + log_keep)
    neg_h += s1 - s2
    mi = xent + fent + neg_h
    return 2.0 * mi / (xent + fent) if mi != 0 else 0.0


@njit(cache=True, nogil=True)
def fmi_sum(ga, gb, gf, w):
    """Σ over the 'valid' w×w windows of FMI_AF + FMI_BF, and the window count.

    >>> g = np.random.default_rng(0).random((6, 7))
    >>> total, n = fmi_sum(g, g, g, 3)  # every window equals F's: FMI 1
    >>> n, float(total / (2 * n))
    (20, 1.0)
    """
    h, wd = ga.shape
    nh = h - w + 1
    nw = wd - w + 1
    l = w * w
    # per image (A, B, F): raw values, padded pdf, padded cdf, centred pdf, padded log2 pdf
    araw, apdf, acdfp = np.zeros(2 * l), np.zeros(2 * l), np.zeros(2 * l)
    acen, alg = np.zeros(2 * l), np.zeros(2 * l)
    braw, bpdf, bcdfp = np.zeros(2 * l), np.zeros(2 * l), np.zeros(2 * l)
    bcen, blg = np.zeros(2 * l), np.zeros(2 * l)
    fraw, fpdf, fcdfp = np.zeros(2 * l), np.zeros(2 * l), np.zeros(2 * l)
    fcen, flg = np.zeros(2 * l), np.zeros(2 * l)
    acdf0, bcdf0, fcdf0 = np.zeros(l + 1), np.zeros(l + 1), np.zeros(l + 1)
    ast, bst, fst = np.zeros(3), np.zeros(3), np.zeros(3)
    rev = np.zeros(2 * l)
    cells_i = np.zeros(2 * l, dtype=np.int64)
    cells_j = np.zeros(2 * l, dtype=np.int64)
    mass = np.zeros(2 * l)
    total = 0.0
    for i in range(nh):
        for j in range(nw):
            _window_stats(gf, i, j, w, fraw, fpdf, fcdf0, fcdfp, fcen, flg, fst)
            _window_stats(ga, i, j, w, araw, apdf, acdf0, acdfp, acen, alg, ast)
            _window_stats(gb, i, j, w, braw, bpdf, bcdf0, bcdfp, bcen, blg, bst)
            fa = _pair(l, araw, apdf, acdf0, acdfp, acen, alg, ast,
                       fraw, fpdf, fcdf0, fcdfp, fcen, flg, fst, rev, cells_i, cells_j, mass)
            fb = _pair(l, braw, bpdf, bcdf0, bcdfp, bcen, blg, bst,
                       fraw, fpdf, fcdf0, fcdfp, fcen, flg, fst, rev, cells_i, cells_j, mass)
            total += fa + fb
    return total, nh * nw
