"""Fused numba kernels of Q^AB/F (Xydeas-Petrović) and the Q/L/N^AB/F analysis (Petrović/Kumar).

One pass over the pixels, in blocks of ≤ 128: each pixel's Sobel responses
of A, B and F, their strength and orientation, both preservation values and
every term of the sums are computed into small buffers and added in numpy's
pairwise order (the flat pixel range is split as ``np.sum`` splits it,
:func:`metrics._numba.plan`; each block by :func:`metrics._numba.pairwise_block`).
No image-sized temporaries. The float64 operations per pixel are those of
the numpy code in ``qabf.py`` / ``loss_artefacts.py`` in the same order,
except the transcendental functions: ``atan`` and ``exp`` are fdlibm's,
vectorised (:func:`metrics._numba.atan_buf`, :func:`metrics._numba.exp_buf`;
within 1 ulp like glibc's, last bit rounded differently on a few per cent of
arguments) and the weight g^1.5 is g·sqrt(g) (within 1 ulp of ``pow``), so
values move by ~1e-16 relative (tested against that code, kept as the
oracle). Images must be at least 3×3 (smaller ones take the numpy code).

    >>> x = np.tile(np.arange(8.0), (8, 1))
    >>> num, den = qabf_sums(x, x, x, 1.0, False)   # F = A = B: Q^AB/F's maximum
    >>> round(num / den, 4)
    0.9748
"""

from __future__ import annotations

import math

import numpy as np

from metrics._numba import atan_buf, combine, exp_buf, njit, pairwise_block, plan

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


@njit(inline=True)
def _zero_taps(p00, p01, p02, p10, p12, p20, p21, p22):
    """(sx, sy) from the 3×3 neighbourhood p (p11 has no tap): taps of SOBEL.T in row-major order
    from 0 for gx, of SOBEL for gy, negated (bench.matlab._correlate3's order)."""
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
    return gx, 0.0 - gy


@njit
def _sobel_zero(x, r, c, h, w, s):
    """(sx, sy) of ``s·x`` at (r, c): strength_orientation's Sobel, one pixel."""
    if r >= 1 and r < h - 1 and c >= 1 and c < w - 1:
        p00, p01, p02 = s * x[r - 1, c - 1], s * x[r - 1, c], s * x[r - 1, c + 1]
        p10, p12 = s * x[r, c - 1], s * x[r, c + 1]
        p20, p21, p22 = s * x[r + 1, c - 1], s * x[r + 1, c], s * x[r + 1, c + 1]
    else:
        p00, p01, p02 = _zp(x, r - 1, c - 1, h, w, s), _zp(x, r - 1, c, h, w, s), _zp(x, r - 1, c + 1, h, w, s)
        p10, p12 = _zp(x, r, c - 1, h, w, s), _zp(x, r, c + 1, h, w, s)
        p20, p21, p22 = _zp(x, r + 1, c - 1, h, w, s), _zp(x, r + 1, c, h, w, s), _zp(x, r + 1, c + 1, h, w, s)
    return _zero_taps(p00, p01, p02, p10, p12, p20, p21, p22)


@njit
def _zero_row(x, r, c0, c1, h, w, s, sx, sy, k, t0):
    """Sobel (sx, sy) of pixels (r, c0..c1-1) into block positions t0...: interior by a
    straight (vectorised) loop, the border pixels one by one."""
    lo, hi = max(c0, 1), min(c1, w - 1)
    if r < 1 or r >= h - 1 or lo >= hi:
        lo = hi = c1
    for c in range(c0, lo):
        sx[k, t0 + c - c0], sy[k, t0 + c - c0] = _sobel_zero(x, r, c, h, w, s)
    up, mid, down = x[max(r - 1, 0)], x[r], x[min(r + 1, h - 1)]
    for c in range(lo, hi):
        p00, p01, p02 = s * up[c - 1], s * up[c], s * up[c + 1]
        p10, p12 = s * mid[c - 1], s * mid[c + 1]
        p20, p21, p22 = s * down[c - 1], s * down[c], s * down[c + 1]
        sx[k, t0 + c - c0], sy[k, t0 + c - c0] = _zero_taps(p00, p01, p02, p10, p12, p20, p21, p22)
    for c in range(hi, c1):
        sx[k, t0 + c - c0], sy[k, t0 + c - c0] = _sobel_zero(x, r, c, h, w, s)


@njit
def _zero_edges(sx, sy, g, al, n, k):
    """g = sqrt(sx² + sy²); α = atan(sy/sx), π/2 where sx = 0 (row k of the buffers)."""
    o = k * n
    for t in range(n):
        x, y = sx[k, t], sy[k, t]
        g[k, t] = math.sqrt(x * x + y * y)
        al[o + t] = y / x if x != 0 else 0.0
    atan_buf(al[o:], n)
    for t in range(n):
        if sx[k, t] == 0:
            al[o + t] = HALF_PI


@njit
def _qabf_args(gx, gf, ax, af, vifb, e, o, n, t):
    """Arguments of the two exponentials of Q^XF = Q_g · Q_α at block position t."""
    q = min(gx, gf) / max(gx, gf)  # gf/gx where gx > gf, gx/gf where gx < gf
    ratio = q if gx != gf else (gf if vifb else 1.0)
    e[o + t] = (ratio - DG) * -KG
    delta = 1.0 - abs(ax - af) / HALF_PI
    e[o + n + t] = (delta - DA) * -KA


@njit
def _sobel_block(x, lo, n, s, bx, by, k, mirror):
    """Sobel responses of the flat pixels lo..lo+n−1 of x into row k of the block buffers, one
    row segment at a time: Q^AB/F's zero-padded (sx, sy) of s·x, or with ``mirror`` the
    Petrović/Kumar (gv, gh) on the mirror extension (s unused)."""
    h, w = x.shape
    r = lo // w
    c = lo - r * w
    t = 0
    while t < n:
        m = min(n - t, w - c)
        if mirror:
            _mirror_row(x, r, c, c + m, h, w, bx, by, k, t)
        else:
            _zero_row(x, r, c, c + m, h, w, s, bx, by, k, t)
        t += m
        c = 0
        r += 1


@njit
def _qabf_leaf(a, b, f, s, vifb, lo, n, sx, sy, g, al, e, sc, out, maps, use_maps):
    if not use_maps:
        _sobel_block(a, lo, n, s, sx, sy, 0, False)
        _sobel_block(b, lo, n, s, sx, sy, 1, False)
    _sobel_block(f, lo, n, s, sx, sy, 2, False)
    if use_maps:  # the sources' (g, α) from their maps (zero_edges_map: the same arithmetic)
        ga, aa, gb, ab = maps
        for t in range(n):
            g[0, t], al[t] = ga[lo + t], aa[lo + t]
            g[1, t], al[n + t] = gb[lo + t], ab[lo + t]
    else:
        _zero_edges(sx, sy, g, al, n, 0)
        _zero_edges(sx, sy, g, al, n, 1)
    _zero_edges(sx, sy, g, al, n, 2)
    for t in range(n):
        _qabf_args(g[0, t], g[2, t], al[t], al[2 * n + t], vifb, e, 0, n, t)
        _qabf_args(g[1, t], g[2, t], al[n + t], al[2 * n + t], vifb, e, 2 * n, n, t)
    exp_buf(e, sc, 4 * n)
    for t in range(n):
        qaf = (TG / (e[t] + 1.0)) * (TA / (e[n + t] + 1.0))
        qbf = (TG / (e[2 * n + t] + 1.0)) * (TA / (e[3 * n + t] + 1.0))
        out[0, t] = qaf * g[0, t] + qbf * g[1, t]
        out[1, t] = g[0, t] + g[1, t]


@njit
def zero_edges_map(x, s):
    """(g, α) maps of ``s·x`` (flat, C order): what the Q^AB/F kernel computes per pixel."""
    gm, am = np.empty(x.size), np.empty(x.size)
    sx, sy, g, al = np.empty((1, 128)), np.empty((1, 128)), np.empty((1, 128)), np.empty(128)
    for lo in range(0, x.size, 128):
        n = min(128, x.size - lo)
        _sobel_block(x, lo, n, s, sx, sy, 0, False)
        _zero_edges(sx, sy, g, al, n, 0)
        for t in range(n):
            gm[lo + t], am[lo + t] = g[0, t], al[t]
    return gm, am


@njit
def qabf_sums(a, b, f, s, vifb):
    """(Σ Q^AF g_A + Q^BF g_B, Σ g_A + g_B) over the image, images scaled by ``s`` first."""
    dummy = np.empty(1)
    return _qabf_sums(a, b, f, s, vifb, (dummy, dummy, dummy, dummy), False)


@njit
def qabf_sums_maps(ga, aa, gb, ab, f, s, vifb):
    """:func:`qabf_sums` with the sources' :func:`zero_edges_map` maps given (the same bits)."""
    return _qabf_sums(f, f, f, s, vifb, (ga, aa, gb, ab), True)


@njit
def _qabf_sums(a, b, f, s, vifb, maps, use_maps):
    sx, sy, g = np.empty((3, 128)), np.empty((3, 128)), np.empty((3, 128))
    al, e, sc, out = np.empty(384), np.empty(512), np.empty(512), np.empty((2, 128))
    starts, lengths, program = plan(f.size)
    sums = np.empty((starts.size, 2))
    for j in range(starts.size):
        n = lengths[j]
        _qabf_leaf(a, b, f, s, vifb, starts[j], n, sx, sy, g, al, e, sc, out, maps, use_maps)
        sums[j, 0] = pairwise_block(out[0], 0, n)
        sums[j, 1] = pairwise_block(out[1], 0, n)
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


@njit(inline=True)
def _mirror_taps(up, mid, down, cm, c, cp):
    """(gv, gh) from rows up/mid/down at columns cm, c, cp: rows = 2 p1 + p0 + p2 down the
    columns, gx = rows[cm] - rows[cp]; mirror_gradients' arithmetic."""
    left = mid[cm] * 2.0 + up[cm] + down[cm]
    right = mid[cp] * 2.0 + up[cp] + down[cp]
    top = up[c] * 2.0 + up[cm] + up[cp]
    bottom = down[c] * 2.0 + down[cm] + down[cp]
    return (0.0 - (left - right)) / 8.0, (0.0 - (top - bottom)) / 8.0


@njit
def _sobel_mirror(x, r, c, h, w):
    """(gv, gh) at (r, c): mirror_gradients' arithmetic, one pixel."""
    if r >= 1 and r < h - 1 and c >= 1 and c < w - 1:
        rm, rp, cm, cp = r - 1, r + 1, c - 1, c + 1
    else:
        rm, rp, cm, cp = _m(r - 1, h), _m(r + 1, h), _m(c - 1, w), _m(c + 1, w)
    return _mirror_taps(x[rm], x[r], x[rp], cm, c, cp)


@njit
def _mirror_row(x, r, c0, c1, h, w, gv, gh, k, t0):
    """(gv, gh) of pixels (r, c0..c1-1) into block positions t0...: interior columns by a
    straight (vectorised) loop, the first and last column one by one."""
    lo, hi = max(c0, 1), min(c1, w - 1)
    if lo >= hi:
        lo = hi = c1
    for c in range(c0, lo):
        gv[k, t0 + c - c0], gh[k, t0 + c - c0] = _sobel_mirror(x, r, c, h, w)
    up, mid, down = x[_m(r - 1, h)], x[r], x[_m(r + 1, h)]
    for c in range(lo, hi):
        gv[k, t0 + c - c0], gh[k, t0 + c - c0] = _mirror_taps(up, mid, down, c - 1, c, c + 1)
    for c in range(hi, c1):
        gv[k, t0 + c - c0], gh[k, t0 + c - c0] = _sobel_mirror(x, r, c, h, w)


@njit
def _mirror_edges(gv, gh, g, al, wt, n, k):
    """g = sqrt(gh² + gv²); α = atan(gv/gh) (±π/2 where gh = 0, 0 where flat); weights."""
    o = k * n
    for t in range(n):
        v, u = gv[k, t], gh[k, t]
        gg = math.sqrt(u * u + v * v)
        g[k, t] = gg
        al[o + t] = v / u if u != 0 else 0.0
        wt[k, t] = gg * math.sqrt(gg) if gg >= TD else WT_MIN
    atan_buf(al[o:], n)
    for t in range(n):
        if gh[k, t] == 0:
            al[o + t] = math.copysign(HALF_PI, gv[k, t]) if gv[k, t] != 0 else 0.0


@njit
def _op_args(gx, gf, ax, af, e, o, n, t):
    lo = min(gx, gf)
    hi = max(gx, gf)
    rel = 0.0 if hi == 0 else lo / hi
    e[o + t] = (rel - SIGMA_G) * -K_G
    ra = abs(abs(ax - af) - HALF_PI) * TWO_OVER_PI
    e[o + n + t] = (ra - SIGMA_A) * -K_A


@njit
def _op_leaf(a, b, f, lo, n, gv, gh, g, al, wt, e, sc, out, maps, use_maps):
    if not use_maps:
        _sobel_block(a, lo, n, 1.0, gv, gh, 0, True)
        _sobel_block(b, lo, n, 1.0, gv, gh, 1, True)
    _sobel_block(f, lo, n, 1.0, gv, gh, 2, True)
    if use_maps:  # the sources' (g, α, w) from their maps (mirror_edges_map)
        ga, aa, wa, gb, ab, wb = maps
        for t in range(n):
            g[0, t], al[t], wt[0, t] = ga[lo + t], aa[lo + t], wa[lo + t]
            g[1, t], al[n + t], wt[1, t] = gb[lo + t], ab[lo + t], wb[lo + t]
    else:
        _mirror_edges(gv, gh, g, al, wt, n, 0)
        _mirror_edges(gv, gh, g, al, wt, n, 1)
    _mirror_edges(gv, gh, g, al, wt, n, 2)
    for t in range(n):
        _op_args(g[0, t], g[2, t], al[t], al[2 * n + t], e, 0, n, t)
        _op_args(g[1, t], g[2, t], al[n + t], al[2 * n + t], e, 2 * n, n, t)
    exp_buf(e, sc, 4 * n)
    for t in range(n):
        q_af = math.sqrt((GAMMA_G / (e[t] + 1.0)) * (GAMMA_A / (e[n + t] + 1.0)))
        q_bf = math.sqrt((GAMMA_G / (e[2 * n + t] + 1.0)) * (GAMMA_A / (e[3 * n + t] + 1.0)))
        w_a, w_b = wt[0, t], wt[1, t]
        w_ab = w_a + w_b
        added = g[2, t] > g[0, t] and g[2, t] > g[1, t]
        lost = (1.0 - q_af) * w_a + (1.0 - q_bf) * w_b
        out[0, t] = w_ab
        out[1, t] = q_af * w_a
        out[2, t] = q_bf * w_b
        out[3, t] = ((2.0 - q_af) - q_bf) * w_ab if added else 0.0
        out[4, t] = 0.0 if added else lost
        out[5, t] = lost if added else 0.0


@njit
def mirror_edges_map(x):
    """(g, α, w) maps of x (flat, C order): what the Q/L/N^AB/F kernel computes per pixel."""
    gm, am, wm = np.empty(x.size), np.empty(x.size), np.empty(x.size)
    gv, gh, g, wt, al = np.empty((1, 128)), np.empty((1, 128)), np.empty((1, 128)), np.empty((1, 128)), np.empty(128)
    for lo in range(0, x.size, 128):
        n = min(128, x.size - lo)
        _sobel_block(x, lo, n, 1.0, gv, gh, 0, True)
        _mirror_edges(gv, gh, g, al, wt, n, 0)
        for t in range(n):
            gm[lo + t], am[lo + t], wm[lo + t] = g[0, t], al[t], wt[0, t]
    return gm, am, wm


@njit
def objective_sums(a, b, f):
    """(Σ w_A + w_B, Σ Q^AF w_A, Σ Q^BF w_B, Σ N_P term, Σ L term, Σ N term)."""
    d = np.empty(1)
    return _objective_sums(a, b, f, (d, d, d, d, d, d), False)


@njit
def objective_sums_maps(ga, aa, wa, gb, ab, wb, f):
    """:func:`objective_sums` with the sources' :func:`mirror_edges_map` maps given (the same bits)."""
    return _objective_sums(f, f, f, (ga, aa, wa, gb, ab, wb), True)


@njit
def _objective_sums(a, b, f, maps, use_maps):
    gv, gh, g, wt = np.empty((3, 128)), np.empty((3, 128)), np.empty((3, 128)), np.empty((3, 128))
    al, e, sc, out = np.empty(384), np.empty(512), np.empty(512), np.empty((6, 128))
    starts, lengths, program = plan(f.size)
    sums = np.empty((starts.size, 6))
    for j in range(starts.size):
        n = lengths[j]
        _op_leaf(a, b, f, starts[j], n, gv, gh, g, al, wt, e, sc, out, maps, use_maps)
        for k in range(6):
            sums[j, k] = pairwise_block(out[k], 0, n)
    t = combine(sums, program)
    return t[0], t[1], t[2], t[3], t[4], t[5]
