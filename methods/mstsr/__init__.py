"""``mstsr`` — Laplacian pyramid + sparse representation (Liu, Liu & Wang 2015).

Y. Liu, S. Liu, Z. Wang, "A general framework for image fusion based on
multi-scale transform and sparse representation", Information Fusion
24:147–164, 2015 (the LP-SR instance of the framework).

Per colour channel:

1. Laplacian pyramid with ``levels`` = 4 band-pass levels (Burt's 5-tap kernel
   [1 4 6 4 1]/16, symmetric borders without edge repetition, odd sizes
   extended by one mirrored row/column), as in Rockinger's fusion toolbox
   that the authors build on.
2. Band-pass levels: "choose max with consistency check" (Li et al. 1995):
   activity = 3×3 maximum of |L|, decision d = [act_A > act_B], then a 3×3
   majority vote on d; L_F = d·L_A + (1 − d)·L_B.
3. Low-pass level: sparse-representation fusion. Every 8×8 patch on a grid of
   step 8 − ``overlap`` (overlap = 6) is made zero-mean, coded over the
   dictionary D (64×256, unit-norm atoms) by orthogonal matching pursuit until
   ‖x − Dα‖² ≤ ``epsilon`` (0.1), and the patch whose code has the larger
   ‖α‖₁ wins (with its own mean): P_F = Dα_k + m_k. Overlapping patches are
   averaged; uncovered pixels take (A + B)/2.
4. Inverse pyramid.

Parameters: ``levels`` = 4, ``overlap`` = 6, ``epsilon`` = 0.1 (on 0..255
values), ``dictionary`` = path of a .npz (default: the shipped
``dictionary.npz``, learned from natural images; see :mod:`methods.mstsr.dictionary`
and ``MODEL_CARD.md`` for how to regenerate it).

Colour: ``per-channel``.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((40, 36)) * 255
    >>> bool(np.allclose(methods.get_method("mstsr").fuse(a, a).image, a, atol=1.0))
    True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from bench.color import per_channel
from methods.base import FusionMethod, FusionResult, register_method

_W = np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16.0


def es2(x: np.ndarray, n: int) -> np.ndarray:
    """Symmetric extension by n on every side without repeating the edge; corners stay 0.

    (The corner blocks are left at zero, as in Rockinger's ``es2``.)
    """
    y = np.pad(x, n, mode="reflect")
    y[:n, :n] = y[:n, -n:] = y[-n:, :n] = y[-n:, -n:] = 0.0
    return y


def _smooth(x: np.ndarray, k: np.ndarray) -> np.ndarray:
    """Separable 5-tap filtering on the ``es2``-extended image, 'valid' part (same size)."""
    y = ndimage.correlate1d(es2(x, 2), k, axis=1)[:, 2:-2]
    return ndimage.correlate1d(y, k, axis=0)[2:-2, :]


def _undec2(x: np.ndarray) -> np.ndarray:
    y = np.zeros((2 * x.shape[0], 2 * x.shape[1]))
    y[::2, ::2] = x
    return y


def choose_max_consistent(la: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """Li's rule: 3×3 max-|L| activity, d = [act_A > act_B], 3×3 majority vote."""
    act_a = ndimage.maximum_filter(np.pad(np.abs(la), 1, mode="reflect"), 3, mode="constant")
    act_b = ndimage.maximum_filter(np.pad(np.abs(lb), 1, mode="reflect"), 3, mode="constant")
    votes = ndimage.correlate((act_a > act_b).astype(np.float64), np.ones((3, 3)),
                              mode="constant")[1:-1, 1:-1]
    return np.where(votes > 4, la, lb)


def omp_codes(d: np.ndarray, x: np.ndarray, epsilon: float) -> np.ndarray:
    """OMP codes (atoms × n) of the columns of ``x`` until ‖x − Dα‖² ≤ ``epsilon``.

    Orthogonal matching pursuit (Pati et al. 1993) as in ompbox's ``omp2``:
    greedily add the atom most correlated with the residual, re-fit all
    selected coefficients by least squares, stop at the error target (or when
    the code is as long as the signal). Uses scikit-learn's Gram-based OMP.

        >>> omp_codes(np.eye(4), np.array([[3.0], [0.0], [-1.0], [0.2]]), 0.1)[:, 0]
        array([ 3.,  0., -1.,  0.])
    """
    from sklearn.linear_model import orthogonal_mp_gram

    norms = np.einsum("ij,ij->j", x, x)
    codes = np.zeros((d.shape[1], x.shape[1]))
    busy = norms > epsilon
    if np.any(busy):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "ended prematurely": target met early
            c = orthogonal_mp_gram(d.T @ d, d.T @ x[:, busy], tol=epsilon,
                                   norms_squared=norms[busy], copy_Gram=False)
        codes[:, busy] = c.reshape(d.shape[1], -1)
    return codes


def sparse_fusion(a: np.ndarray, b: np.ndarray, d: np.ndarray, overlap: int = 6,
                  epsilon: float = 0.1) -> np.ndarray:
    """Max-L1 sparse-representation fusion of two (low-pass) images, sliding 8×8 patches."""
    p = int(round(np.sqrt(d.shape[0])))
    h, w = a.shape
    if h < p or w < p:
        return (a + b) / 2.0
    step = max(1, p - overlap)
    ys, xs = np.arange(0, h - p + 1, step), np.arange(0, w - p + 1, step)

    def patches(img):
        v = np.lib.stride_tricks.sliding_window_view(img, (p, p))[ys][:, xs]  # ny×nx×p×p
        v = v.transpose(0, 1, 3, 2).reshape(-1, p * p).T  # columns, column-major pixels
        m = v.mean(axis=0)
        return v - m, m

    va, ma = patches(a)
    vb, mb = patches(b)
    ca, cb = omp_codes(d, va, epsilon), omp_codes(d, vb, epsilon)
    take_b = np.abs(ca).sum(axis=0) < np.abs(cb).sum(axis=0)
    code = np.where(take_b, cb, ca)
    mean = np.where(take_b, mb, ma)
    fused = (d @ code + mean).T.reshape(len(ys), len(xs), p, p).transpose(0, 1, 3, 2)
    acc = np.zeros((h, w))
    cnt = np.zeros((h, w))
    for dy in range(p):
        for dx in range(p):
            acc[np.ix_(ys + dy, xs + dx)] += fused[:, :, dy, dx]
            cnt[np.ix_(ys + dy, xs + dx)] += 1.0
    out = (a + b) / 2.0
    covered = cnt > 0
    out[covered] = acc[covered] / cnt[covered]
    return out


def lp_sr_fuse_gray(a: np.ndarray, b: np.ndarray, d: np.ndarray, levels: int = 4,
                    overlap: int = 6, epsilon: float = 0.1) -> np.ndarray:
    """LP-SR fusion of two grey images (see the module docstring)."""
    m1, m2 = a, b
    bands, sizes = [], []
    for _ in range(levels):
        if min(m1.shape) < 4:
            break
        sizes.append(m1.shape)
        ew = (m1.shape[0] % 2, m1.shape[1] % 2)
        if any(ew):
            m1 = np.pad(m1, ((0, ew[0]), (0, ew[1])), mode="reflect")
            m2 = np.pad(m2, ((0, ew[0]), (0, ew[1])), mode="reflect")
        g1, g2 = _smooth(m1, _W), _smooth(m2, _W)
        e1 = m1 - _smooth(_undec2(g1[::2, ::2]), 2 * _W)
        e2 = m2 - _smooth(_undec2(g2[::2, ::2]), 2 * _W)
        bands.append(choose_max_consistent(e1, e2))
        m1, m2 = g1[::2, ::2], g2[::2, ::2]
    f = sparse_fusion(m1, m2, d, overlap, epsilon)
    for band, size in zip(reversed(bands), reversed(sizes)):
        f = (_smooth(_undec2(f), 2 * _W) + band)[: size[0], : size[1]]
    return f


@register_method
class MSTSR(FusionMethod):
    name = "mstsr"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "per-channel"
    citation = (
        "Y. Liu, S. Liu, Z. Wang, A general framework for image fusion based on multi-scale "
        "transform and sparse representation, Information Fusion 24:147-164, 2015"
    )

    @dataclass
    class Params:
        levels: int = 4
        overlap: int = 6
        epsilon: float = 0.1
        dictionary: str = ""

    def run(self, a, b, params):
        from methods.mstsr.dictionary import DEFAULT_PATH, load_dictionary

        d = load_dictionary(params.dictionary or DEFAULT_PATH)
        fused = per_channel(
            lambda x, y: lp_sr_fuse_gray(x, y, d, params.levels, params.overlap, params.epsilon), a, b
        )
        return FusionResult(image=fused)
