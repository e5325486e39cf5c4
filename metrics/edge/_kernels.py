"""Fused numba kernels of Q^AB/F (Xydeas-Petrović) and the Q/L/N^AB/F analysis (Petrović/Kumar).

One pass over the pixels: each pixel's Sobel responses of A, B and F, their
strength and orientation, both preservation values and every term of the
sums are computed on the fly and added in numpy's pairwise order (the flat
pixel range is split as ``np.sum`` splits it, :func:`metrics._numba.plan`;
each leaf of ≤ 128 pixels is added by :func:`metrics._numba.pairwise_block`). No
image-sized temporaries; the float64 operations per pixel are those of the
numpy code in ``qabf.py`` / ``loss_artefacts.py`` in the same order, so the
values are the same bits (tested against that code, kept as the oracle).
Images must be at least 3×3 (smaller ones take the numpy code).
"""

from __future__ import annotations

import math

import numpy as np

from metrics._numba import combine, njit, pairwise_block, plan

HALF_PI = np.pi / 2
TWO_OVER_PI = 2.0 / np.pi
# Q^AB/F (Xydeas & Petrović) constants, as in qabf.py
TG, KG, DG = 0.9994, 15.0, 0.5
TA, KA, DA = 0.9879, 22.0, 0.8
# Petrović / Kumar constants, as in loss_artefacts.py
TD, WT_MIN, LG = 2.0, 0.001, 1.5
GAMMA_G, K_G, SIGMA_G = 0.9999, 19.0, 0.5
GAMMA_A, K_A, SIGMA_A = 0.9995, 22.0, 0.5


# -- Q^AB/F: zero-padded 2-D Sobel (bench.matlab._correlate3's tap order) -----------------
@njit
def _zp(x, r, c, h, w, s):
    if r < 0 or r >= h or c < 0 or c >= w:
        return 0.0
    return s * x[r, c]


@njit
def _edge_zero(x, r, c, h, w, s):
    """(g, α) of ``s·x`` at (r, c): strength_orientation's arithmetic, one pixel."""
    if r >= 1 and r < h - 1 and c >= 1 and c < w - 1:
        p00, p01, p02 = s * x[r - 1, c - 1], s * x[r - 1, c], s * x[r - 1, c + 1]
        p10, p12 = s * x[r, c - 1], s * x[r, c + 1]
        p20, p21, p22 = s * x[r + 1, c - 1], s * x[r + 1, c], s * x[r + 1, c + 1]
    else:
        p00, p01, p02 = _zp(x, r - 1, c - 1, h, w, s), _zp(x, r - 1, c, h, w, s), _zp(x, r - 1, c + 1, h, w, s)
        p10, p12 = _zp(x, r, c - 1, h, w, s), _zp(x, r, c + 1, h, w, s)
        p20, p21, p22 = _zp(x, r + 1, c - 1, h, w, s), _zp(x, r + 1, c, h, w, s), _zp(x, r + 1, c + 1, h, w, s)
    # gx: taps of SOBEL.T in row-major order, from 0
    gx = 0.0 + p00
    gx = gx - p02
    gx = gx + p10 * 2.0
    gx = gx + p12 * -2.0
    gx = gx + p20
    gx = gx - p22
    gy = 0.0 + p00
    gy = gy + p01 * 2.0
    gy = gy + p02
    gy = gy - p20
    gy = gy + p21 * -2.0
    gy = gy - p22
    sx = gx
    sy = 0.0 - gy
    g = math.sqrt(sx * sx + sy * sy)
    if sx == 0:
        a = HALF_PI
    else:
        a = math.atan(sy / sx)
    return g, a


@njit
def _qabf_pres(gx, ax, gf, af, vifb):
    if gx > gf:
        ratio = gf / gx
    elif gx < gf:
        ratio = gx / gf
    elif vifb:
        ratio = gf
    else:
        ratio = 1.0
    qg = TG / (math.exp((ratio - DG) * -KG) + 1.0)
    delta = 1.0 - abs(ax - af) / HALF_PI
    return qg * (TA / (math.exp((delta - DA) * -KA) + 1.0))


@njit
def _qabf_leaf(a, b, f, s, vifb, lo, n, buf, same):
    h, w = f.shape
    r = lo // w
    c = lo - r * w
    for t in range(n):
        ga, aa = _edge_zero(a, r, c, h, w, s)
        gb, ab = _edge_zero(b, r, c, h, w, s)
        gf, af = _edge_zero(f, r, c, h, w, s)
        if not vifb and ga == gf and aa == af:
            qaf = same
        else:
            qaf = _qabf_pres(ga, aa, gf, af, vifb)
        if not vifb and gb == gf and ab == af:
            qbf = same
        else:
            qbf = _qabf_pres(gb, ab, gf, af, vifb)
        buf[0, t] = qaf * ga + qbf * gb
        buf[1, t] = ga + gb
        c += 1
        if c == w:
            c = 0
            r += 1


@njit
def qabf_sums(a, b, f, s, vifb):
    """(Σ Q^AF g_A + Q^BF g_B, Σ g_A + g_B) over the image, images scaled by ``s`` first."""
    buf = np.empty((2, 128))
    same = _qabf_pres(1.0, 0.0, 1.0, 0.0, False)  # G = 1, Δ = 1: the value where X and F agree
    starts, lengths, program = plan(f.size)
    sums = np.empty((starts.size, 2))
    for j in range(starts.size):
        n = lengths[j]
        _qabf_leaf(a, b, f, s, vifb, starts[j], n, buf, same)
        sums[j, 0] = pairwise_block(buf[0], 0, n)
        sums[j, 1] = pairwise_block(buf[1], 0, n)
    t = combine(sums, program)
    return t[0], t[1]


# -- Petrović/Kumar: separable Sobel /8 on the mirror extension ----------------------------
@njit
def _m(i, n):
    if i < 0:
        return -i
    if i >= n:
        return 2 * n - 2 - i
    return i


@njit
def _edge_mirror(x, r, c, h, w):
    """(g, α) at (r, c): mirror_gradients + _edges' arithmetic, one pixel."""
    if r >= 1 and r < h - 1 and c >= 1 and c < w - 1:
        rm, rp, cm, cp = r - 1, r + 1, c - 1, c + 1
    else:
        rm, rp, cm, cp = _m(r - 1, h), _m(r + 1, h), _m(c - 1, w), _m(c + 1, w)
    # rows = 2 p1 + p0 + p2 down the columns; gx = rows[c-1] - rows[c+1]
    left = x[r, cm] * 2.0 + x[rm, cm] + x[rp, cm]
    right = x[r, cp] * 2.0 + x[rm, cp] + x[rp, cp]
    gx = left - right
    top = x[rm, c] * 2.0 + x[rm, cm] + x[rm, cp]
    bottom = x[rp, c] * 2.0 + x[rp, cm] + x[rp, cp]
    gy = top - bottom
    gv = (0.0 - gx) / 8.0
    gh = (0.0 - gy) / 8.0
    g = math.sqrt(gh * gh + gv * gv)
    if gh == 0:
        if gv != 0:
            a = math.copysign(HALF_PI, gv)
        else:
            a = 0.0
    else:
        a = math.atan(gv / gh)
    return g, a


@njit
def _weight(g):
    if g >= TD:
        return g**LG
    return WT_MIN


@njit
def _op_pres(gx, ax, gf, af):
    lo = min(gx, gf)
    hi = max(gx, gf)
    rel = 0.0 if hi == 0 else lo / hi
    qg = GAMMA_G / (math.exp((rel - SIGMA_G) * -K_G) + 1.0)
    ra = abs(abs(ax - af) - HALF_PI) * TWO_OVER_PI
    return math.sqrt(qg * (GAMMA_A / (math.exp((ra - SIGMA_A) * -K_A) + 1.0)))


@njit
def _op_leaf(a, b, f, lo, n, buf, same0, same1):
    h, w = f.shape
    r = lo // w
    c = lo - r * w
    for t in range(n):
        g_a, a_a = _edge_mirror(a, r, c, h, w)
        g_b, a_b = _edge_mirror(b, r, c, h, w)
        g_f, a_f = _edge_mirror(f, r, c, h, w)
        w_a = _weight(g_a)
        w_b = _weight(g_b)
        if g_a == g_f and a_a == a_f:
            q_af = same0 if g_f == 0 else same1
        else:
            q_af = _op_pres(g_a, a_a, g_f, a_f)
        if g_b == g_f and a_b == a_f:
            q_bf = same0 if g_f == 0 else same1
        else:
            q_bf = _op_pres(g_b, a_b, g_f, a_f)
        w_ab = w_a + w_b
        added = g_f > g_a and g_f > g_b
        lost = (1.0 - q_af) * w_a + (1.0 - q_bf) * w_b
        buf[0, t] = w_ab
        buf[1, t] = q_af * w_a
        buf[2, t] = q_bf * w_b
        if added:
            buf[3, t] = ((2.0 - q_af) - q_bf) * w_ab
            buf[4, t] = 0.0
            buf[5, t] = lost
        else:
            buf[3, t] = 0.0
            buf[4, t] = lost
            buf[5, t] = 0.0
        c += 1
        if c == w:
            c = 0
            r += 1


@njit
def objective_sums(a, b, f):
    """(Σ w_A + w_B, Σ Q^AF w_A, Σ Q^BF w_B, Σ N_P term, Σ L term, Σ N term)."""
    buf = np.empty((6, 128))
    # where X and F have the same strength and orientation: G = 0 (flat) or 1, A = 1
    same0 = _op_pres(0.0, 0.0, 0.0, 0.0)
    same1 = _op_pres(1.0, 0.0, 1.0, 0.0)
    starts, lengths, program = plan(f.size)
    sums = np.empty((starts.size, 6))
    for j in range(starts.size):
        n = lengths[j]
        _op_leaf(a, b, f, starts[j], n, buf, same0, same1)
        for k in range(6):
            sums[j, k] = pairwise_block(buf[k], 0, n)
    t = combine(sums, program)
    return t[0], t[1], t[2], t[3], t[4], t[5]
