"""Nonsubsampled shearlet transform (Easley, Labate & Lim 2008) as the NSST-PAPCNN release uses it.

G. Easley, D. Labate, W.-Q. Lim, "Sparse directional image representations using
the discrete shearlet transform", Applied and Computational Harmonic Analysis
25(1):25–46, 2008; the "local" (finite-support shearing filter) version of their
toolbox, called by Yin et al. 2019 as ``nsst_dec2(x, [3 3 4 4], [8 8 16 16], 'maxflat')``.

Two shift-invariant stages, nothing is decimated (every band is H×W):

1. **Nonsubsampled Laplacian pyramid** (à trous, the same machinery as
   :mod:`methods.mst.nsct`, here with da Cunha's "maxflat" filter pair, a
   quasi-tight frame with 4 vanishing moments): level j (0 = finest) filters with
   h0 / h1 upsampled by 2^j, half-sample symmetric borders with the toolbox's
   delay compensation; the low-pass feeds the next level.
2. **Shearing (directional) filters** on each high-pass image. For a support of
   n×n and 2^ℓ directions: the 2n slopes of the pseudo-polar grid of an n×n
   block (n+1 lines through the centre from each pair of opposite block edges,
   rounded to grid points) are split into 2^ℓ overlapping bands by a Meyer
   window partition of unity (window ν(x) = 1 on (1/6, 5/6),
   cos²(π/2 · P(3|x − ½| − 1)) on the flanks, P(w) = w⁴(35 − 84w + 70w² − 20w³));
   each band is placed on the Cartesian block (values averaged where grid lines
   meet), and its centred inverse DFT /√n is the spatial filter w_k (real, n×n).
   W_k = DFT_{H×W}(w_k) (zero-padded at the origin) is normalised so that
   Σ_k |W_k|² = 1 at every frequency; band k = real(IDFT(W_k · DFT(high))),
   a circular convolution. Hence Σ_k IDFT(conj(W_k) · DFT(band_k)) = high:
   the directional stage is a Parseval frame and inverts exactly.

``dcomp`` (coarsest level first, as the toolbox) gives 2^dcomp directional
bands per level, ``dsize`` the filter supports; the defaults are the release's
(3, 3, 4, 4) and (8, 8, 16, 16): 8, 8, 16, 16 bands. The release's toolbox only
accepts square images; the filters here are built for any H×W.

The pyramid filters are a quasi-tight frame (bounds 0.97 and 1) with exact
synthesis filters, so the transform is perfect-reconstruction (to rounding):

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((40, 44))
    >>> d = forward(x, (2, 3), (8, 8))
    >>> len(d.highs), d.highs[0].shape, d.low.shape
    (12, (40, 44), (40, 44))
    >>> bool(np.abs(inverse(d) - x).max() < 1e-10)
    True
"""

from __future__ import annotations

from functools import cache, lru_cache

import numpy as np

from methods.mst.lp import Decomposition
from methods.mst.nsct import _atrous, _mirror4

__all__ = ["DCOMP", "DSIZE", "forward", "inverse", "shearing_filters", "meyer_window"]

DCOMP = (3, 3, 4, 4)  # log2(directions) per pyramid level, coarsest first (the release's)
DSIZE = (8, 8, 16, 16)  # shearing filter support per level, coarsest first

# -- pyramid filters "maxflat" (da Cunha's atrousfilters; one quadrant, centre last) ---------------
_MAXFLAT_H0 = [
    [-7.900496718847182e-07, 0.0, 1.4220894093924927e-05, 2.5281589500310983e-05,
    -4.9773129328737247e-05, -0.00022753430550279883, -0.00033182086219158167],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1.4220894093924927e-05, 0.0, -0.0002559760936906487, -0.00045506861100559767,
    0.0008959163279172705, 0.004095617499050379, 0.00597277551944847],
    [2.5281589500310983e-05, 0.0, -0.00045506861100559767, 0.0009765625, 0.0015927401385195919,
    -0.0087890625, -0.01795090623402861],
    [-4.9773129328737247e-05, 0.0, 0.0008959163279172705, 0.0015927401385195919,
    -0.0031357071477104465, -0.014334661246676327, -0.020904714318069645],
    [-0.00022753430550279883, 0.0, 0.004095617499050379, -0.0087890625, -0.014334661246676327,
    0.0791015625, 0.16155815610625748],
    [-0.00033182086219158167, 0.0, 0.00597277551944847, -0.01795090623402861,
    -0.020904714318069645, 0.16155815610625748, 0.3177420190660832],
]
_MAXFLAT_H1 = [
    [6.391587676622346e-10, 0.0, -1.7257286726880333e-08, -3.067962084778726e-08,
    1.3805829381504267e-07, 5.522331752601707e-07, 3.3747582932565985e-07,
    -1.9328161134105974e-06, -5.6949046198705095e-06, -7.649452131381623e-06],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [-1.7257286726880333e-08, 0.0, 4.65946741625769e-07, 8.283497628902559e-07,
    -3.727573933006152e-06, -1.4910295732024608e-05, -9.111847391792816e-06,
    5.2186035062086126e-05, 0.00015376242473650378, 0.00020653520754730382],
    [-3.067962084778726e-08, 0.0, 8.283497628902559e-07, -2.9917573832012203e-07,
    -6.6267981031220475e-06, 5.3851632897621965e-06, 4.049868144081346e-05,
    -1.884807151416769e-05, -0.00023692226948222173, -0.0003769812640795245],
    [1.3805829381504267e-07, 0.0, -3.727573933006152e-06, -6.6267981031220475e-06,
    2.9820591464049215e-05, 0.00011928236585619686, 7.289477913434253e-05, -0.000417488280496689,
    -0.0012300993978920302, -0.0016522816603784306],
    [5.522331752601707e-07, 0.0, -1.4910295732024608e-05, 5.3851632897621965e-06,
    0.00011928236585619686, -9.693293921571956e-05, -0.0007289762659346422,
    0.00033926528725501844, 0.004264600850679991, 0.006785662753431441],
    [3.3747582932565985e-07, 0.0, -9.111847391792816e-06, 4.049868144081346e-05,
    7.289477913434253e-05, -0.0007289762659346422, -0.001468581806076247, 0.002551416930771248,
    0.01181401175635013, 0.017093222023136675],
    [-1.9328161134105974e-06, 0.0, 5.2186035062086126e-05, -1.884807151416769e-05,
    -0.000417488280496689, 0.00033926528725501844, 0.002551416930771248, -0.0011874285053925643,
    -0.01492610297737997, -0.023749819637010044],
    [-5.6949046198705095e-06, 0.0, 0.00015376242473650378, -0.00023692226948222173,
    -0.0012300993978920302, 0.004264600850679991, 0.01181401175635013, -0.01492610297737997,
    -0.0826466923977296, -0.12203257624594532],
    [-7.649452131381623e-06, 0.0, 0.00020653520754730382, -0.0003769812640795245,
    -0.0016522816603784306, 0.006785662753431441, 0.017093222023136675, -0.023749819637010044,
    -0.12203257624594532, 0.821896776039774],
]
_MAXFLAT_G0 = [
    [-6.391587676622346e-10, 0.0, 1.7257286726880333e-08, 3.067962084778726e-08,
    -1.3805829381504267e-07, -5.522331752601707e-07, -3.3747582932565985e-07,
    1.9328161134105974e-06, 5.6949046198705095e-06, 7.649452131381623e-06],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1.7257286726880333e-08, 0.0, -4.65946741625769e-07, -8.283497628902559e-07,
    3.727573933006152e-06, 1.4910295732024608e-05, 9.111847391792816e-06, -5.2186035062086126e-05,
    -0.00015376242473650378, -0.00020653520754730382],
    [3.067962084778726e-08, 0.0, -8.283497628902559e-07, -1.2809236054493144e-06,
    6.6267981031220475e-06, 2.305662489808766e-05, 1.0064497559808503e-05, -8.06981871433068e-05,
    -0.00021814634152337594, -0.00028666046030363884],
    [-1.3805829381504267e-07, 0.0, 3.727573933006152e-06, 6.6267981031220475e-06,
    -2.9820591464049215e-05, -0.00011928236585619686, -7.289477913434253e-05,
    0.000417488280496689, 0.0012300993978920302, 0.0016522816603784306],
    [-5.522331752601707e-07, 0.0, 1.4910295732024608e-05, 2.305662489808766e-05,
    -0.00011928236585619686, -0.00041501924816557786, -0.00018116095607655303,
    0.0014525673685795225, 0.0039266341474207675, 0.005159888285465499],
    [-3.3747582932565985e-07, 0.0, 9.111847391792816e-06, 1.0064497559808503e-05,
    -7.289477913434253e-05, -0.00018116095607655303, 0.001468581806076247, 0.0006340633462679356,
    -0.01181401175635013, -0.021745034491193898],
    [1.9328161134105974e-06, 0.0, -5.2186035062086126e-05, -8.06981871433068e-05,
    0.000417488280496689, 0.0014525673685795225, 0.0006340633462679356, -0.005083985790028328,
    -0.013743219515972684, -0.018059608999129246],
    [5.6949046198705095e-06, 0.0, -0.00015376242473650378, -0.00021814634152337594,
    0.0012300993978920302, 0.0039266341474207675, -0.01181401175635013, -0.013743219515972684,
    0.0826466923977296, 0.1638988884584603],
    [7.649452131381623e-06, 0.0, -0.00020653520754730382, -0.00028666046030363884,
    0.0016522816603784306, 0.005159888285465499, -0.021745034491193898, -0.018059608999129246,
    0.1638988884584603, 0.31358726209239235],
]
_MAXFLAT_G1 = [
    [-7.900496718847182e-07, 0.0, 1.4220894093924927e-05, 2.5281589500310983e-05,
    -4.9773129328737247e-05, -0.00022753430550279883, -0.00033182086219158167],
    [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
    [1.4220894093924927e-05, 0.0, -0.0002559760936906487, -0.00045506861100559767,
    0.0008959163279172705, 0.004095617499050379, 0.00597277551944847],
    [2.5281589500310983e-05, 0.0, -0.00045506861100559767, -0.0009765625, 0.0015927401385195919,
    0.0087890625, 0.01329909376597139],
    [-4.9773129328737247e-05, 0.0, 0.0008959163279172705, 0.0015927401385195919,
    -0.0031357071477104465, -0.014334661246676327, -0.020904714318069645],
    [-0.00022753430550279883, 0.0, 0.004095617499050379, 0.0087890625, -0.014334661246676327,
    -0.0791015625, -0.1196918438937425],
    [-0.00033182086219158167, 0.0, 0.00597277551944847, 0.01329909376597139,
    -0.020904714318069645, -0.1196918438937425, 0.8177420190660831],
]

PYR_H0, PYR_H1 = _mirror4(_MAXFLAT_H0), _mirror4(_MAXFLAT_H1)
PYR_G0, PYR_G1 = _mirror4(_MAXFLAT_G0), _mirror4(_MAXFLAT_G1)


# -- shearing filters ------------------------------------------------------------------------------
def meyer_window(x) -> np.ndarray:
    """Meyer window ν on [−1/6, 7/6]: 1 on (1/6, 5/6), a smooth cos² transition on the flanks."""
    x = np.asarray(x, dtype=np.float64)
    w = 3.0 * np.abs(x - 0.5) - 1.0
    p = w ** 4 * (35.0 - 84.0 * w + 70.0 * w ** 2 - 20.0 * w ** 3)
    flank = np.cos(np.pi / 2.0 * p) ** 2
    inner = (x > -1 / 3 + 1 / 2) & (x < 1 / 3 + 1 / 2)
    edge = ((x >= 1 / 3 + 1 / 2) & (x <= 2 / 3 + 1 / 2)) | ((x >= -2 / 3 + 1 / 2) & (x <= 1 / 3 + 1 / 2))
    return np.where(inner, 1.0, np.where(edge, flank, 0.0))


def _band_windows(n_slopes: int, bands: int) -> np.ndarray:
    """n_slopes × bands: band j covers 2T consecutive slopes (T = n_slopes/bands, cyclic),
    weighted by the Meyer window; adjacent bands overlap by T and sum to 1."""
    t = n_slopes / bands
    taps = meyer_window((-t / 2 + np.arange(int(2 * t))) / t)
    out = np.zeros((n_slopes, bands))
    ks = -t / 2 + np.arange(len(taps))
    for j in range(bands):
        rows = np.floor(np.mod(ks + j * t, n_slopes)).astype(int)
        out[rows, j] = taps
    return out


def _round(x: np.ndarray) -> np.ndarray:
    return np.floor(np.asarray(x) + 0.5)  # MATLAB's round for the positive grid coordinates


@cache
def _pseudo_polar(n: int):
    """Grid points (row, column; 0-based) of the 2n pseudo-polar slopes of an n×n block.

    Returns (r1, c1, r2, c2, hits): slope s (0 ≤ s < n, lines between the top and bottom
    edges) has its n samples at (r1[s], c1[s]), slope n + s (lines between the left and
    right edges) at (r2[s], c2[s]); ``hits`` counts the samples on each grid point.
    """
    m = n + 1
    i = np.arange(1, m + 1, dtype=np.float64)[:, None]  # line index, from the block's top edge
    j = np.arange(1, m + 1, dtype=np.float64)[None, :]  # sample along the line
    x0, xn = i, m - i + 1
    dx = xn - x0
    vertical = dx == 0
    safe = np.where(vertical, 1.0, dx)
    xt = x0 + ((j - 1) * safe) / (m - 1)
    col = np.where(vertical, (m - 1) / 2 + 1, _round(xt))
    row = np.where(vertical, j, _round((m - 1) / safe * (xt - x0) + 1))
    c1 = col[:n, :n][::-1]
    r1 = row[:n, :n]
    c2 = row[1:, :n].copy()
    r2 = col[1:, :n].copy()
    r2[n - 1, 0] = n  # the last line's first sample falls outside the block
    r1, c1, r2, c2 = (a.astype(int) - 1 for a in (r1, c1, r2, c2))
    hits = np.zeros((n, n))
    np.add.at(hits, (r1, c1), 1.0)
    np.add.at(hits, (r2, c2), 1.0)
    return r1, c1, r2, c2, hits


@cache
def shearing_filters(size: int, level: int) -> np.ndarray:
    """The 2^level spatial shearing filters of support size×size (size × size × 2^level)."""
    r1, c1, r2, c2, hits = _pseudo_polar(size)
    windows = _band_windows(2 * size, 2 ** level)
    out = np.zeros((size, size, 2 ** level))
    for k in range(2 ** level):
        block = np.zeros((size, size))
        lines = np.repeat(windows[:, k:k + 1], size, axis=1)  # one weight per slope
        np.add.at(block, (r1, c1), lines[:size])
        np.add.at(block, (r2, c2), lines[size:])
        block = block / hits
        spatial = np.fft.fftshift(np.fft.ifft2(np.fft.fftshift(block)))
        out[:, :, k] = spatial.real / np.sqrt(size)
    out.setflags(write=False)
    return out


@lru_cache(maxsize=32)
def _frequency_bank(size: int, level: int, shape: tuple[int, int]) -> np.ndarray:
    """DFTs (2^level × H × W) of the filters at the image size, Σ_k |W_k|² = 1."""
    w = shearing_filters(size, level)
    bank = np.stack([np.fft.fft2(w[:, :, k], s=shape) for k in range(w.shape[2])])
    bank = bank / np.sqrt(np.sum((bank * bank.conj()).real, axis=0))
    bank.setflags(write=False)
    return bank


# -- the transform ---------------------------------------------------------------------------------
def forward(x: np.ndarray, dcomp=DCOMP, dsize=DSIZE) -> Decomposition:
    """Directional bands of every level (finest level first, its 2^dcomp bands in order) + low-pass."""
    x = np.asarray(x, dtype=np.float64)
    if len(dcomp) != len(dsize):
        raise ValueError(f"dcomp {tuple(dcomp)} and dsize {tuple(dsize)} differ in length")
    highs, counts = [], []
    for lev, (d, n) in enumerate(zip(reversed(tuple(dcomp)), reversed(tuple(dsize)))):
        lo, hi = _atrous(x, PYR_H0, lev), _atrous(x, PYR_H1, lev)
        bank = _frequency_bank(int(n), int(d), x.shape)
        spec = np.fft.fft2(hi)
        highs += [np.fft.ifft2(f * spec).real for f in bank]
        counts.append(len(bank))
        x = lo
    return Decomposition(x, highs, {"counts": counts, "dcomp": tuple(dcomp), "dsize": tuple(dsize)})


def inverse(d: Decomposition) -> np.ndarray:
    """Synthesis: each level's high-pass = Σ_k conj(W_k) ∗ band_k, then the pyramid's g0/g1."""
    counts = d.meta["counts"]
    sizes = tuple(reversed(d.meta["dsize"]))
    levels = tuple(reversed(d.meta["dcomp"]))
    starts = np.cumsum([0] + list(counts))
    x = d.low
    for lev in reversed(range(len(counts))):
        bank = _frequency_bank(int(sizes[lev]), int(levels[lev]), x.shape)
        bands = d.highs[starts[lev]: starts[lev + 1]]
        hi = sum(np.fft.ifft2(f.conj() * np.fft.fft2(b)).real for f, b in zip(bank, bands))
        x = _atrous(x, PYR_G0, lev) + _atrous(hi, PYR_G1, lev)
    return x
