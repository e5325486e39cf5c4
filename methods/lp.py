"""``lp`` — Laplacian-pyramid fusion (Burt & Adelson).

P. J. Burt, E. H. Adelson, "The Laplacian Pyramid as a Compact Image Code",
IEEE Trans. Communications 31(4):532–540, 1983; fusion rule as in Burt &
Adelson, "Merging images through pattern recognition", SPIE 575, 1985.

Each source is decomposed into L_0 … L_{n−2} (band-pass, L_k = G_k −
EXPAND(G_{k+1})) and the low-pass G_{n−1}, with the 5-tap generating kernel
[0.05, 0.25, 0.4, 0.25, 0.05] and mirrored borders. Fusion:

    L_k^F = L_k^A if |L_k^A| ≥ |L_k^B| else L_k^B    (max-abs details)
    G_{n−1}^F = (G_{n−1}^A + G_{n−1}^B) / 2          (averaged base)

and F is the collapsed pyramid. ``levels`` (default 4) counts all levels,
base included; it is reduced for small images so the base stays ≥ 8 px.

Colour: ``per-channel``.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((33, 20)) * 255
    >>> bool(np.allclose(methods.get_method("lp").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.color import per_channel
from methods.base import FusionMethod, FusionResult, register_method
from methods.pyramids import laplacian_pyramid, max_levels, reconstruct_laplacian


def lp_fuse_gray(a: np.ndarray, b: np.ndarray, levels: int = 4) -> np.ndarray:
    """Laplacian-pyramid fusion (max-abs details, mean base) of H×W or H×W×C arrays.

    Channels of a stack are fused independently (the filters act on the two
    image axes only).
    """
    n = max_levels(a.shape, levels)
    pa, pb = laplacian_pyramid(a, n), laplacian_pyramid(b, n)
    fused = [np.where(np.abs(la) >= np.abs(lb), la, lb) for la, lb in zip(pa[:-1], pb[:-1])]
    fused.append((pa[-1] + pb[-1]) / 2.0)
    return reconstruct_laplacian(fused)


@register_method
class LaplacianPyramid(FusionMethod):
    name = "lp"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "per-channel"
    citation = (
        "P. J. Burt, E. H. Adelson, The Laplacian Pyramid as a Compact Image Code, "
        "IEEE Trans. Commun. 31(4):532-540, 1983"
    )

    @dataclass
    class Params:
        levels: int = 4

    def run(self, a, b, params):
        # channel by channel: contiguous 2-D filtering beats strided 3-D filtering here
        return FusionResult(image=per_channel(lambda x, y: lp_fuse_gray(x, y, params.levels), a, b))
