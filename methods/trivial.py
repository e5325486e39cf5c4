"""Trivial baselines for sanity checks: ``average`` and ``max-abs``.

``average``: F = (A + B) / 2.
``max-abs``: per pixel, the source whose deviation from its own mean is larger
(|X − mean(X)|, on grey; the chosen source's pixel taken in every channel).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bench.color import luma
from methods.base import FusionMethod, FusionResult, register_method


@register_method
class Average(FusionMethod):
    name = "average"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "per-channel"
    citation = "pixel-wise mean of the sources (sanity baseline)"

    @dataclass
    class Params:
        pass

    def run(self, a, b, params):
        return FusionResult(image=(a + b) / 2.0, decision_map=np.full(a.shape[:2], 0.5))


@register_method
class MaxAbs(FusionMethod):
    name = "max-abs"
    version = "1"
    kind = "classic"
    modalities = ("multi-focus", "ir-visible", "medical")
    colour = "gray-weights"
    citation = "pixel-wise choose-max of |X - mean(X)| (sanity baseline)"

    @dataclass
    class Params:
        pass

    def run(self, a, b, params):
        ga, gb = luma(a), luma(b)
        w = (np.abs(ga - ga.mean()) >= np.abs(gb - gb.mean())).astype(np.float64)
        wc = w[..., None] if a.ndim == 3 else w
        return FusionResult(image=wc * a + (1 - wc) * b, decision_map=w)
