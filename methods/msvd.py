"""``msvd`` — multi-resolution singular value decomposition fusion (Naidu 2011).

V. P. S. Naidu, "Image Fusion Technique using Multi-resolution Singular Value
Decomposition", Defence Science Journal 61(5):479–484, 2011.

One decomposition level: the image is cut into non-overlapping 2×2 blocks,
each block a column of the 4×(MN/4) matrix X (column-major within the block).
With X = U S Vᵀ, the coefficients T = Uᵀ X give four sub-bands (row 1: the
approximation "LL", rows 2–4: details "LH", "HL", "HH"). Fusion:

    LL_F = (LL_A + LL_B) / 2,   D_F = D_A if |D_A| ≥ |D_B| else D_B (each detail band),
    U_F = (U_A + U_B) / 2,      F = blocks⁻¹(U_F T_F).

Further levels (``levels`` > 1) decompose LL again; the paper's fusion uses
one level (the default). Odd sizes are padded by edge replication to even and
cropped back. Singular vectors are given a deterministic sign (the largest
|component| of each column is made positive, matching the sign LAPACK returns
for these non-negative block matrices) so averaging U_A and U_B is stable.

Colour: ``per-channel`` (each RGB channel fused on its own).

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((8, 6)) * 255
    >>> bool(np.allclose(methods.get_method("msvd").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from methods.base import FusionMethod, FusionResult, register_method
from methods.common import per_channel


def msvd_decompose(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One MSVD level of an even-sized H×W image: (T with shape 4×H/2×W/2, U 4×4)."""
    blocks = np.stack([x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]])
    mat = blocks.reshape(4, -1)
    # left singular vectors of X = eigenvectors of the 4×4 scatter X Xᵀ (descending)
    _, vecs = np.linalg.eigh(mat @ mat.T)
    u = vecs[:, ::-1]
    # deterministic sign: largest-magnitude entry of each singular vector positive
    idx = np.argmax(np.abs(u), axis=0)
    u = u * np.sign(u[idx, np.arange(4)])
    t = (u.T @ mat).reshape(blocks.shape)
    return t, u


def msvd_reconstruct(t: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Inverse of :func:`msvd_decompose`: the H×W image from T (4×h×w) and U."""
    blocks = (u @ t.reshape(4, -1)).reshape(t.shape)
    h, w = t.shape[1:]
    x = np.empty((2 * h, 2 * w))
    x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2] = blocks
    return x


def _choose_max_abs(da: np.ndarray, db: np.ndarray) -> np.ndarray:
    return np.where(np.abs(da) >= np.abs(db), da, db)


def msvd_fuse_gray(a: np.ndarray, b: np.ndarray, levels: int = 1) -> np.ndarray:
    """Fuse two grey images with ``levels`` MSVD levels (max-abs details, mean base)."""
    if levels < 1 or min(a.shape) < 2:
        return (a + b) / 2.0
    h, w = a.shape
    ph, pw = h % 2, w % 2
    if ph or pw:
        a = np.pad(a, ((0, ph), (0, pw)), mode="edge")
        b = np.pad(b, ((0, ph), (0, pw)), mode="edge")
    ta, ua = msvd_decompose(a)
    tb, ub = msvd_decompose(b)
    tf = np.empty_like(ta)
    tf[0] = msvd_fuse_gray(ta[0], tb[0], levels - 1) if levels > 1 else (ta[0] + tb[0]) / 2.0
    tf[1:] = _choose_max_abs(ta[1:], tb[1:])
    return msvd_reconstruct(tf, (ua + ub) / 2.0)[:h, :w]


@register_method
class MSVD(FusionMethod):
    name = "msvd"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "per-channel"
    citation = (
        "V. P. S. Naidu, Image Fusion Technique using Multi-resolution Singular Value "
        "Decomposition, Defence Science Journal 61(5):479-484, 2011"
    )

    @dataclass
    class Params:
        levels: int = 1

    def run(self, a, b, params):
        fused = per_channel(lambda x, y: msvd_fuse_gray(x, y, params.levels), a, b)
        return FusionResult(image=fused)
