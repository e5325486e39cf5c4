"""``tif`` — two-scale image fusion with visual saliency (Bavirisetti & Dhuli 2016).

D. P. Bavirisetti, R. Dhuli, "Two-scale image fusion of visible and infrared images
using saliency detection", Infrared Physics & Technology 76:52–64, 2016.

Two-scale decomposition by a mean filter: base B = μ_M * I (M×M box, M = 35, circular
borders as the authors' ``imfilter(..., 'circular')``), detail D = I − B. Saliency
S = (B − I_med)², with I_med the N×N median (N = 3, zero borders as MATLAB's
``medfilt2``). Weights w_A = S_A / (S_A + S_B), w_B = 1 − w_A, and

    F = w_A·D_A + w_B·D_B + (B_A + B_B)/2.

Where S_A + S_B = 0 the authors' code divides 0 by 0 (NaN, written as 0 by MATLAB's
``uint8``); here such pixels take w_A = w_B = ½ (``zero_saliency="half"``) unless
``zero_saliency="black"``, which reproduces the authors' black pixels.

Parameters: ``mean_size`` M = 35, ``median_size`` N = 3, ``zero_saliency``.
Colour: ``per-channel`` (as VIFB's wrapper: each visible channel with the infrared).

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((40, 50)) * 255
    >>> bool(np.allclose(methods.get_method("tif").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy import ndimage

from bench.color import per_channel
from bench.errors import ParameterError
from bench.matlab import imfilter_separable
from methods.base import FusionMethod, FusionResult, register_method


def tif_fuse_gray(a: np.ndarray, b: np.ndarray, mean_size: int = 35, median_size: int = 3,
                  zero_saliency: str = "half") -> np.ndarray:
    """TIF of two grey images (see the module docstring)."""
    taps = np.full(mean_size, 1.0 / mean_size)  # separable M×M mean: same up to rounding
    base_a = imfilter_separable(a, taps, border="circular")
    base_b = imfilter_separable(b, taps, border="circular")
    med_a = ndimage.median_filter(a, size=median_size, mode="constant", cval=0.0)
    med_b = ndimage.median_filter(b, size=median_size, mode="constant", cval=0.0)
    sa, sb = (base_a - med_a) ** 2, (base_b - med_b) ** 2
    total = sa + sb
    zero = total == 0
    safe = np.where(zero, 1.0, total)
    wa = np.where(zero, 0.5, sa / safe)
    wb = np.where(zero, 0.5, sb / safe)
    fused = (wa * (a - base_a) + wb * (b - base_b)) + (0.5 * base_a + 0.5 * base_b)
    if zero_saliency == "black":
        fused = np.where(zero, 0.0, fused)
    return fused


@register_method
class TIF(FusionMethod):
    name = "tif"
    version = "1"
    kind = "classic"
    modalities = ("ir-visible",)
    colour = "per-channel"
    citation = (
        "D. P. Bavirisetti, R. Dhuli, Two-scale image fusion of visible and infrared images "
        "using saliency detection, Infrared Physics & Technology 76:52-64, 2016"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "TIF"}

    @dataclass
    class Params:
        mean_size: int = 35
        median_size: int = 3
        zero_saliency: str = "half"

    def run(self, a, b, params):
        if params.zero_saliency not in ("half", "black"):
            raise ParameterError(
                f"tif: zero_saliency must be 'half' or 'black', got {params.zero_saliency!r}"
            )
        for key in ("mean_size", "median_size"):
            size = getattr(params, key)
            if size < 1 or size % 2 == 0:
                raise ParameterError(f"tif: {key} must be a positive odd integer, got {size}")
        fused = per_channel(
            lambda x, y: tif_fuse_gray(x, y, params.mean_size, params.median_size,
                                       params.zero_saliency), a, b)
        return FusionResult(image=fused)
