"""``mgff`` — multi-scale guided filter fusion (Bavirisetti et al. 2019, "MGIVF").

D. P. Bavirisetti, G. Xiao, J. Zhao, R. Dhuli, G. Liu, "Multi-scale Guided
Image and Video Fusion: A Fast and Efficient Approach", Circuits, Systems, and
Signal Processing 38:5576–5605, 2019.

Multi-scale decomposition by *cross* guided filtering (each source's base
layer is the other source filtered with it as the guide), per colour channel,
with X_0 = A, Y_0 = B:

    X_k = GF(guide = X_{k−1}, input = Y_{k−1}),  Y_k = GF(guide = Y_{k−1}, input = X_{k−1}),
    D^X_k = X_{k−1} − X_k,  D^Y_k = Y_{k−1} − Y_k,   k = 1 … K.

Saliency S = |D| per level; weights w^X_k = S^X_k / (S^X_k + S^Y_k) (½ where
both are 0). Fused image:

    F = (X_K + Y_K)/2 + Σ_k (w^X_k D^X_k + w^Y_k D^Y_k).

Parameters: ``r`` = 9 and ``eps`` = 1000 (guided filter on 0..255 values, as
the authors' code), ``levels`` K = 4.

Colour: ``per-channel`` (each RGB channel guided by itself).

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((30, 40)) * 255
    >>> bool(np.allclose(methods.get_method("mgff").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.color import per_channel
from methods.base import FusionMethod, FusionResult, register_method
from methods.filters import guided_filter


def _weight(sx: np.ndarray, sy: np.ndarray) -> np.ndarray:
    s = sx + sy
    return np.where(s > 0, sx / np.where(s > 0, s, 1.0), 0.5)


def mgff_fuse_gray(a: np.ndarray, b: np.ndarray, r: int = 9, eps: float = 1000.0,
                   levels: int = 4) -> np.ndarray:
    """MGFF of two grey images (see the module docstring)."""
    x, y = a, b
    detail = np.zeros_like(a)
    for _ in range(levels):
        xk = guided_filter(x, y, r, eps)
        yk = guided_filter(y, x, r, eps)
        dx, dy = x - xk, y - yk
        wx = _weight(np.abs(dx), np.abs(dy))
        detail += wx * dx + (1.0 - wx) * dy
        x, y = xk, yk
    return 0.5 * (x + y) + detail


@register_method
class MGFF(FusionMethod):
    name = "mgff"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    groups = ("vifb-classic", "mfifb", "paper")
    published_names = {"vifb": "MGFF", "mfifb": "MGFF", "paper": "MGIVF"}
    colour = "per-channel"
    citation = (
        "D. P. Bavirisetti, G. Xiao, J. Zhao, R. Dhuli, G. Liu, Multi-scale Guided Image and "
        "Video Fusion: A Fast and Efficient Approach, Circuits Syst. Signal Process. 38:5576-5605, 2019"
    )

    @dataclass
    class Params:
        r: int = 9
        eps: float = 1000.0
        levels: int = 4

    def run(self, a, b, params):
        fused = per_channel(lambda x, y: mgff_fuse_gray(x, y, params.r, params.eps, params.levels), a, b)
        return FusionResult(image=fused)
