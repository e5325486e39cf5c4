"""``gff`` — image fusion with guided filtering (Li, Kang & Hu 2013).

S. Li, X. Kang, J. Hu, "Image Fusion With Guided Filtering", IEEE Trans.
Image Processing 22(7):2864–2875, 2013.

Steps (images scaled to 0..1 as in the authors' code):

1. Two-scale decomposition of each source: base B_n = mean filter 31×31
   (replicated borders) of I_n, detail D_n = I_n − B_n (eqs. 1–2).
2. Saliency on the grey image: S_n = |I_gray ∗ L| ∗ g, with the 3×3 Laplacian
   L = [[0,1,0],[1,−4,1],[0,1,0]] and a Gaussian g of size 11, σ = 5 (eq. 3,
   replicated borders).
3. Initial weights P_n = [S_n = max_k S_k] (ties to the first source, eq. 4).
4. Weights refined by the guided filter, guided by the grey source:
   W^B_n = GF_{r1,ε1}(P_n, I_gray_n), W^D_n = GF_{r2,ε2}(P_n, I_gray_n) (eq. 5),
   quantised to 1/255 steps and clipped to 0..1 (as the authors' code does),
   then normalised to sum to one.
5. F = Σ W^B_n B_n + Σ W^D_n D_n per colour channel (eqs. 6–7).

Parameters: ``r1`` = 45, ``eps1`` = 0.3 (base weights), ``r2`` = 7,
``eps2`` = 1e-6 (detail weights), ``base_size`` = 31 (mean filter),
``quantise_weights`` = True (the 8-bit weight rounding of the reference code).

Colour: ``gray-weights`` (weights from the grey image — MATLAB ``rgb2gray``
rounded to 8 bits — applied to every RGB channel).
``decision_map`` is the base-layer weight of A, W^B_A.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((40, 50)) * 255
    >>> res = methods.get_method("gff").fuse(a, a)
    >>> bool(np.allclose(res.image, a, atol=1e-6))
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.matlab import gaussian_taps, imfilter, imfilter_separable, rgb2gray, round_half_away
from methods.base import FusionMethod, FusionResult, register_method
from methods.filters import guided_filter

LAPLACIAN_3X3 = np.array([[0.0, 1.0, 0.0], [1.0, -4.0, 1.0], [0.0, 1.0, 0.0]])


def gray_u8(x: np.ndarray) -> np.ndarray:
    """Grey image as MATLAB ``rgb2gray`` gives it for a uint8 colour image (rounded)."""
    if x.ndim == 2:
        return x
    return np.clip(round_half_away(rgb2gray(x)), 0, 255)


def gff_weights(ga: np.ndarray, gb: np.ndarray, r1: int = 45, eps1: float = 0.3, r2: int = 7,
                eps2: float = 1e-6, quantise: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Normalised base and detail weights of source A from grey images in 0..1."""
    g1 = gaussian_taps(11, 5.0)
    sal = [imfilter_separable(np.abs(imfilter(g, LAPLACIAN_3X3, "replicate")), g1, g1, "replicate")
           for g in (ga, gb)]
    p_a = (sal[0] + 1e-12 >= sal[1] + 1e-12).astype(np.float64)  # argmax, ties -> A
    weights = []
    for r, eps in ((r1, eps1), (r2, eps2)):
        wa = guided_filter(ga, p_a, r, eps)
        wb = guided_filter(gb, 1.0 - p_a, r, eps)
        if quantise:
            wa = np.clip(round_half_away(wa * 255.0), 0, 255) / 255.0
            wb = np.clip(round_half_away(wb * 255.0), 0, 255) / 255.0
        wa, wb = wa + 1e-12, wb + 1e-12
        weights.append(wa / (wa + wb))
    return weights[0], weights[1]


@register_method
class GFF(FusionMethod):
    name = "gff"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    groups = ("vifb-classic", "mfifb")
    published_names = {"vifb": "GFF", "mfifb": "GFF"}
    colour = "gray-weights"
    citation = (
        "S. Li, X. Kang, J. Hu, Image Fusion With Guided Filtering, "
        "IEEE Trans. Image Process. 22(7):2864-2875, 2013"
    )

    @dataclass
    class Params:
        r1: int = 45
        eps1: float = 0.3
        r2: int = 7
        eps2: float = 1e-6
        base_size: int = 31
        quantise_weights: bool = True

    def run(self, a, b, params):
        ga, gb = gray_u8(a) / 255.0, gray_u8(b) / 255.0
        wb_a, wd_a = gff_weights(ga, gb, params.r1, params.eps1, params.r2, params.eps2,
                                 params.quantise_weights)
        box = np.full(params.base_size, 1.0 / params.base_size)
        base_a = imfilter_separable(a, box, box, "replicate")
        base_b = imfilter_separable(b, box, box, "replicate")
        if a.ndim == 3:
            wb_ae, wd_ae = wb_a[..., None], wd_a[..., None]
        else:
            wb_ae, wd_ae = wb_a, wd_a
        fused = (wb_ae * base_a + (1 - wb_ae) * base_b
                 + wd_ae * (a - base_a) + (1 - wd_ae) * (b - base_b))
        return FusionResult(image=fused, decision_map=wb_a, extras={"detail_weight_a": wd_a})
