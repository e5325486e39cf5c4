"""``msvd`` — multi-resolution singular value decomposition fusion (Naidu 2011).

V. P. S. Naidu, "Image Fusion Technique using Multi-resolution Singular Value
Decomposition", Defence Science Journal 61(5):479–484, 2011.

One decomposition level: the image is cut into non-overlapping 2×2 blocks,
each block a column of the 4×(MN/4) matrix X (column-major within the block,
blocks in column-major order, as Naidu's MATLAB code builds it). With
X = U S Vᵀ, the coefficients T = Uᵀ X give four sub-bands (row 1: the
approximation "LL", rows 2–4: details "LH", "HL", "HH"). Fusion:

    LL_F = (LL_A + LL_B) / 2,   D_F = D_A if |D_A| ≥ |D_B| else D_B (each detail band),
    U_F = (U_A + U_B) / 2,      F = blocks⁻¹(U_F T_F).

Further levels (``levels`` > 1) decompose LL again; the paper's fusion uses
one level (the default). Odd sizes are padded by edge replication to even and
cropped back.

Signs (``signs``). Averaging U_A and U_B makes the result depend on the signs
of the singular vectors, which an SVD leaves free. ``"matlab"`` (default)
gives them the signs MATLAB's ``svd`` returned (LAPACK 3.9 ``dgesdd`` on Xᵀ,
see :mod:`methods._lapack_svd`), which reproduces the authors' published
outputs; those signs can disagree between A and B, and then a column of U_F
nearly cancels (the fused image loses contrast in that band), as it did in
the original. ``"aligned"`` makes the largest |component| of every singular
vector positive, so U_A and U_B agree: a steadier variant, not the published
method.

Colour: ``per-channel`` (each RGB channel fused on its own).

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((8, 6)) * 255
    >>> bool(np.allclose(methods.get_method("msvd").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.color import per_channel
from bench.errors import ParameterError
from methods._lapack_svd import right_singular_vectors
from methods.base import FusionMethod, FusionResult, register_method

SIGNS = ("matlab", "aligned")


def _check_signs(signs: str) -> None:
    if signs not in SIGNS:
        raise ParameterError(f"method 'msvd': signs must be one of {SIGNS}, got {signs!r}")


def msvd_decompose(x: np.ndarray, signs: str = "matlab") -> tuple[np.ndarray, np.ndarray]:
    """One MSVD level of an even-sized H×W image: (T with shape 4×H/2×W/2, U 4×4)."""
    blocks = np.stack([x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]])
    _check_signs(signs)
    if signs == "matlab":
        # MATLAB's X: one column per block, blocks in column-major order; its
        # svd(X) returns the right singular vectors of Xᵀ as LAPACK 3.9 signs
        # them. The scale (x/255 there) is kept so rounding matches too.
        xt = blocks.transpose(0, 2, 1).reshape(4, -1).T / 255.0
        _, u = right_singular_vectors(xt)
    else:  # "aligned"
        mat = blocks.reshape(4, -1)
        _, vecs = np.linalg.eigh(mat @ mat.T)  # eigenvectors of X Xᵀ = left singular vectors
        u = vecs[:, ::-1]
        idx = np.argmax(np.abs(u), axis=0)
        u = u * np.sign(u[idx, np.arange(4)])
    t = (u.T @ blocks.reshape(4, -1)).reshape(blocks.shape)
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


def msvd_fuse_gray(a: np.ndarray, b: np.ndarray, levels: int = 1, signs: str = "matlab") -> np.ndarray:
    """Fuse two grey images with ``levels`` MSVD levels (max-abs details, mean base)."""
    if levels < 1 or min(a.shape) < 2:
        return (a + b) / 2.0
    h, w = a.shape
    ph, pw = h % 2, w % 2
    if ph or pw:
        a = np.pad(a, ((0, ph), (0, pw)), mode="edge")
        b = np.pad(b, ((0, ph), (0, pw)), mode="edge")
    ta, ua = msvd_decompose(a, signs)
    tb, ub = msvd_decompose(b, signs)
    tf = np.empty_like(ta)
    tf[0] = msvd_fuse_gray(ta[0], tb[0], levels - 1, signs) if levels > 1 else (ta[0] + tb[0]) / 2.0
    tf[1:] = _choose_max_abs(ta[1:], tb[1:])
    return msvd_reconstruct(tf, (ua + ub) / 2.0)[:h, :w]


@register_method
class MSVD(FusionMethod):
    name = "msvd"
    version = "2"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    groups = ("vifb-classic", "mfifb", "paper")
    published_names = {"vifb": "MSVD", "mfifb": "MSVD", "paper": "MSVD"}
    colour = "per-channel"
    citation = (
        "V. P. S. Naidu, Image Fusion Technique using Multi-resolution Singular Value "
        "Decomposition, Defence Science Journal 61(5):479-484, 2011"
    )

    @dataclass
    class Params:
        levels: int = 1
        signs: str = "matlab"

    def run(self, a, b, params):
        _check_signs(params.signs)  # also for inputs too small to decompose
        fused = per_channel(lambda x, y: msvd_fuse_gray(x, y, params.levels, params.signs), a, b)
        return FusionResult(image=fused)
