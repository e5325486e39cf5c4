"""Objective fusion performance (Petrovic & Xydeas 2005; Shreyamsha Kumar 2011).

One gradient-based analysis splits the edge information of the sources A, B
into what the fused image F transferred (Q^AB/F), lost (L^AB/F) and added
artificially (N^AB/F). All four metrics come from one vectorised pass,
:func:`objective_performance`, which returns the four numbers at once.

Per pixel, for X in {A, B} (Sobel kernels /8 on a mirror-extended image,
``gv`` = horizontal derivative, ``gh`` = vertical derivative):

    g_X = sqrt(gv² + gh²),  α_X = atan(gv / gh)  (0 where gv = gh = 0)
    G^XF = min(g_X, g_F) / max(g_X, g_F)          (0 where g_X = 0 or g_F = 0)
    A^XF = | |α_X − α_F| − π/2 | · 2/π
    Q^XF = sqrt( Γg / (1 + e^{−kg (G^XF − σg)}) · Γa / (1 + e^{−ka (A^XF − σa)}) )
    w_X  = g_X^1.5 if g_X ≥ Td = 2 else 0.001
    (Γg, kg, σg) = (0.9999, 19, 0.5),  (Γa, ka, σa) = (0.9995, 22, 0.5)

With W = Σ (w_A + w_B):

    Q^AB/F   = Σ (Q^AF w_A + Q^BF w_B) / W                      (``qabf-petrovic``)
    L^AB/F   = Σ r · ((1 − Q^AF) w_A + (1 − Q^BF) w_B) / W       (``qlabf``)
               r = 1 where g_F ≤ g_A or g_F ≤ g_B
    N^AB/F   = Σ n · ((1 − Q^AF) w_A + (1 − Q^BF) w_B) / W       (``qnabf``, Kumar)
               n = 1 − r  (g_F above both source gradients)
    N^AB/F_P = Σ n · (2 − Q^AF − Q^BF)(w_A + w_B) / W            (``qnabf-petrovic``)

Because r + n = 1 everywhere, Q^AB/F + L^AB/F + N^AB/F = 1 exactly.
Petrovic's original artefact term N_P double-counts and breaks that identity.

Conventions: ``default`` applies this to BT.601 luma (grey images as they
are); ``mefb`` scores each RGB channel and averages, grey sources with an
RGB-stored fused image using the fused red channel (MEFB's driver rule), as
Kumar's ``objective_fusion_perform_fn.m`` was run by the calibration driver.
For grey images both conventions agree.

References: V. Petrovic, C. Xydeas, "Objective image fusion performance
characterisation", ICCV 2005; B. K. Shreyamsha Kumar, "Image fusion based on
pixel significance using cross bilateral filter", SIViP 2013 (code 2011).

    >>> import numpy as np
    >>> x = np.tile(np.arange(16.0) * 10, (16, 1))
    >>> r = objective_performance(x, x, x)
    >>> round(r.q + r.l + r.n, 12)
    1.0
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from bench.matlab import sobel
from metrics.base import Convention, register_metric

# Kumar's / Petrovic's perceptual constants.
_TD = 2.0  # gradient threshold for the strength weight
_WT_MIN = 0.001  # weight of weak-gradient pixels
_LG = 1.5  # weight exponent L
_GAMMA_G, _K_G, _SIGMA_G = 0.9999, 19.0, 0.5
_GAMMA_A, _K_A, _SIGMA_A = 0.9995, 22.0, 0.5


class ObjectivePerformance(NamedTuple):
    """Q^AB/F (Petrovic/Kumar code), L^AB/F, Kumar's N^AB/F, Petrovic's N^AB/F."""

    q: float
    l: float
    n: float
    n_petrovic: float


def mirror_gradients(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sobel derivatives /8 of a 2-D image on its mirror extension (no edge repeat).

    Returns ``(gv, gh)``: ``gv`` responds to horizontal change (right − left),
    ``gh`` to vertical change (bottom − top), both 'same' size: −gx/8 and
    −gy/8 of :func:`bench.matlab.sobel` (separable form).
    """
    gx, gy = sobel(x, "mirror", separable=True)
    return (0.0 - gx) / 8.0, (0.0 - gy) / 8.0  # 0 − g: zeros stay positive


def _strength_orientation(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    gv, gh = mirror_gradients(x)
    g = np.sqrt(gh * gh + gv * gv)
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = np.arctan(gv / gh)  # ±π/2 where gh = 0 and gv ≠ 0
    alpha[(gv == 0) & (gh == 0)] = 0.0
    return g, alpha


def _preservation(g_x, a_x, g_f, a_f) -> np.ndarray:
    """Edge preservation Q^XF = sqrt(Q_g · Q_α) per pixel."""
    lo, hi = np.minimum(g_x, g_f), np.maximum(g_x, g_f)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_g = np.where((g_x == 0) | (g_f == 0), 0.0, lo / hi)
    rel_a = np.abs(np.abs(a_x - a_f) - np.pi / 2) * (2.0 / np.pi)
    q_g = _GAMMA_G / (1.0 + np.exp(-_K_G * (rel_g - _SIGMA_G)))
    q_a = _GAMMA_A / (1.0 + np.exp(-_K_A * (rel_a - _SIGMA_A)))
    return np.sqrt(q_g * q_a)


def objective_performance(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> ObjectivePerformance:
    """Q^AB/F, L^AB/F, N^AB/F (Kumar) and N^AB/F (Petrovic) of single-channel images.

    Pure and cache-free; one Sobel pass per image.
    """
    g_a, a_a = _strength_orientation(a)
    g_b, a_b = _strength_orientation(b)
    g_f, a_f = _strength_orientation(f)
    q_af = _preservation(g_a, a_a, g_f, a_f)
    q_bf = _preservation(g_b, a_b, g_f, a_f)
    w_a = np.where(g_a >= _TD, g_a**_LG, _WT_MIN)
    w_b = np.where(g_b >= _TD, g_b**_LG, _WT_MIN)
    w_sum = np.sum(w_a + w_b)
    q = np.sum(q_af * w_a) / w_sum + np.sum(q_bf * w_b) / w_sum
    lost = (1.0 - q_af) * w_a + (1.0 - q_bf) * w_b
    added = (g_f > g_a) & (g_f > g_b)  # complement of "g_F ≤ g_A or g_F ≤ g_B"
    l_ = np.sum(np.where(added, 0.0, lost)) / w_sum
    n = np.sum(np.where(added, lost, 0.0)) / w_sum
    n_p = np.sum(np.where(added, (2.0 - q_af - q_bf) * (w_a + w_b), 0.0)) / w_sum
    return ObjectivePerformance(float(q), float(l_), float(n), float(n_p))


def _field(name: str):
    """Single-channel function returning one field of :func:`objective_performance`."""

    def one(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> float:
        return getattr(objective_performance(a, b, f), name)

    one.__name__ = one.__qualname__ = f"objective_performance_{name}"
    return one


def _conventions(name: str, identity: float | None) -> dict:
    fn = _field(name)
    return {
        "default": Convention(fn, "luma", identity=identity),
        "mefb": Convention(fn, "mefb_channels", identity=identity),
    }


_CITE_PETROVIC = "V. Petrovic, C. Xydeas, Objective image fusion performance characterisation, ICCV 2005"
_CITE_KUMAR = (
    "B. K. Shreyamsha Kumar, Image fusion based on pixel significance using cross bilateral filter, "
    "SIViP 2013"
)
# At F = A = B, qabf-petrovic and qlabf depend on the image: flat pixels (g_X = 0) get G = 0.
qlabf = register_metric(
    "qlabf",
    latex=r"L^{AB/F}",
    higher_is_better=False,
    description="L^AB/F: fraction of the sources' edge information lost in F",
    citation=_CITE_PETROVIC,
    conventions=_conventions("l", None),
    blur_worse=True,
)
qnabf = register_metric(
    "qnabf",
    latex=r"N^{AB/F}",
    higher_is_better=False,
    description="N^AB/F (Kumar): edge artefacts added to F, so that Q + L + N = 1",
    citation=_CITE_KUMAR,
    conventions=_conventions("n", 0.0),
)
qnabf_petrovic = register_metric(
    "qnabf-petrovic",
    latex=r"N^{AB/F}_{P}",
    higher_is_better=False,
    description="N^AB/F (Petrovic's original): edge artefacts added to F",
    citation=_CITE_PETROVIC,
    conventions=_conventions("n_petrovic", 0.0),
)
qabf_petrovic = register_metric(
    "qabf-petrovic",
    latex=r"Q^{AB/F}_{P}",
    higher_is_better=True,
    description="Q^AB/F with Petrovic/Kumar constants and g^1.5 weights: edge information kept in F",
    citation=_CITE_PETROVIC,
    conventions=_conventions("q", None),
    blur_worse=True,
)
