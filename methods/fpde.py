"""``fpde`` — fourth-order partial differential equations + PCA (Bavirisetti et al. 2017).

D. P. Bavirisetti, G. Xiao, G. Liu, "Multi-sensor image fusion based on fourth order
partial differential equations", 20th International Conference on Information Fusion
(Fusion), 2017, pp. 1–9.

Base layers by the fourth-order PDE of You & Kaveh (2000), explicit steps t = 1 … T:

    I ← I − Δt · [∂²_x (c·I_xx) + ∂²_y (c·I_yy)],   c = 1 / (1 + (|∇²I| / k)²),
    |∇²I| = sqrt(I_xx² + I_yy²),

all derivatives by MATLAB's ``gradient`` (central differences inside, one-sided at the
borders: :func:`numpy.gradient`), each second derivative as the gradient of the
gradient. The base is rounded to 8 bits (the authors' ``uint8``), detail D = I − base.
Detail rule: PCA of the two detail layers (weights ξ/Σξ from the principal eigenvector ξ
of their covariance, signs kept: :func:`methods.adf.kl_weights`); base rule: mean:

    F = P_A·D_A + P_B·D_B + (B_A + B_B)/2.

With ``uint8_base=True`` (default) the base mean is computed as the authors' code does
it, in 8-bit arithmetic: round(B_A/2) + round(B_B/2) (halves away from zero, saturated
at 255) — on average ½ grey level above the exact mean; ``False`` gives the exact mean.

Parameters (the authors' code): ``iterations`` T = 15, ``dt`` Δt = 0.9, ``k`` = 4,
``uint8_base``.
Colour: ``per-channel`` (as VIFB's wrapper: each visible channel with the infrared).

    >>> import numpy as np, methods
    >>> a = np.round(np.random.default_rng(0).random((24, 30)) * 255)
    >>> fpde = methods.get_method("fpde")
    >>> bool(np.allclose(fpde.fuse(a, a, uint8_base=False).image, a))
    True
    >>> float(np.abs(fpde.fuse(a, a).image - a).max())   # the 8-bit base mean: off by ≤ 1
    1.0
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import per_channel
from bench.matlab import round_half_away
from methods.adf import kl_weights
from methods.base import FusionMethod, FusionResult, register_method


def _dx(x: np.ndarray) -> np.ndarray:
    """MATLAB ``gradient`` along columns (x); a single column has derivative 0."""
    return np.gradient(x, axis=1) if x.shape[1] > 1 else np.zeros_like(x)


def _dy(x: np.ndarray) -> np.ndarray:
    """MATLAB ``gradient`` along rows (y)."""
    return np.gradient(x, axis=0) if x.shape[0] > 1 else np.zeros_like(x)


def fourth_order_pde(x: np.ndarray, iterations: int = 15, dt: float = 0.9,
                     k: float = 4.0) -> np.ndarray:
    """You–Kaveh fourth-order diffusion of a grey image (float, not rounded).

        >>> float(fourth_order_pde(np.full((4, 5), 9.0)).max())   # a flat image does not move
        9.0
    """
    u = np.asarray(x, dtype=np.float64).copy()
    for _ in range(int(iterations)):
        uxx = _dx(_dx(u))
        uyy = _dy(_dy(u))
        c = 1.0 / (1.0 + (np.sqrt(uxx**2 + uyy**2) / k) ** 2)
        div = _dx(_dx(c * uxx)) + _dy(_dy(c * uyy))
        u = u - dt * div
    return u


@register_method
class FPDE(FusionMethod):
    name = "fpde"
    version = "1"
    kind = "classic"
    modalities = ("ir-visible", "medical", "multi-focus")
    colour = "per-channel"
    citation = (
        "D. P. Bavirisetti, G. Xiao, G. Liu, Multi-sensor image fusion based on fourth order "
        "partial differential equations, 20th International Conference on Information Fusion, 2017"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "FPDE"}

    @dataclass
    class Params:
        iterations: int = 15
        dt: float = 0.9
        k: float = 4.0
        uint8_base: bool = True

    def run(self, a, b, params):
        def base(x):
            u = fourth_order_pde(x, params.iterations, params.dt, params.k)
            return np.clip(round_half_away(u), 0.0, 255.0)  # the authors' uint8(...)

        def fuse(x, y):
            bx, by = base(x), base(y)
            da, db = x - bx, y - by
            pa, pb = kl_weights(da, db)
            if params.uint8_base:  # 0.5*A1 + 0.5*A2 on uint8 arrays, as the authors' code
                mean = np.minimum(round_half_away(0.5 * bx) + round_half_away(0.5 * by), 255.0)
            else:
                mean = 0.5 * bx + 0.5 * by
            return (pa * da + pb * db) + mean

        return FusionResult(image=per_channel(fuse, a, b))
