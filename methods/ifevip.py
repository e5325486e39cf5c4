"""``ifevip``: infrared feature extraction and visual information preservation.

Y. Zhang, L. Zhang, X. Bai, L. Zhang, "Infrared and visual image fusion through infrared
feature extraction and visual information preservation", Infrared Physics & Technology 83
(2017) 227-237 (VIFB's IFEVIP). On 8-bit images, with I the (grey) infrared image and V
the visible one, as the authors' ``BGR_Fuse.m``:

1. Infrared background B: I resized to 512×512 (bicubic, rounded to 8 bits); quadtree
   decomposition (blocks split while max − min > 0.2·255, down to 32×32); each block's
   background is the cubic Bézier surface through 4×4 control points taken from the
   32×32 grey erosion (minimum filter) of the resized image, at block offsets
   [0, 2s−1, 3s−1, 4s] (s = block size / 4, the last on the next block's edge); largest
   blocks first, later blocks overwrite shared edges. B is resized back (bicubic) and
   smoothed by a 9×9 Gaussian (σ = 4.5, zero borders).
2. Bright infrared features R = max(I − round(B), 0).
3. F₀ = R + (I − V)·E(I)/E(V), E = Shannon entropy of the 8-bit histogram (of all
   channels of V).
4. r = min(255/m, 0.8), m = mean of the largest 0.1 % of max(F₀, 0) + V.
5. F = min(V + clip(round(r·F₀), 0, 255), 255) (uint8 arithmetic).

Colour: V keeps its colour; I (MATLAB ``rgb2gray`` if RGB) is added to every channel.

    >>> import numpy as np
    >>> vis = np.tile(np.linspace(30.0, 160.0, 40), (40, 1))
    >>> ir = np.full((40, 40), 60.0); ir[15:25, 15:25] = 250.0      # a hot target
    >>> f = methods.get_method("ifevip").fuse(vis, ir).image
    >>> bool(f[20, 20] - vis[20, 20] > 2 * (f[2, 2] - vis[2, 2]))   # the target stands out
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import ndimage

import methods  # noqa: F401  (doctest namespace)
from bench.matlab import fspecial_gaussian, imfilter, imresize, rgb2gray, round_half_away
from methods.base import FusionMethod, FusionResult, register_method

__all__ = ["IFEVIP", "background", "bezier_background", "quadtree"]

#: cubic Bézier basis matrix (the corrected one of the authors' README)
BEZIER = np.array([[-1.0, 3.0, -3.0, 1.0], [3.0, -6.0, 3.0, 0.0], [-3.0, 3.0, 0.0, 0.0],
                   [1.0, 0.0, 0.0, 0.0]])


def _uint8(x: np.ndarray) -> np.ndarray:
    """MATLAB ``uint8(x)``: round half away from zero, saturate to 0..255 (float out)."""
    return np.clip(round_half_away(x), 0.0, 255.0)


def quadtree(x: np.ndarray, threshold: float, min_dim: int) -> list[tuple[int, int, int]]:
    """MATLAB ``qtdecomp(x, threshold, min_dim)`` of a square power-of-2 image:
    blocks (row, col, size) split while max − min > threshold, never below ``min_dim``."""
    n = x.shape[0]
    todo, done = [(0, 0, n)], []
    while todo:
        r, c, d = todo.pop()
        blk = x[r : r + d, c : c + d]
        if d // 2 >= min_dim and float(blk.max()) - float(blk.min()) > threshold:
            h = d // 2
            todo += [(r, c, h), (r + h, c, h), (r, c + h, h), (r + h, c + h, h)]
        else:
            done.append((r, c, d))
    return done


def bezier_background(blocks: list[tuple[int, int, int]], low: np.ndarray) -> np.ndarray:
    """Per block a bicubic Bézier surface through 4×4 samples of ``low`` (see step 1)."""
    padded = np.pad(low, ((0, 1), (0, 1)), mode="edge")
    out = np.zeros(padded.shape)
    for size in sorted({d for _, _, d in blocks}, reverse=True):
        dim = size + 1
        s = size // 4
        at = np.array([0, 2 * s - 1, 3 * s - 1, 4 * s])
        u = np.arange(dim) / (dim - 1)
        basis = np.stack([u**3, u**2, u, np.ones(dim)], axis=1) @ BEZIER  # dim × 4
        # MATLAB's find order (column-major): later blocks overwrite shared edges
        for r, c, _ in sorted((b for b in blocks if b[2] == size), key=lambda b: (b[1], b[0])):
            ctrl = padded[r + at[:, None], c + at[None, :]]
            out[r : r + dim, c : c + dim] = basis @ ctrl @ basis.T
    return out[:-1, :-1]


def background(ir: np.ndarray, norm_dim: int = 512, min_dim: int = 32, threshold: float = 0.2,
               gauss: int = 9) -> np.ndarray:
    """Step 1: the smoothed infrared background (float, the size of ``ir``; 0..255 scale)."""
    small = _uint8(imresize(ir, (norm_dim, norm_dim), "bicubic"))
    blocks = quadtree(small, threshold * 255.0, min_dim)
    # imerode with strel('square', min_dim): window rows r−15 … r+16 for 32 (centre 16)
    low = ndimage.minimum_filter(small, size=min_dim, mode="constant", cval=np.inf,
                                 origin=-1 if min_dim % 2 == 0 else 0)
    bg = imresize(bezier_background(blocks, low), ir.shape[:2], "bicubic")
    return imfilter(bg, fspecial_gaussian(gauss, gauss / 2.0), "zero")


def _entropy(x: np.ndarray) -> float:
    p = np.bincount(x.astype(np.int64).ravel(), minlength=256) / x.size
    p = p[p > 0]
    return float(-np.sum(p * np.log2(p)))


def ifevip_fuse(vis: np.ndarray, ir: np.ndarray, params) -> np.ndarray:
    """Steps 1–5 on 8-bit valued arrays (``vis`` H×W or H×W×3, ``ir`` H×W)."""
    bg = background(ir, params.norm_dim, params.min_dim, params.threshold, params.gauss)
    feat = np.maximum(ir - _uint8(bg), 0.0)
    e_vis = _entropy(vis)
    scale = _entropy(ir) / e_vis if e_vis > 0 else 1.0
    irc = ir[..., None] if vis.ndim == 3 else ir
    add = (feat[..., None] if vis.ndim == 3 else feat) + (irc - vis) * scale
    added = np.sort((np.maximum(add, 0.0) + vis).ravel())[::-1]
    top = max(1, int(round_half_away(params.max_ratio * added.size)))
    ratio = min(255.0 / float(np.mean(added[:top])), params.std_ratio)
    return np.minimum(vis + _uint8(add * ratio), 255.0)


@register_method
class IFEVIP(FusionMethod):
    name = "ifevip"
    version = "1"
    kind = "classic"
    modalities = ("ir-visible",)
    colour = "per-channel"  # the visible colour kept; the grey infrared added to each channel
    citation = (
        "Y. Zhang, L. Zhang, X. Bai, L. Zhang, Infrared and visual image fusion through infrared "
        "feature extraction and visual information preservation, Infrared Physics & Technology "
        "83 (2017) 227-237"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "IFEVIP"}
    identity_exempt: ClassVar[str] = (
        "adds the infrared bright features (infrared minus its quadtree background) to the "
        "visible image, so fuse(X, X) brightens X"
    )

    @dataclass
    class Params:
        norm_dim: int = 512  # QuadNormDim: size of the square image the quadtree works on
        min_dim: int = 32  # QuadMinDim: smallest quadtree block, erosion window
        threshold: float = 0.2  # quadtree split threshold (fraction of 255)
        gauss: int = 9  # GaussScale: background smoothing window (σ = gauss / 2)
        max_ratio: float = 0.001  # MaxRatio: share of brightest values for the gain
        std_ratio: float = 0.8  # StdRatio: largest feature gain

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        # the published code works on uint8 images
        vis = _uint8(a)
        ir = _uint8(rgb2gray(_uint8(b))) if b.ndim == 3 else _uint8(b)
        return FusionResult(image=ifevip_fuse(vis, ir, params))
