"""Dual-tree complex wavelet transform (Kingsbury) as the MST-SR toolbox uses it.

N. Kingsbury, "Complex wavelets for shift invariant analysis and filtering
of signals", Applied and Computational Harmonic Analysis 10(3):234–253, 2001;
the q-shift filters: N. Kingsbury, "Design of Q-shift complex wavelets for
image processing using frequency domain energy minimisation", ICIP 2003.

The toolbox calls ``dtwavexfm2(X, 4, 'legall', 'qshift_06')``:

- level 1: separable non-decimated filtering with the LeGall 5/3 pair
  (h0o, h1o); the four polyphase components of each high-pass product
  (column-high/row-low, column-low/row-high, both high) are the four trees,
  paired into two complex sub-bands each (``q2c``: z₁ = ((a − d) + i(b + c))/√2,
  z₂ = ((a + d) + i(b − c))/√2 for the 2×2 block [a b; c d]);
- levels ≥ 2: the 4:2 decimating q-shift filters (10 taps, tree b the time
  reverse of tree a, a quarter-sample delay apart) on columns then rows;
  borders are half-sample symmetric across the two trees, and a low-pass
  whose size is not a multiple of 4 gets one duplicated row/column at each end;
- six complex bands per level, oriented near ±15°, ±45°, ±75°; the low-pass
  stays real.

The inverse uses the synthesis filters (g0o, g1o, g0a/b, g1a/b) in the same
structure and is exact (to rounding). The filter taps are the published
coefficients of those papers (the values in the toolbox's ``legall.mat`` and
``qshift_06.mat``).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((37, 50))
    >>> d = forward(x, 3)
    >>> [h.shape for h in d.highs[::6]], d.low.shape
    ([(19, 25), (10, 13), (5, 7)], (10, 14))
    >>> bool(np.abs(inverse(d) - x).max() < 1e-10)
    True
"""

from __future__ import annotations

import numpy as np

from methods.mst.lp import Decomposition

__all__ = ["forward", "inverse"]

# LeGall 5/3 (level 1)
H0O = np.array([-1.0, 2.0, 6.0, 2.0, -1.0]) / 8.0
H1O = np.array([-1.0, 2.0, -1.0]) / 4.0
G0O = np.array([1.0, 2.0, 1.0]) / 4.0
G1O = np.array([-1.0, -2.0, 6.0, -2.0, -1.0]) / 8.0
# Kingsbury's 10-tap q-shift filters, tree a (tree b: time reverses)
_Q = np.array([0.03516383657149474, 0.0, -0.08832942445107285, 0.23389032060723564,
               0.7602723690661257, 0.5875182977235605, 0.0, -0.11430183714424873, 0.0, 0.0])
H0A = _Q
H0B = _Q[::-1].copy()
H1A = np.array([(-1.0) ** k for k in range(10)]) * H0B
H1B = H1A[::-1].copy()
G0A, G0B, G1A, G1B = H0B, H0A, H1B, H1A


def _conv_valid(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Column-wise 'valid' convolution (MATLAB ``conv2(x, h(:), 'valid')``)."""
    n = x.shape[0] - len(h) + 1
    out = np.zeros((n,) + x.shape[1:], dtype=x.dtype)
    for k, hk in enumerate(h[::-1]):
        if hk != 0.0:
            out += hk * x[k: k + n]
    return out


def _reflect_idx(lo: int, hi: int, r: int) -> np.ndarray:
    """0-based indices lo..hi−1 folded half-sample-symmetrically into 0..r−1."""
    y = np.arange(lo, hi)
    while True:
        y = np.where(y > r - 1, 2 * r - 1 - y, y)
        y = np.where(y < 0, -1 - y, y)
        if ((y >= 0) & (y < r)).all():
            return y


def colfilter(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Non-decimated odd-length filtering of the columns, half-sample symmetric borders."""
    m2 = len(h) // 2
    return _conv_valid(x[_reflect_idx(-m2, x.shape[0] + m2, x.shape[0])], h)


def coldfilt(x: np.ndarray, ha: np.ndarray, hb: np.ndarray) -> np.ndarray:
    """4:2 decimating q-shift filtering of the columns (rows a multiple of 4), trees interleaved."""
    r, m = x.shape[0], len(ha)
    xe = _reflect_idx(-m, r + m, r)  # xe[j] is MATLAB's xe(j + 1)
    hao, hae, hbo, hbe = ha[0::2], ha[1::2], hb[0::2], hb[1::2]
    t = np.arange(6, r + 2 * m - 2 + 1, 4)  # MATLAB 1-based positions in xe
    y = np.zeros((r // 2,) + x.shape[1:])
    s1, s2 = (slice(0, None, 2), slice(1, None, 2))
    if np.sum(ha * hb) <= 0:
        s1, s2 = s2, s1
    y[s1] = _conv_valid(x[xe[t - 2]], hao) + _conv_valid(x[xe[t - 4]], hae)
    y[s2] = _conv_valid(x[xe[t - 1]], hbo) + _conv_valid(x[xe[t - 3]], hbe)
    return y


def colifilt(x: np.ndarray, ha: np.ndarray, hb: np.ndarray) -> np.ndarray:
    """2:4 interpolating q-shift filtering of the columns (inverse of :func:`coldfilt`)."""
    r, m = x.shape[0], len(ha)
    m2 = m // 2
    xe = _reflect_idx(-m2, r + m2, r)
    hao, hae, hbo, hbe = ha[0::2], ha[1::2], hb[0::2], hb[1::2]
    y = np.zeros((2 * r,) + x.shape[1:])
    if m2 % 2 == 0:
        t = np.arange(4, r + m + 1, 2)
        ta, tb = (t, t - 1) if np.sum(ha * hb) > 0 else (t - 1, t)
        y[0::4] = _conv_valid(x[xe[tb - 3]], hae)
        y[1::4] = _conv_valid(x[xe[ta - 3]], hbe)
        y[2::4] = _conv_valid(x[xe[tb - 1]], hao)
        y[3::4] = _conv_valid(x[xe[ta - 1]], hbo)
    else:
        t = np.arange(3, r + m - 1 + 1, 2)
        ta, tb = (t, t - 1) if np.sum(ha * hb) > 0 else (t - 1, t)
        y[0::4] = _conv_valid(x[xe[tb - 1]], hao)
        y[1::4] = _conv_valid(x[xe[ta - 1]], hbo)
        y[2::4] = _conv_valid(x[xe[tb - 1]], hae)
        y[3::4] = _conv_valid(x[xe[ta - 1]], hbe)
    return y


def _rows(fn, x, *h):
    return fn(x.T, *h).T


def q2c(y: np.ndarray) -> np.ndarray:
    """2×2 blocks [a b; c d] → the two complex sub-bands (H/2 × W/2 × 2)."""
    a, b, c, d = y[0::2, 0::2], y[0::2, 1::2], y[1::2, 0::2], y[1::2, 1::2]
    s = np.sqrt(0.5)
    return np.stack([s * ((a - d) + 1j * (b + c)), s * ((a + d) + 1j * (b - c))], axis=-1)


def c2q(w: np.ndarray) -> np.ndarray:
    """Inverse of :func:`q2c`."""
    s = np.sqrt(0.5)
    p = s * (w[..., 0] + w[..., 1])
    q = s * (w[..., 0] - w[..., 1])
    x = np.zeros((2 * w.shape[0], 2 * w.shape[1]))
    x[0::2, 0::2], x[0::2, 1::2] = p.real, p.imag
    x[1::2, 0::2], x[1::2, 1::2] = q.imag, -q.real
    return x


_ORDER = ((0, 5), (2, 3), (1, 4))  # band slots of (col-high row-low), (col-low row-high), (both high)


def _pack(lh, hl, hh) -> np.ndarray:
    out = np.zeros(lh.shape[:2] + (6,), dtype=complex)
    for slots, band in zip(_ORDER, (lh, hl, hh)):
        out[..., slots[0]], out[..., slots[1]] = band[..., 0], band[..., 1]
    return out


def _unpack(h: np.ndarray):
    return [c2q(np.stack([h[..., i], h[..., j]], axis=-1)) for i, j in _ORDER]


def forward(x: np.ndarray, levels: int = 4) -> Decomposition:
    """``highs``: the six complex bands of each level (finest first), ``low``: the real low-pass."""
    x = np.asarray(x, dtype=np.float64)
    size = x.shape
    if x.shape[0] % 2:
        x = np.vstack([x, x[-1:]])
    if x.shape[1] % 2:
        x = np.hstack([x, x[:, -1:]])
    lo, hi = colfilter(x, H0O), colfilter(x, H1O)
    lolo = _rows(colfilter, lo, H0O)
    bands = [_pack(q2c(_rows(colfilter, hi, H0O)), q2c(_rows(colfilter, lo, H1O)),
                   q2c(_rows(colfilter, hi, H1O)))]
    for _ in range(1, levels):
        if min(lolo.shape) < 8:
            break
        if lolo.shape[0] % 4:
            lolo = np.vstack([lolo[:1], lolo, lolo[-1:]])
        if lolo.shape[1] % 4:
            lolo = np.hstack([lolo[:, :1], lolo, lolo[:, -1:]])
        lo, hi = coldfilt(lolo, H0B, H0A), coldfilt(lolo, H1B, H1A)
        lolo = _rows(coldfilt, lo, H0B, H0A)
        bands.append(_pack(q2c(_rows(coldfilt, hi, H0B, H0A)), q2c(_rows(coldfilt, lo, H1B, H1A)),
                           q2c(_rows(coldfilt, hi, H1B, H1A))))
    highs = [b[..., k] for b in bands for k in range(6)]
    return Decomposition(lolo, highs, {"size": size, "levels": len(bands)})


def inverse(d: Decomposition) -> np.ndarray:
    """Synthesis level by level (cropping the duplicated rows/columns), then the original size."""
    n = d.meta["levels"]
    bands = [np.stack(d.highs[6 * k: 6 * k + 6], axis=-1) for k in range(n)]
    z = d.low
    for k in range(n - 1, 0, -1):
        lh, hl, hh = _unpack(bands[k])
        y1 = colifilt(z, G0B, G0A) + colifilt(lh, G1B, G1A)
        y2 = colifilt(hl, G0B, G0A) + colifilt(hh, G1B, G1A)
        z = _rows(colifilt, y1, G0B, G0A) + _rows(colifilt, y2, G1B, G1A)
        want = (2 * bands[k - 1].shape[0], 2 * bands[k - 1].shape[1])
        if z.shape[0] != want[0]:
            z = z[1:-1]
        if z.shape[1] != want[1]:
            z = z[:, 1:-1]
    lh, hl, hh = _unpack(bands[0])
    y1 = colfilter(z, G0O) + colfilter(lh, G1O)
    y2 = colfilter(hl, G0O) + colfilter(hh, G1O)
    z = _rows(colfilter, y1, G0O) + _rows(colfilter, y2, G1O)
    size = d.meta["size"]
    return z[: size[0], : size[1]]
