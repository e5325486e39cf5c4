"""Compiled per-pixel loops of Q_P (numba): phase-congruency energy and the 11×11 local statistics.

Imported lazily by :mod:`metrics.perceptual.phase_congruency`. Each loop
performs the floating-point operations of the numpy code it replaced, in the
same order, so the maps are bit-identical to it (tests/metrics/test_fast_paths.py):

* numpy's complex ``abs`` is ``larger·sqrt(fma(ratio, ratio, 1))`` (its SIMD
  loop; ratio = smaller/larger), its complex product ``(a+ib)(c+id)`` is
  ``fma(a, c, −b·d) + i·fma(a, d, b·c)`` and a complex divided by a real ``t``
  is multiplied by ``1/t`` (Smith's algorithm with a zero imaginary part);
  :func:`_fma` is LLVM's fused multiply-add, so these match on FMA hardware
  (x86-64-v3 and later, where numpy's SIMD loops use it);
* sums over the scales run in scale order (numpy's axis-0 reductions);
* the 11-tap Gaussian is scipy's ``correlate1d`` for a symmetric kernel:
  ``x[i]·w₀ + Σ_{d=5..1} (x[i−d] + x[i+d])·w_d``, zeros outside, columns then rows.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numba.core import types
from numba.extending import intrinsic


@intrinsic
def _fma(typingctx, a, b, c):
    """a·b + c rounded once (llvm.fma.f64)."""
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):
        return builder.fma(*args)

    return sig, codegen


@njit(cache=True, inline="always")
def _cabs(re, im):
    """numpy's complex absolute value (SIMD loop), finite inputs."""
    re = abs(re)
    im = abs(im)
    larger = re if re > im else im
    smaller = im if re > im else re
    ratio = smaller / larger if larger != 0.0 else 0.0
    return math.sqrt(_fma(ratio, ratio, 1.0)) * larger


@njit(cache=True, nogil=True)
def fill_responses(image_fft, radial, spread_o, eo):
    """eo[s] = image_fft · (radial[s] · spread_o): the filtered spectra of one orientation."""
    ns, rows, cols = eo.shape
    for s in range(ns):
        for i in range(rows):
            for j in range(cols):
                filt = radial[s, i, j] * spread_o[i, j]
                z = image_fft[i, j]
                eo[s, i, j] = complex(z.real * filt, z.imag * filt)


@njit(cache=True, nogil=True)
def orientation_energy(eo, eps, sum_an, max_an, an0sq, energy):
    """Per pixel of one orientation: Σ_s A_s, max_s A_s, A_0², and the energy before the noise threshold.

    ``energy = Σ_s (e_s·ē + o_s·ō) − Σ_s |o_s·ē − e_s·ō|`` with (ē, ō) the mean phase
    vector Σ_s eo_s / (|Σ_s eo_s| + eps). Row by row, pixels innermost (vectorised).
    """
    ns, rows, cols = eo.shape
    sr = np.empty(cols)
    si = np.empty(cols)
    cross = np.empty(cols)
    for i in range(rows):
        tot = sum_an[i]
        top = max_an[i]
        for j in range(cols):
            z = eo[0, i, j]
            a = _cabs(z.real, z.imag)
            an0sq[i, j] = a * a
            tot[j] = a
            top[j] = a
            sr[j] = z.real
            si[j] = z.imag
        for s in range(1, ns):
            for j in range(cols):
                z = eo[s, i, j]
                a = _cabs(z.real, z.imag)
                tot[j] += a
                top[j] = a if a > top[j] else top[j]
                sr[j] += z.real
                si[j] += z.imag
        dot = energy[i]
        for j in range(cols):  # conj(mean) = (mr, −mi); eo·conj(mean) as numpy's complex product
            scale = 1.0 / (_cabs(sr[j], si[j]) + eps)
            mr = sr[j] * scale
            nmi = -(si[j] * scale)
            z = eo[0, i, j]
            dot[j] = _fma(z.real, mr, -(z.imag * nmi))
            cross[j] = abs(_fma(z.real, nmi, z.imag * mr))
            sr[j] = mr
            si[j] = nmi
        for s in range(1, ns):
            for j in range(cols):
                z = eo[s, i, j]
                mr = sr[j]
                nmi = si[j]
                dot[j] += _fma(z.real, mr, -(z.imag * nmi))
                cross[j] += abs(_fma(z.real, nmi, z.imag * mr))
        for j in range(cols):
            dot[j] -= cross[j]


@njit(cache=True, nogil=True)
def orientation_accumulate(energy, sum_an, max_an, threshold, eps, ns, cutoff, g, cos_a, sin_a,
                           total_energy, total_sum_an, covx2, covy2, covxy):
    """Threshold, frequency-spread weight, and the running sums of one orientation."""
    rows, cols = energy.shape
    for i in range(rows):
        for j in range(cols):
            e = energy[i, j] - threshold
            if e < 0.0:
                e = 0.0
            san = sum_an[i, j]
            if e > 0.0:  # weight · 0 is 0: the exponential only where there is energy
                width = san / (max_an[i, j] + eps)
                width = width / ns
                weighted = (1.0 / (math.exp((cutoff - width) * g) + 1.0)) * e
            else:
                weighted = 0.0
            total_sum_an[i, j] += san
            total_energy[i, j] += weighted
            pc_o = weighted / san if san > 0 else 0.0
            cx = pc_o * cos_a
            cy = pc_o * sin_a
            covxy[i, j] += cx * cy
            covx2[i, j] += cx * cx
            covy2[i, j] += cy * cy


def _select(x, h, even):
    """x's h-th order statistic, or the mean of the (h−1)-th and h-th when ``even``."""
    part = np.partition(x, h)
    if not even:
        return float(part[h])
    return float(np.mean([part[:h].max(), part[h]]))


@njit(cache=True, nogil=True)
def _bracket(x, lo, hi, inside):
    """Copy the values of x in [lo, hi] to the front of ``inside``; return (#below lo, #copied)."""
    below = 0
    k = 0
    for v in x:
        if v < lo:
            below += 1
        elif v <= hi:
            inside[k] = v
            k += 1
    return below, k


def median(x: np.ndarray) -> float:
    """``np.median`` of a 1-D array (the two middle order statistics averaged).

    One compiled pass keeps the values between two quantiles of a 4096-value
    sample (±5 standard deviations of the sample median's rank) and numpy
    selects the middle ranks among them; the whole array when the bracket
    misses them. (numpy's sort and partition: numba's would cost ~15 s of
    compilation.)

    >>> x = np.random.default_rng(0).random(20001)
    >>> bool(median(x) == np.median(x)), bool(median(x[:-1]) == np.median(x[:-1]))
    (True, True)
    """
    n = x.size
    h = n // 2
    even = n % 2 == 0
    lo_rank = h - 1 if even else h
    if n >= 16384:
        sample = np.sort(x[:: n // 4096])
        m = sample.size
        lo = sample[max(0, m // 2 - 5 * 32)]
        hi = sample[min(m - 1, m // 2 + 5 * 32)]
        inside = np.empty(n)
        below, k = _bracket(x, lo, hi, inside)
        if below <= lo_rank and h < below + k:
            return _select(inside[:k], h - below, even)
    return _select(x, h, even)


@njit(cache=True, nogil=True)
def _vertical(src, taps, dst):
    """dst[:, h:-h] = src filtered along axis 0 (scipy's symmetric correlate1d, zero borders).

    Per output row: x[i]·w₀, then + (x[i−d] + x[i+d])·w_d for d = h … 1 (a missing
    neighbour is 0, and 0 + x is x); pixels innermost.
    """
    rows, cols = src.shape
    half = taps.size // 2
    w0 = taps[half]
    for i in range(rows):
        out = dst[i, half:half + cols]
        row = src[i]
        for j in range(cols):
            out[j] = row[j] * w0
        for d in range(half, 0, -1):
            t = taps[half - d]
            if i - d >= 0 and i + d < rows:
                up = src[i - d]
                down = src[i + d]
                for j in range(cols):
                    out[j] += (up[j] + down[j]) * t
            elif i - d >= 0:
                up = src[i - d]
                for j in range(cols):
                    out[j] += up[j] * t
            elif i + d < rows:
                down = src[i + d]
                for j in range(cols):
                    out[j] += down[j] * t


@njit(cache=True, nogil=True)
def feature_best(ff, feats, masks, taps, c, toolbox, flat, best):
    """best = max over X ∈ feats of the local correlation r_XF (0 outside X's mask).

    ``feats`` (3, H, W): the masked feature maps of A, B and S; ``masks`` their masks;
    ``taps``: 11 symmetric taps (scipy uses the left ones, as here).
    Local means, variances and covariance in the 11×11 window ``taps ⊗ taps``:
    μ = G∗x, σ² = G∗x² − μ², σ_XF = G∗(x·f) − μ_X μ_F; ``toolbox``: (σ_XF + c)/(√|σ_X² σ_F²| + c),
    else σ_XF/√(σ_X² σ_F²) where σ_X² σ_F² > ``flat``, else 0.
    """
    rows, cols = ff.shape
    half = taps.size // 2
    n_maps = 2 + 3 * feats.shape[0]
    prod = np.empty((rows, cols))
    vert = np.zeros((n_maps, rows, cols + 2 * half))
    _vertical(ff, taps, vert[0])
    for i in range(rows):
        for j in range(cols):
            prod[i, j] = ff[i, j] * ff[i, j]
    _vertical(prod, taps, vert[1])
    for k in range(feats.shape[0]):
        _vertical(feats[k], taps, vert[2 + 3 * k])
        for i in range(rows):
            for j in range(cols):
                x = feats[k, i, j]
                prod[i, j] = x * x
        _vertical(prod, taps, vert[3 + 3 * k])
        for i in range(rows):
            for j in range(cols):
                prod[i, j] = feats[k, i, j] * ff[i, j]
        _vertical(prod, taps, vert[4 + 3 * k])
    # the row filter written out for 11 taps (one pass, vectorised): the same sums in
    # the same order as x[j]·w₀ + Σ_{d=5..1} (x[j−d] + x[j+d])·w_d
    w0, a5, a4, a3, a2, a1 = taps[5], taps[0], taps[1], taps[2], taps[3], taps[4]
    local = np.empty((n_maps, cols))
    for i in range(rows):
        for m in range(n_maps):
            for j in range(cols):
                acc = vert[m, i, j + 5] * w0
                acc += (vert[m, i, j] + vert[m, i, j + 10]) * a5
                acc += (vert[m, i, j + 1] + vert[m, i, j + 9]) * a4
                acc += (vert[m, i, j + 2] + vert[m, i, j + 8]) * a3
                acc += (vert[m, i, j + 3] + vert[m, i, j + 7]) * a2
                acc += (vert[m, i, j + 4] + vert[m, i, j + 6]) * a1
                local[m, j] = acc
        for j in range(cols):
            f_mu = local[0, j]
            f_var = local[1, j] - f_mu * f_mu
            top = 0.0
            for k in range(feats.shape[0]):
                mu = local[2 + 3 * k, j]
                var = local[3 + 3 * k, j] - mu * mu
                cov = local[4 + 3 * k, j] - mu * f_mu
                r = 0.0
                if masks[k, i, j]:
                    if toolbox:
                        r = (cov + c) / (math.sqrt(abs(var * f_var)) + c)
                    else:
                        p = var * f_var
                        if p > flat:
                            r = cov / math.sqrt(p)
                if k == 0 or r > top:
                    top = r
            best[i, j] = top
