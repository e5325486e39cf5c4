"""``adf`` — anisotropic diffusion + Karhunen–Loève transform (Bavirisetti & Dhuli 2016).

D. P. Bavirisetti, R. Dhuli, "Fusion of Infrared and Visible Sensor Images Based on
Anisotropic Diffusion and Karhunen-Loeve Transform", IEEE Sensors Journal 16(1):203–209, 2016.

Two-scale fusion. Base layers by Perona–Malik anisotropic diffusion (8-neighbour
scheme, conduction c = exp(−(∇I/κ)²)), t = 1 … T:

    I ← I + Δt · Σ_d  w_d · c(∇_d I) · ∇_d I,   w_d = 1 (N, S, E, W), ½ (diagonals),

with ∇_d I the difference to the neighbour in direction d; pixels outside the image
count as 0 (MATLAB ``imfilter``'s default border, as the authors' ``anisodiff2D``).
Detail D = I − base. Detail rule: KL transform of the two detail layers — with ξ the
eigenvector of the larger eigenvalue of their 2×2 covariance, weights
K_i = ξ_i / (ξ_1 + ξ_2) (:func:`kl_weights`); base rule: mean. Then

    F = (B_A + B_B)/2 + K_A·D_A + K_B·D_B.

Parameters (the authors' code): ``iterations`` T = 10, ``dt`` Δt = 0.15, ``kappa`` κ = 30.
Colour: ``per-channel`` — as VIFB's wrapper, each visible channel is fused with the
(grey) infrared image, with its own KL weights.

    >>> import numpy as np, methods
    >>> a = np.random.default_rng(0).random((24, 30)) * 255
    >>> bool(np.allclose(methods.get_method("adf").fuse(a, a).image, a))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import per_channel
from methods.base import FusionMethod, FusionResult, register_method

#: (row, column) offsets of the 8 neighbours, in the order the authors sum them, with
#: their weight 1/d² (d = 1 for the 4 axial neighbours, √2 for the diagonals).
_NEIGHBOURS = (
    ((1, 0), 1.0), ((-1, 0), 1.0), ((0, -1), 1.0), ((0, 1), 1.0),
    ((-1, 1), 0.5), ((1, 1), 0.5), ((1, -1), 0.5), ((-1, -1), 0.5),
)


def anisotropic_diffusion(x: np.ndarray, iterations: int = 10, dt: float = 0.15,
                          kappa: float = 30.0) -> np.ndarray:
    """Perona–Malik diffusion of a grey image, 8 neighbours, zero outside the image.

        >>> float(anisotropic_diffusion(np.full((3, 3), 7.0), iterations=1)[1, 1])   # interior of a flat patch
        7.0
    """
    u = np.asarray(x, dtype=np.float64).copy()
    h, w = u.shape
    for _ in range(int(iterations)):
        p = np.pad(u, 1)
        flux = np.zeros_like(u)
        for (dr, dc), weight in _NEIGHBOURS:
            grad = p[1 + dr : 1 + dr + h, 1 + dc : 1 + dc + w] - u
            flux += weight * np.exp(-((grad / kappa) ** 2)) * grad
        u = u + dt * flux
    return u


def kl_weights(da: np.ndarray, db: np.ndarray) -> tuple[float, float]:
    """(K_A, K_B) = ξ / (ξ_1 + ξ_2), ξ the principal eigenvector of cov(D_A, D_B).

    Signs kept, as in the paper and the authors' code: where the two details are
    anti-correlated (common between infrared and visible details: VIFB's manCar,
    walking2, walkingnight, snow) ξ has components of opposite signs and one weight is
    negative, the other above 1 (:func:`methods.pca.pca_weights` takes |ξ| instead,
    which gave 27 dB instead of bit-identical results there). Flat details (zero
    covariance) or ξ_1 + ξ_2 = 0 give ½, ½.

        >>> x = np.arange(12.0)
        >>> [round(k, 3) for k in kl_weights(x, -0.5 * x)]   # anti-correlated: signed weights
        [2.0, -1.0]
    """
    cov = np.cov(np.stack([np.ravel(da), np.ravel(db)]))
    if not np.all(np.isfinite(cov)) or np.trace(cov) <= 1e-12:
        return 0.5, 0.5
    v = np.linalg.eigh(cov)[1][:, -1]
    total = v[0] + v[1]
    if abs(total) < 1e-12:
        return 0.5, 0.5
    return float(v[0] / total), float(v[1] / total)


def two_scale_kl_fuse(a: np.ndarray, b: np.ndarray, base_a: np.ndarray,
                      base_b: np.ndarray) -> np.ndarray:
    """F = mean of the bases + KL-weighted sum of the details D = source − base."""
    da, db = a - base_a, b - base_b
    ka, kb = kl_weights(da, db)
    return (ka * da + kb * db) + (0.5 * base_a + 0.5 * base_b)


@register_method
class ADF(FusionMethod):
    name = "adf"
    version = "1"
    kind = "classic"
    modalities = ("ir-visible",)
    colour = "per-channel"
    citation = (
        "D. P. Bavirisetti, R. Dhuli, Fusion of Infrared and Visible Sensor Images Based on "
        "Anisotropic Diffusion and Karhunen-Loeve Transform, IEEE Sensors Journal 16(1):203-209, 2016"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "ADF"}

    @dataclass
    class Params:
        iterations: int = 10
        dt: float = 0.15
        kappa: float = 30.0

    def run(self, a, b, params):
        def fuse(x, y):
            bx = anisotropic_diffusion(x, params.iterations, params.dt, params.kappa)
            by = anisotropic_diffusion(y, params.iterations, params.dt, params.kappa)
            return two_scale_kl_fuse(x, y, bx, by)

        return FusionResult(image=per_channel(fuse, a, b))
