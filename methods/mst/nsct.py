"""Nonsubsampled contourlet transform (da Cunha, Zhou & Do 2006) as the MST-SR toolbox uses it.

A. L. da Cunha, J. Zhou, M. N. Do, "The nonsubsampled contourlet transform:
theory, design, and applications", IEEE Trans. Image Processing
15(10):3089–3101, 2006. The toolbox calls ``nsctdec(X, [2 3 3 4], 'vk', 'pyrexc')``.

Two shift-invariant stages, nothing is decimated (every band is H×W):

1. Nonsubsampled pyramid (à trous): at level j (0 = finest) the 2-D
   "pyrexc" low/high-pass pair (h0, h1; synthesis g0, g1) is upsampled by
   2^j (zeros between taps) and applied with half-sample symmetric borders
   (Cunha's ``symext`` with its delay compensation); the low-pass feeds the
   next level, the high-pass goes to stage 2.
2. Nonsubsampled directional filter bank on each high-pass: a tree of
   two-channel fan filter banks. The fan pair is the 1-D "vk" pair
   ([1 2 1]/4, [−1 −2 6 −2 −1]/4; synthesis [−1 2 6 2 −1]/4, [−1 2 −1]/4)
   mapped to 2-D diamond filters by the McClellan transform with the kernel
   [0 1 0; 1 0 1; 0 1 0]/4, scaled by 1/√2 and modulated; level 2 uses them
   upsampled by the quincunx matrix [1 −1; 1 1]; levels ≥ 3 use
   parallelogram filters (resheared modulated fan filters) upsampled by the
   tree's sampling matrices. Every filtering step of this stage is a circular
   convolution with a matrix-upsampled filter (the toolbox's ``zconv2``).
   ``directions`` = [2, 3, 3, 4] gives 4, 8, 8, 16 directional bands from the
   coarsest to the finest level.

Reconstruction runs the synthesis filters through the same trees; the filter
pairs are perfect-reconstruction pairs, so the transform is exact (to rounding).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((40, 44))
    >>> d = forward(x, [1, 2])
    >>> len(d.highs), d.highs[0].shape, d.low.shape
    (6, (40, 44), (40, 44))
    >>> bool(np.abs(inverse(d) - x).max() < 1e-10)
    True
"""

from __future__ import annotations

import numpy as np

from methods.mst.lp import Decomposition

__all__ = ["DIRECTIONS", "forward", "inverse"]

DIRECTIONS = (2, 3, 3, 4)  # the toolbox's nlevels: log2(directions) per level, coarsest first

# -- pyramid filters "pyrexc" (one quadrant; the full filters are its symmetric extension) --------
_PYR_H0 = [[-0.003236043456039806, -0.012944173824159223, -0.019416260736238835],
           [-0.012944173824159223, 0.0625, 0.15088834764831843],
           [-0.019416260736238835, 0.15088834764831843, 0.3406092167691145]]
_PYR_H1 = [[-0.003236043456039806, -0.012944173824159223, -0.019416260736238835],
           [-0.012944173824159223, -0.0625, -0.09911165235168155],
           [-0.019416260736238835, -0.09911165235168155, 0.8406092167691145]]
_PYR_G0 = [[-0.00016755163599004882, -0.001005309815940293, -0.002513274539850732, -0.003351032719800976],
           [-0.001005309815940293, -0.005246663087920392, -0.01193886400821893, -0.015395021472477663],
           [-0.002513274539850732, -0.01193886400821893, 0.06769410071569153, 0.15423938036811946],
           [-0.003351032719800976, -0.015395021472477663, 0.15423938036811946, 0.3325667382415921]]
_PYR_G1 = [[0.00016755163599004882, 0.001005309815940293, 0.002513274539850732, 0.003351032719800976],
           [0.001005309815940293, -0.0012254238241592198, -0.013949483640099517, -0.023437500000000007],
           [0.002513274539850732, -0.013949483640099517, -0.06769410071569153, -0.10246268507148255],
           [0.003351032719800976, -0.023437500000000007, -0.10246268507148255, 0.8486516952966369]]


def _mirror4(q) -> np.ndarray:
    """Full symmetric filter from its top-left quadrant (centre in the last row/column)."""
    q = np.asarray(q, dtype=np.float64)
    q = np.hstack([q, q[:, -2::-1]])
    return np.vstack([q, q[-2::-1]])


PYR_H0, PYR_H1 = _mirror4(_PYR_H0), _mirror4(_PYR_H1)
PYR_G0, PYR_G1 = _mirror4(_PYR_G0), _mirror4(_PYR_G1)


# -- directional filters "vk" -----------------------------------------------------------------
def mcclellan(b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """2-D zero-phase filter Σ a_k T_k(t) from an odd-length 1-D zero-phase filter ``b``.

    a_0 = b[centre], a_k = 2·b[centre + k]; T_k are Chebyshev polynomials in the
    transformation kernel ``t`` (products are 2-D convolutions).
    """
    from scipy.signal import convolve2d

    n = (len(b) - 1) // 2
    a = [b[n]] + [2.0 * b[n + k] for k in range(1, n + 1)]
    ti = (t.shape[0] - 1) // 2
    size = 2 * n * ti + 1

    def embed(p):
        out = np.zeros((size, size))
        o = (size - p.shape[0]) // 2
        out[o: o + p.shape[0], o: o + p.shape[1]] = p
        return out

    t0, t1 = np.ones((1, 1)), t
    h = a[0] * embed(t0) + (a[1] * embed(t1) if n >= 1 else 0.0)
    for k in range(2, n + 1):
        t2 = 2.0 * convolve2d(t, t1) - embed_to(t0, t1.shape[0] + 2 * ti)
        h = h + a[k] * embed(t2)
        t0, t1 = t1, t2
    return h


def embed_to(p: np.ndarray, size: int) -> np.ndarray:
    out = np.zeros((size, size))
    o = (size - p.shape[0]) // 2
    out[o: o + p.shape[0], o: o + p.shape[1]] = p
    return out


def modulate(x: np.ndarray, kind: str) -> np.ndarray:
    """Multiply rows ('r'), columns ('c') or both by (−1)^(index − centre)."""
    n1 = np.arange(x.shape[0]) - x.shape[0] // 2
    n2 = np.arange(x.shape[1]) - x.shape[1] // 2
    m1, m2 = (-1.0) ** n1, (-1.0) ** n2
    if kind == "r":
        return x * m1[:, None]
    if kind == "c":
        return x * m2[None, :]
    return x * np.outer(m1, m2)


def resampz(x: np.ndarray, kind: int, shift: int = 1) -> np.ndarray:
    """Shear a filter: types 1/2 shift column n by ∓n·shift rows, 3/4 shift row m by ∓m·shift columns."""
    if kind in (3, 4):
        return resampz(x.T, kind - 2, shift).T
    r, c = x.shape
    y = np.zeros((r + abs(shift * (c - 1)), c))
    s = np.arange(c) * (-shift if kind == 1 else shift)
    if s[-1] < 0:
        s = s - s[-1]
    for n in range(c):
        y[s[n]: s[n] + r, n] = x[:, n]
    rows = np.flatnonzero(np.linalg.norm(y, axis=1) > 0)
    return y[rows[0]: rows[-1] + 1]


def _vk(kind: str):
    t = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]) / 4.0
    if kind == "d":
        b0, b1 = np.array([1.0, 2.0, 1.0]) / 4.0, np.array([-1.0, -2.0, 6.0, -2.0, -1.0]) / 4.0
    else:
        b0, b1 = np.array([-1.0, 2.0, 6.0, 2.0, -1.0]) / 4.0, np.array([-1.0, 2.0, -1.0]) / 4.0
    h0, h1 = mcclellan(b0, t) / np.sqrt(2.0), mcclellan(b1, t) / np.sqrt(2.0)
    k = (modulate(h0, "c"), modulate(h1, "c"))
    f1 = [modulate(h0, "r"), modulate(h0, "c")]
    f2 = [modulate(h1, "r"), modulate(h1, "c")]
    f1 += [f1[0].T, f1[1].T]
    f2 += [f2[0].T, f2[1].T]
    para = ([resampz(f, i + 1) for i, f in enumerate(f1)], [resampz(f, i + 1) for i, f in enumerate(f2)])
    return k, para


# -- filtering primitives ---------------------------------------------------------------------
def zconv2(x: np.ndarray, f: np.ndarray, m: np.ndarray) -> np.ndarray:
    """Circular convolution of ``x`` with ``f`` upsampled by the integer matrix ``m`` (same size).

    Tap f[i, j] (row i, column j) moves the input by (m[1,0]·j + m[1,1]·i,
    m[0,0]·j + m[0,1]·i) rows/columns, relative to the centre of the
    upsampled filter's support.
    """
    fr, fc = f.shape
    new_c = (m[0, 0] - 1) * (fc - 1) + m[0, 1] * (fr - 1) + fc - 1
    new_r = (m[1, 1] - 1) * (fr - 1) + m[1, 0] * (fc - 1) + fr - 1
    start_c, start_r = int(new_c / 2), int(new_r / 2)  # C integer division
    out = np.zeros_like(x)
    for i in range(fr):
        for j in range(fc):
            if f[i, j] != 0.0:
                dr = start_r - (m[1, 0] * j + m[1, 1] * i)
                dc = start_c - (m[0, 0] * j + m[0, 1] * i)
                out += f[i, j] * np.roll(x, (-dr, -dc), axis=(0, 1))
    return out


def efilter2(x: np.ndarray, f: np.ndarray) -> np.ndarray:
    """Circular 'same' convolution (periodic extension, centred as the toolbox's ``efilter2``)."""
    fr, fc = f.shape
    sr, sc = (fr - 1) // 2, (fc - 1) // 2
    out = np.zeros_like(x)
    for i in range(fr):
        for j in range(fc):
            if f[i, j] != 0.0:
                out += f[i, j] * np.roll(x, (i - (fr - 1) + sr, j - (fc - 1) + sc), axis=(0, 1))
    return out


def _atrous(x: np.ndarray, h: np.ndarray, lev: int) -> np.ndarray:
    """Convolution with ``h`` upsampled by 2^lev, symmetric borders with the toolbox's delay."""
    step = 2 ** lev
    p = h.shape[0] * step if lev else h.shape[0]
    shift = -(2 ** (lev - 1)) + 2 if lev else 1
    lead = p // 2 - shift + 1
    xe = np.pad(x, ((lead, p - 1 - lead), (lead, p - 1 - lead)), mode="symmetric")
    m, n = x.shape
    out = np.zeros_like(x)
    hr, hc = h.shape
    off = step - 1 if lev else 0
    for a in range(hr):
        for b in range(hc):
            w = h[hr - 1 - a, hc - 1 - b]
            if w != 0.0:
                r0, c0 = off + a * step, off + b * step
                out += w * xe[r0: r0 + m, c0: c0 + n]
    return out


# -- the directional filter bank ----------------------------------------------------------------
_Q1 = np.array([[1, -1], [1, 1]])


def _tree(levels: int):
    """The sampling matrices and filter indices of the DFB tree levels ≥ 3."""
    for lv in range(3, levels + 1):
        steps = []
        for k in range(1, 2 ** (lv - 1) + 1):
            if k <= 2 ** (lv - 2):
                slk = 2 * ((k - 1) // 2) - 2 ** (lv - 3) + 1
                mkl = 2 * np.array([[2 ** (lv - 3), 0], [0, 1]]) @ np.array([[1, 0], [-slk, 1]])
                i = (k - 1) % 2
            else:
                slk = 2 * ((k - 2 ** (lv - 2) - 1) // 2) - 2 ** (lv - 3) + 1
                mkl = 2 * np.array([[1, 0], [0, 2 ** (lv - 3)]]) @ np.array([[1, -slk], [0, 1]])
                i = (k - 1) % 2 + 2
            steps.append((k - 1, mkl, i))
        yield lv, steps


def dfb_dec(x: np.ndarray, levels: int) -> list[np.ndarray]:
    (k1, k2), (f1, f2) = _vk("d")
    if levels == 0:
        return [x]
    x1, x2 = efilter2(x, k1), efilter2(x, k2)
    if levels == 1:
        return [x1, x2]
    y = [zconv2(x1, k1, _Q1), zconv2(x1, k2, _Q1), zconv2(x2, k1, _Q1), zconv2(x2, k2, _Q1)]
    for _, steps in _tree(levels):
        new = [None] * (2 * len(steps))
        for k, mkl, i in steps:
            new[2 * k], new[2 * k + 1] = zconv2(y[k], f1[i], mkl), zconv2(y[k], f2[i], mkl)
        y = new
    return y


def dfb_rec(y: list[np.ndarray]) -> np.ndarray:
    levels = int(round(np.log2(len(y))))
    (k1, k2), (f1, f2) = _vk("r")
    if levels == 0:
        return y[0]
    if levels == 1:
        return efilter2(y[0], k1) + efilter2(y[1], k2)
    y = list(y)
    for _, steps in reversed(list(_tree(levels))):
        y = [zconv2(y[2 * k], f1[i], mkl) + zconv2(y[2 * k + 1], f2[i], mkl) for k, mkl, i in steps]
    x1 = zconv2(y[0], k1, _Q1) + zconv2(y[1], k2, _Q1)
    x2 = zconv2(y[2], k1, _Q1) + zconv2(y[3], k2, _Q1)
    return efilter2(x1, k1) + efilter2(x2, k2)


# -- the transform ------------------------------------------------------------------------------
def forward(x: np.ndarray, directions=DIRECTIONS) -> Decomposition:
    """Directional bands of every level (finest level first, its 2^d bands in order) + low-pass."""
    x = np.asarray(x, dtype=np.float64)
    highs, counts = [], []
    for lev, d in enumerate(reversed(list(directions))):
        lo, hi = _atrous(x, PYR_H0, lev), _atrous(x, PYR_H1, lev)
        bands = dfb_dec(hi, d) if d > 0 else [hi]
        highs += bands
        counts.append(len(bands))
        x = lo
    return Decomposition(x, highs, {"counts": counts})


def inverse(d: Decomposition) -> np.ndarray:
    """Synthesis from the coarsest level: x = G0 * low + G1 * DFB⁻¹(bands), level by level."""
    counts = d.meta["counts"]
    starts = np.cumsum([0] + counts)
    x = d.low
    for lev in reversed(range(len(counts))):
        bands = d.highs[starts[lev]: starts[lev + 1]]
        hi = dfb_rec(bands) if len(bands) > 1 else bands[0]
        x = _atrous(x, PYR_G0, lev) + _atrous(hi, PYR_G1, lev)
    return x
