"""``gtf``: gradient transfer fusion (Ma, Chen, Li, Huang 2016).

J. Ma, C. Chen, C. Li, J. Huang, "Infrared and visible image fusion via gradient transfer
and total variation minimization", Information Fusion 31 (2016) 100-109. With I the
infrared and V the visible image (0..1), the fused image X keeps I's intensities and V's
gradients:

    X = argmin_X ‖X − I‖₁ + λ ‖∇X − ∇V‖₁,   λ = 4.

With U = X − V this is ℓ1-TV denoising of S = I − V: U = argmin ‖U − S‖₁ + λ TV(U),
X = U + V. Colour images (as VIFB's ``run_GTF.m``, where I − V is H×W×3) use the vector
TV, |∇U| = √(Σ_c (D_x U_c)² + (D_y U_c)²), forward differences with a zero last
row/column.

Solver: iteratively reweighted norm (IRN; P. Rodríguez, B. Wohlberg, "Efficient
minimization method for a generalized total variation functional", IEEE TIP 18(2) 2009),
the NUMIPAD ``irntv`` settings VIFB uses: start U = S; 5 outer loops; at each, fidelity
weights W_F = √(½ max(|U − S|, ε_F)) (W_F = 2·√0.1 while U = S) and regularisation weights
W_R = 2 / √max(|∇U|², ε_R), with ε_F, ε_R the 5 % / 1 % points of a 1000-bin histogram
of |U − S| / |∇U|² (``adapt_epsF``, ``adapt_epsR``); then, by substitution U = W_F v,
conjugate gradients on

    (I + λ W_F Dₓᵀ W_R Dₓ W_F + λ W_F D_yᵀ W_R D_y W_F) v = S / W_F,

from the previous v, to a relative residual of (the current relative residual) / 5, with
MATLAB ``pcg``'s stopping rules (:func:`_cg`; in particular a tolerance ≥ 1 is clamped to
1 − eps, which decides the first solve on 11 of VIFB's 21 pairs); the loop ends early
when CG starts converged.

    >>> import numpy as np
    >>> vis = np.tile(np.linspace(40.0, 120.0, 24), (24, 1)); vis[8:16, 8:16] += 50.0
    >>> ir = vis + 30.0       # the infrared image has exactly the visible gradients
    >>> f = methods.get_method("gtf").fuse(vis, ir).image
    >>> bool(np.allclose(f, ir, atol=0.01))   # so X = I: both terms are zero
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

import methods  # noqa: F401  (doctest namespace)
from methods.base import FusionMethod, FusionResult, register_method

__all__ = ["GTF", "gtf_fuse", "irn_l1tv"]


def _dx(u: np.ndarray) -> np.ndarray:
    out = np.zeros_like(u)
    out[..., :, :-1] = u[..., :, 1:] - u[..., :, :-1]
    return out


def _dy(u: np.ndarray) -> np.ndarray:
    out = np.zeros_like(u)
    out[..., :-1, :] = u[..., 1:, :] - u[..., :-1, :]
    return out


def _dyt(v: np.ndarray) -> np.ndarray:
    """Transpose of :func:`_dy` (the last row of ``v`` is ignored, as Dy's is zero)."""
    out = np.empty_like(v)
    out[..., 0, :] = -v[..., 0, :]
    out[..., 1:-1, :] = v[..., :-2, :] - v[..., 1:-1, :]
    out[..., -1, :] = v[..., -2, :]
    return out


def _dxt(v: np.ndarray) -> np.ndarray:
    return np.swapaxes(_dyt(np.swapaxes(v, -1, -2)), -1, -2)


def _histogram_point(x: np.ndarray, share: float) -> tuple[np.ndarray, int]:
    """(centres, index): MATLAB ``hist`` of ``x`` on 1000 centres from min to max and the
    first centre index whose cumulative share exceeds ``share``."""
    lo, hi = float(x.min()), float(x.max())
    centres = lo + (hi - lo) / 999.0 * np.arange(1000)
    mids = centres[:-1] + np.diff(centres) / 2.0
    counts = np.bincount(np.searchsorted(mids, x.ravel(), side="right"), minlength=1000)
    cum = np.cumsum(counts)
    return centres, int(np.argmax(cum / cum[-1] > share))


def _fidelity_weights(r: np.ndarray, share: float) -> np.ndarray:
    a = np.abs(r)
    if a.max() == a.min():
        eps = float(a.max())
    else:
        centres, pos = _histogram_point(a, share)
        eps = centres[min(pos + 1, 999)]
    return np.sqrt(0.5) * np.sqrt(np.maximum(a, eps))


def _regularisation_weights(u: np.ndarray, share: float) -> np.ndarray:
    g = np.sum(_dx(u) ** 2 + _dy(u) ** 2, axis=0)
    if g.max() == g.min():
        eps = float(g.max()) or 1.0
    else:
        centres, pos = _histogram_point(g, share)
        eps = centres[pos] if centres[pos] > 0 else centres[min(pos + 1, 999)]
    return 2.0 / np.sqrt(np.maximum(g, eps))


def _dot(x: np.ndarray, y: np.ndarray) -> float:
    """Σ x·y with numpy's pairwise sum, not BLAS: the same bits whatever the thread count."""
    return float(np.sum(x * y))


def _norm(x: np.ndarray) -> float:
    return float(np.sqrt(_dot(x, x)))


def _cg(apply, b: np.ndarray, tol: float, maxit: int, x: np.ndarray) -> tuple[np.ndarray, int]:
    """Conjugate gradients with MATLAB ``pcg``'s rules (no preconditioner); returns
    (x, iterations), 0 when ``x`` already satisfies the tolerance.

    * the tolerance is clamped to [eps, 1 − eps]: ``pcg`` replaces a ``tol`` ≥ 1 by
      1 − eps (with a warning). IRN's first solve asks for (relative residual) / 5, which
      is ≥ 1 on 14 of VIFB's 21 pairs; without the clamp that solve stops 1–4 iterations
      early on 11 of them and the fused image ends about one grey level off;
    * stop when the recurrence residual is ≤ tol‖b‖ *and* the true residual ‖b − Ax‖ is;
      once the true one has failed, it is checked at every step, at most
      min(⌊n/50⌋, 5, n − maxit) times; stagnation (‖αp‖ < eps‖x‖ three steps running)
      also triggers the check;
    * not converged (or broken down): the iterate with the smallest residual.
    """
    eps = float(np.finfo(np.float64).eps)
    tol = min(max(tol, eps), 1.0 - eps)
    n = b.size
    nb = _norm(b)
    if nb == 0.0:
        return np.zeros_like(b), 0
    tolb = tol * nb
    r = b - apply(x)
    normr = normr_act = _norm(r)
    if normr <= tolb:
        return x, 0
    best, best_res, best_it = x, normr, 0
    rho, p, stag, more = 1.0, None, 0, 0
    max_more = min(n // 50, 5, n - maxit)
    converged, it = False, 0
    for it in range(1, maxit + 1):
        rho1, rho = rho, _dot(r, r)
        if rho == 0.0 or not np.isfinite(rho):
            break
        if p is None:
            p = r.copy()
        else:
            beta = rho / rho1
            if beta == 0.0 or not np.isfinite(beta):
                break
            p = r + beta * p
        q = apply(p)
        pq = _dot(p, q)
        if pq <= 0.0 or not np.isfinite(pq) or not np.isfinite(rho / pq):
            break
        alpha = rho / pq
        stag = stag + 1 if _norm(p) * abs(alpha) < eps * _norm(x) else 0
        x = x + alpha * p
        r = r - alpha * q
        normr = normr_act = _norm(r)
        if normr <= tolb or stag >= 3 or more:
            r = b - apply(x)
            normr_act = _norm(r)
            if normr_act <= tolb:
                converged = True
                break
            if stag >= 3 and more == 0:
                stag = 0
            more += 1
            if more >= max_more:
                break
        if normr_act < best_res:
            best, best_res, best_it = x, normr_act, it
        if stag >= 3:
            break
    if converged:
        return x, it
    if _norm(b - apply(best)) <= normr_act:
        return best, best_it
    return x, it


def irn_l1tv(s: np.ndarray, lam: float, loops: int = 5, eps_f_share: float = 0.05,
             eps_r_share: float = 0.01, rrs: float = 5.0, maxit: int = 500) -> np.ndarray:
    """ℓ1-(vector-)TV denoising of ``s`` (C×H×W) by IRN from U = S (see the module docstring)."""
    s = np.asarray(s, dtype=np.float64)
    u = s.copy()
    v = None
    for k in range(loops):
        if k == 0 and np.abs(u - s).sum() < 0.05 / (s.shape[-2] * s.shape[-1]):
            wf = np.full(s.shape, 2.0 * np.sqrt(0.1))
        else:
            wf = _fidelity_weights(u - s, eps_f_share)
        wr = _regularisation_weights(u, eps_r_share)

        lwf = lam * wf

        def apply(x, wf=wf, wr=wr, lwf=lwf):
            # NUMIPAD's order of operations, (x + λW_F·Dₓᵀ…) + λW_F·D_yᵀ…: the loose CG solves
            # amplify rounding, and this order is what makes carShadow bit-identical too
            y = wf * x
            return (x + lwf * _dxt(wr * _dx(y))) + lwf * _dyt(wr * _dy(y))

        b = s / wf
        v = u / wf
        relres = _norm(apply(v) - b) / _norm(b)
        v, its = _cg(apply, b, relres / rrs, maxit, v)
        u = wf * v
        if its == 0:
            break
    return u


def gtf_fuse(ir: np.ndarray, vis: np.ndarray, lam: float = 4.0, loops: int = 5) -> np.ndarray:
    """X = U + V with U the ℓ1-TV solution for I − V; images C×H×W (or H×W) on 0..1."""
    ir, vis = np.asarray(ir, dtype=np.float64), np.asarray(vis, dtype=np.float64)
    s = ir - vis
    flat = s.ndim == 2
    s3 = s[None] if flat else s
    if not np.any(s3):  # identical sources: U = 0
        return vis.copy()
    u = irn_l1tv(s3, lam, loops)
    return (u[0] if flat else u) + vis


@register_method
class GTF(FusionMethod):
    name = "gtf"
    version = "2"  # 2: MATLAB pcg tolerance clamp and stopping rules (bit-identical to VIFB)
    kind = "classic"
    modalities = ("ir-visible",)
    colour = "per-channel"  # I − V fused in RGB; the TV couples the channels (vector TV)
    citation = (
        "J. Ma, C. Chen, C. Li, J. Huang, Infrared and visible image fusion via gradient "
        "transfer and total variation minimization, Information Fusion 31 (2016) 100-109"
    )
    groups: ClassVar[tuple[str, ...]] = ("vifb-classic",)
    published_names: ClassVar[dict[str, str]] = {"vifb": "GTF"}

    @dataclass
    class Params:
        lam: float = 4.0  # λ, the weight of the gradient term (VIFB: 4)
        loops: int = 5  # IRN outer iterations

    def run(self, a: np.ndarray, b: np.ndarray, params) -> FusionResult:
        if a.ndim == 2:
            fused = gtf_fuse(b / 255.0, a / 255.0, params.lam, params.loops)
        else:
            fused = np.moveaxis(gtf_fuse(np.moveaxis(b, 2, 0) / 255.0, np.moveaxis(a, 2, 0) / 255.0,
                                         params.lam, params.loops), 0, 2)
        return FusionResult(image=np.clip(255.0 * fused, 0.0, 255.0))  # im2uint8 clips
