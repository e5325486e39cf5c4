"""Q^AB/F: edge information transfer (Xydeas & Petrović, 2000).

Sobel responses with zero padding ('same' size, 2-D convolution)::

    sx = I * [[-1,0,1],[-2,0,2],[-1,0,1]],   sy = I * [[1,2,1],[0,0,0],[-1,-2,-1]]
    g = sqrt(sx² + sy²),   α = atan(sy/sx)  (α = π/2 where sx = 0)

For X in {A, B}: relative strength G = gF/gX if gX > gF else gX/gF (G = 1
where gX = gF, including both zero), relative orientation
Δ = 1 − |αX − αF|/(π/2), and

    Q_g = 0.9994 / (1 + exp(−15 (G − 0.5))),   Q_α = 0.9879 / (1 + exp(−22 (Δ − 0.8)))
    Q^XF = Q_g · Q_α,    Q^AB/F = Σ(Q^AF gA + Q^BF gB) / Σ(gA + gB)

Higher is better; the analytic maximum (F = A = B) is
0.9994/(1+e^−7.5) · 0.9879/(1+e^−4.4) ≈ 0.97479 (``QABF_MAX``).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0, 255, (32, 32))
    >>> bool(round(qabf_map_value(x, x, x), 4) == round(QABF_MAX, 4))
    True

Conventions ``vifb`` / ``mefb`` reproduce VIFB's/MEFB's ``metricsQabf.m``:
per RGB channel then the mean, and where gX == gF the code sets G = gF (the
gradient value itself, on images scaled ×255) instead of 1. That quirk only
matters where gradients coincide (flat regions have weight 0 anyway).
"""

from __future__ import annotations

import numpy as np

from bench.matlab import sobel
from metrics import _numba
from metrics.base import Convention, register_metric
from metrics.features import memo, shared

TG, KG, DG = 0.9994, 15.0, 0.5
TA, KA, DA = 0.9879, 22.0, 0.8
QABF_MAX = TG / (1.0 + np.exp(-KG * (1.0 - DG))) * TA / (1.0 + np.exp(-KA * (1.0 - DA)))


def strength_orientation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edge strength g and orientation α of a single-channel image (Sobel, zero padding).

    The module's sx, sy are convolutions: sx = MATLAB's gx, sy = 0 − gy
    (:func:`bench.matlab.sobel`). Computed in place on the Sobel outputs (the
    same operations in the same order as the formula, so the same bits).

    >>> g, a = strength_orientation(np.zeros((4, 4)))
    >>> float(g.max()), float(a.max())
    (0.0, 1.5707963267948966)
    """
    sx, sy = sobel(x, "zero")
    np.subtract(0.0, sy, out=sy)  # sy = 0 − gy keeps zeros positive, as the convolution gives them
    g = np.multiply(sx, sx)
    g += np.multiply(sy, sy)
    np.sqrt(g, out=g)
    zero = sx == 0
    alpha = np.divide(sy, sx, out=np.zeros_like(sy), where=~zero)  # arctan is slow on ±inf, NaN
    np.arctan(alpha, out=alpha)
    np.copyto(alpha, np.pi / 2, where=zero)
    return g, alpha


def _sigmoid(t: np.ndarray, gamma: float, k: float, d: float) -> np.ndarray:
    """In place: t <- gamma / (1 + exp(−k (t − d)))."""
    t -= d
    t *= -k
    np.exp(t, out=t)
    t += 1.0
    return np.divide(gamma, t, out=t)


def _preservation(gx, ax, gf, af, equal_rule: str) -> np.ndarray:
    """Edge preservation Q^XF = Q_g · Q_α per pixel (a new array)."""
    ratio = np.ones_like(gx)
    np.divide(gf, gx, out=ratio, where=gx > gf)
    np.divide(gx, gf, out=ratio, where=gx < gf)
    if equal_rule == "vifb":
        np.copyto(ratio, gf, where=gx == gf)
    qg = _sigmoid(ratio, TG, KG, DG)
    delta = np.subtract(ax, af)
    np.abs(delta, out=delta)
    delta /= np.pi / 2
    np.subtract(1.0, delta, out=delta)  # Δ = 1 − |αX − αF|/(π/2)
    qg *= _sigmoid(delta, TA, KA, DA)
    return qg


def qabf_map_value(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, equal_rule: str = "one") -> float:
    """Q^AB/F of single-channel images. ``equal_rule``: "one" (G = 1 where gX = gF) or "vifb".

    When both sources have no gradient at all, returns 0.0 (nothing to transfer).
    Runs as one fused compiled pass (:func:`metrics.edge._kernels.qabf_sums`,
    the same bits as :func:`qabf_numpy`, which runs when numba is off).
    """
    return _qabf_scaled(a, b, f, 1.0, equal_rule)


def _qabf_scaled(a, b, f, scale: float, equal_rule: str) -> float:
    if _numba.enabled() and min(f.shape) >= 3:
        from metrics.edge import _kernels

        if shared(a, b):  # a pair's sources, scored with several fused images: keep their maps
            (ga, aa), (gb, ab) = memo(_zero_maps, a, s=scale), memo(_zero_maps, b, s=scale)
            num, den = _kernels.qabf_sums_maps(ga, aa, gb, ab, f, scale, equal_rule == "vifb")
        else:
            num, den = _kernels.qabf_sums(a, b, f, scale, equal_rule == "vifb")
        return 0.0 if den == 0 else float(num / den)
    if scale != 1.0:
        a, b, f = memo(_times255, a), memo(_times255, b), memo(_times255, f)
    return qabf_numpy(a, b, f, equal_rule=equal_rule)


def _zero_maps(x: np.ndarray, s: float) -> tuple[np.ndarray, np.ndarray]:
    """One image's flat (g, α) maps as the kernel computes them (kept for a pair's sources)."""
    from metrics.edge import _kernels

    return _kernels.zero_edges_map(x, s)


def qabf_numpy(a: np.ndarray, b: np.ndarray, f: np.ndarray, *, equal_rule: str = "one") -> float:
    """:func:`qabf_map_value` in numpy (each image's Sobel maps once per scoring session)."""
    ga, aa = memo(strength_orientation, a)
    gb, ab = memo(strength_orientation, b)
    gf, af = memo(strength_orientation, f)
    den = float(np.sum(ga + gb))
    if den == 0:
        return 0.0
    qaf = _preservation(ga, aa, gf, af, equal_rule)
    qaf *= ga
    qbf = _preservation(gb, ab, gf, af, equal_rule)
    qbf *= gb
    qaf += qbf
    return float(np.sum(qaf) / den)


def _times255(x: np.ndarray) -> np.ndarray:
    return 255.0 * x


def _qabf_toolkit(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
    """VIFB/MEFB ``metricsQabf.m`` on one channel: inputs ×255, G = gF where gX = gF."""
    return _qabf_scaled(a, b, f, 255.0, "vifb")


qabf = register_metric(
    "qabf",
    latex=r"Q^{AB/F}",
    higher_is_better=True,
    description="share of the sources' Sobel edge strength and orientation transferred to F",
    citation="C. S. Xydeas, V. Petrović, Electronics Letters 36(4), 2000",
    conventions={
        "default": Convention(qabf_map_value, "luma", identity=QABF_MAX),
        "vifb": Convention(_qabf_toolkit, "vifb_channels"),
        "mefb": Convention(_qabf_toolkit, "mefb_channels"),
    },
    blur_worse=True,
)
