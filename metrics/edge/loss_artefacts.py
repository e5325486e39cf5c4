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
from metrics import _numba
from metrics.base import Convention, register_metric
from metrics.features import memo, shared

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
    for g in (gx, gy):  # in place on sobel's fresh arrays: (0 − g) / 8, zeros stay positive
        np.subtract(0.0, g, out=g)
        g /= 8.0
    return gx, gy


def _edges(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Strength g and orientation α of one image (once per scoring session)."""
    gv, gh = mirror_gradients(x)
    g = np.multiply(gh, gh)
    g += np.multiply(gv, gv)
    np.sqrt(g, out=g)
    vertical = gh == 0  # gh = (0 − gy)/8 is +0 there, so gv/gh = ±inf and α = ±π/2 (sign of gv)
    alpha = np.divide(gv, gh, out=np.zeros_like(gv), where=~vertical)  # arctan is slow on ±inf
    np.arctan(alpha, out=alpha)
    np.copyto(alpha, np.copysign(np.pi / 2, gv), where=vertical & (gv != 0))  # flat: α = 0
    return g, alpha


def _weight(g: np.ndarray) -> np.ndarray:
    """w = g^1.5 where g ≥ 2, else 0.001 (sources only; pow only where needed)."""
    w = np.full_like(g, _WT_MIN)
    return np.power(g, _LG, out=w, where=g >= _TD)


def _sigmoid(t: np.ndarray, gamma: float, k: float, s: float) -> np.ndarray:
    """In place: t <- gamma / (1 + exp(−k (t − s)))."""
    t -= s
    t *= -k
    np.exp(t, out=t)
    t += 1.0
    return np.divide(gamma, t, out=t)


def _preservation(g_x, a_x, g_f, a_f) -> np.ndarray:
    """Edge preservation Q^XF = sqrt(Q_g · Q_α) per pixel (a new array)."""
    rel_g = np.minimum(g_x, g_f)
    hi = np.maximum(g_x, g_f)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(rel_g, hi, out=rel_g)
    np.copyto(rel_g, 0.0, where=hi == 0)  # lo/hi is already 0 where only one of them is 0
    q = _sigmoid(rel_g, _GAMMA_G, _K_G, _SIGMA_G)
    rel_a = np.subtract(a_x, a_f, out=hi)
    np.abs(rel_a, out=rel_a)
    rel_a -= np.pi / 2
    np.abs(rel_a, out=rel_a)
    rel_a *= 2.0 / np.pi
    q *= _sigmoid(rel_a, _GAMMA_A, _K_A, _SIGMA_A)
    return np.sqrt(q, out=q)


def _objective_performance(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> ObjectivePerformance:
    if _numba.enabled() and min(f.shape) >= 3:
        from metrics.edge import _kernels

        if shared(a, b):  # a pair's sources, scored with several fused images: keep their maps
            maps = memo(_mirror_maps, a) + memo(_mirror_maps, b)
            w_sum, s_qa, s_qb, s_np, s_l, s_n = _kernels.objective_sums_maps(*maps, f)
        else:
            w_sum, s_qa, s_qb, s_np, s_l, s_n = _kernels.objective_sums(a, b, f)
        q = s_qa / w_sum
        q = q + s_qb / w_sum
        return ObjectivePerformance(float(q), float(s_l / w_sum), float(s_n / w_sum), float(s_np / w_sum))
    return objective_performance_numpy(a, b, f)


def _mirror_maps(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One image's flat (g, α, w) maps as the kernel computes them (kept for a pair's sources)."""
    from metrics.edge import _kernels

    return _kernels.mirror_edges_map(x)


def objective_performance_numpy(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> ObjectivePerformance:
    """:func:`objective_performance` in numpy (the fused kernel's oracle; numba off)."""
    (g_a, a_a), (g_b, a_b), (g_f, a_f) = (memo(_edges, x) for x in (a, b, f))
    w_a, w_b = memo(_weight, g_a), memo(_weight, g_b)
    q_af = _preservation(g_a, a_a, g_f, a_f)
    q_bf = _preservation(g_b, a_b, g_f, a_f)
    w_ab = np.add(w_a, w_b)
    w_sum = np.sum(w_ab)
    t = np.multiply(q_af, w_a)
    q = np.sum(t) / w_sum
    np.multiply(q_bf, w_b, out=t)
    q = q + np.sum(t) / w_sum
    added = (g_f > g_a) & (g_f > g_b)  # complement of "g_F ≤ g_A or g_F ≤ g_B"
    kept = ~added
    artefact = np.subtract(2.0, q_af, out=t)  # (2 − Q^AF − Q^BF)(w_A + w_B) where added
    artefact -= q_bf
    artefact *= w_ab
    np.copyto(artefact, 0.0, where=kept)
    n_p = np.sum(artefact) / w_sum
    lost = np.subtract(1.0, q_af, out=q_af)  # (1 − Q^AF) w_A + (1 − Q^BF) w_B
    lost *= w_a
    np.subtract(1.0, q_bf, out=q_bf)
    q_bf *= w_b
    lost += q_bf
    np.copyto(w_ab, lost)
    np.copyto(w_ab, 0.0, where=added)
    l_ = np.sum(w_ab) / w_sum
    np.copyto(lost, 0.0, where=kept)
    n = np.sum(lost) / w_sum
    return ObjectivePerformance(float(q), float(l_), float(n), float(n_p))


def objective_performance(a: np.ndarray, b: np.ndarray, f: np.ndarray) -> ObjectivePerformance:
    """Q^AB/F, L^AB/F, N^AB/F (Kumar) and N^AB/F (Petrovic) of single-channel images.

    One Sobel pass per image; inside a scoring session
    (:mod:`metrics.features`) each image's edges are computed once and the
    four numbers once per triple, however many of the four metrics are asked for.
    """
    return memo(_objective_performance, a, b, f)


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
