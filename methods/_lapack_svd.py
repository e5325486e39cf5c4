"""Singular vectors with the signs LAPACK 3.9's ``dgesdd`` gives them (what MATLAB's ``svd`` returned).

Singular vectors are unique only up to sign. Methods that *average* the
singular vectors of two images (Naidu's MSVD fusion averages U_A and U_B)
therefore depend on the signs the library picked, and reproducing a published
MATLAB output means reproducing those signs. MATLAB of the MFIFB/VIFB era
(MKL 2018–2021, whose LAPACK layer follows reference LAPACK ≤ 3.9) computes
them with the divide-and-conquer driver on the tall matrix; for at most 25
columns that driver reduces to

1. Householder QR of the tall M×N matrix (when M ≥ 11N/6), X = Q R;
2. Householder bidiagonalisation of R, R = Q_B B P_Bᵀ (Golub & Kahan 1965);
3. implicit-shift / zero-shift QR sweeps on the bidiagonal B (Demmel & Kahan,
   "Accurate singular values of bidiagonal matrices", SIAM J. Sci. Stat.
   Comput. 11(5), 1990), with Givens rotations in the pre-3.10 convention
   (``c ≥ 0`` when ``|f| > |g|``, otherwise ``r > 0``), then negative singular
   values made positive by negating the right vector and the values sorted.

The right singular vectors are V = P_B V_B. Every choice that fixes a sign is
made here as in that driver: the Householder convention β = −sign(α)‖x‖ (no
reflection when x = 0), the sweep direction (towards the smaller end
diagonal), the zero-shift test, the deflation tests and the 2×2 kernel. The
newer convention (LAPACK ≥ 3.10, today's OpenBLAS and MKL, numpy and scipy)
returns other signs for the same matrix, so numpy's SVD cannot stand in.

Checked against reference LAPACK 3.9 (OpenBLAS 0.3.13) on random bidiagonals
and image block matrices (``tests/methods/test_lapack_svd.py``).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).random((50, 4))
    >>> s, v = right_singular_vectors(x)
    >>> bool(np.allclose(s, np.linalg.svd(x, compute_uv=False)))
    True
    >>> bool(np.allclose(np.abs(v), np.abs(np.linalg.svd(x)[2].T)))
    True
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["right_singular_vectors", "bidiagonalize", "bidiagonal_svd", "givens"]

_EPS = 2.0**-53  # unit roundoff (LAPACK's dlamch('Epsilon'))
_SAFE_MIN = float(np.finfo(float).tiny)
_MAX_ITER = 6


def givens(f: float, g: float) -> tuple[float, float, float]:
    """Rotation (c, s, r) with [c s; −s c]·[f; g] = [r; 0], pre-3.10 LAPACK signs.

    ``c ≥ 0`` when ``|f| > |g|``; otherwise ``r ≥ 0``. ``g = 0`` gives (1, 0, f),
    ``f = 0`` gives (0, 1, g).

        >>> givens(-1.0, 2.0)[2] > 0, givens(-2.0, 1.0)[0] > 0
        (True, True)
    """
    if g == 0.0:
        return 1.0, 0.0, f
    if f == 0.0:
        return 0.0, 1.0, g
    big = max(abs(f), abs(g))
    r = math.sqrt(f * f + g * g) if 1e-150 < big < 1e150 else math.hypot(f, g)
    c, s = f / r, g / r
    if abs(f) > abs(g) and c < 0.0:
        c, s, r = -c, -s, -r
    return c, s, r


def _singular_values_2x2(f: float, g: float, h: float) -> tuple[float, float]:
    """(σ_min, σ_max) of the upper-triangular [[f, g], [0, h]], overflow-safe."""
    fa, ga, ha = abs(f), abs(g), abs(h)
    lo, hi = min(fa, ha), max(fa, ha)
    if lo == 0.0:
        if hi == 0.0:
            return 0.0, ga
        big, small = max(hi, ga), min(hi, ga)
        return 0.0, big * math.sqrt(1.0 + (small / big) ** 2)
    if ga < hi:
        a_s = 1.0 + lo / hi
        a_t = (hi - lo) / hi
        a_u = (ga / hi) ** 2
        c = 2.0 / (math.sqrt(a_s * a_s + a_u) + math.sqrt(a_t * a_t + a_u))
        return lo * c, hi / c
    a_u = hi / ga
    if a_u == 0.0:
        return (lo * hi) / ga, ga
    a_s = 1.0 + lo / hi
    a_t = (hi - lo) / hi
    c = 1.0 / (math.sqrt(1.0 + (a_s * a_u) ** 2) + math.sqrt(1.0 + (a_t * a_u) ** 2))
    smin = 2.0 * (lo * c) * a_u
    return smin, ga / (c + c)


def _sign(a: float, b: float) -> float:
    """|a| with the sign of b (Fortran SIGN; −0 counts as positive)."""
    return abs(a) if b >= 0.0 else -abs(a)


def _svd_2x2(f: float, g: float, h: float) -> tuple[float, float, float, float, float, float]:
    """Signed SVD of [[f, g], [0, h]]: (σ_min, σ_max, sin_r, cos_r, sin_l, cos_l).

    [cl sl; −sl cl]·[[f, g], [0, h]]·[cr −sr; sr cr] = diag(σ_max, σ_min); the
    signs of σ_max and σ_min are whatever makes that identity hold for the
    rotations chosen (Demmel & Kahan 1990, the 2×2 kernel).
    """
    ft, fa, ht, ha = f, abs(f), h, abs(h)
    pmax = 1
    swap = ha > fa
    if swap:
        pmax = 3
        ft, ht = ht, ft
        fa, ha = ha, fa
    gt, ga = g, abs(g)
    if ga == 0.0:
        smin, smax = ha, fa
        clt, crt, slt, srt = 1.0, 1.0, 0.0, 0.0
    else:
        small_g = True
        if ga > fa:
            pmax = 2
            if fa / ga < _EPS:
                small_g = False
                smax = ga
                smin = fa / (ga / ha) if ha > 1.0 else (fa / ga) * ha
                clt, slt = 1.0, ht / gt
                srt, crt = 1.0, ft / gt
        if small_g:
            d = fa - ha
            el = 1.0 if d == fa else d / fa
            m = gt / ft
            t = 2.0 - el
            mm, tt = m * m, t * t
            s = math.sqrt(tt + mm)
            r = abs(m) if el == 0.0 else math.sqrt(el * el + mm)
            a = 0.5 * (s + r)
            smin, smax = ha / a, fa * a
            if mm == 0.0:
                t = _sign(2.0, ft) * _sign(1.0, gt) if el == 0.0 else gt / _sign(d, ft) + m / t
            else:
                t = (m / (s + t) + m / (r + el)) * (1.0 + a)
            el = math.sqrt(t * t + 4.0)
            crt, srt = 2.0 / el, t / el
            clt = (crt + srt * m) / a
            slt = (ht / ft) * srt / a
    if swap:
        csl, snl, csr, snr = srt, crt, slt, clt
    else:
        csl, snl, csr, snr = clt, slt, crt, srt
    if pmax == 1:
        tsign = _sign(1.0, csr) * _sign(1.0, csl) * _sign(1.0, f)
    elif pmax == 2:
        tsign = _sign(1.0, snr) * _sign(1.0, csl) * _sign(1.0, g)
    else:
        tsign = _sign(1.0, snr) * _sign(1.0, snl) * _sign(1.0, h)
    smax = _sign(smax, tsign)
    smin = _sign(smin, tsign * _sign(1.0, f) * _sign(1.0, h))
    return smin, smax, snr, csr, snl, csl


def _rotate_rows(vt: np.ndarray, first: int, cs: list, sn: list, forward: bool) -> None:
    """Apply plane rotations k = 0.. to row pairs (first+k, first+k+1) of ``vt`` in place."""
    order = range(len(cs)) if forward else range(len(cs) - 1, -1, -1)
    for k in order:
        c, s = cs[k], sn[k]
        if c == 1.0 and s == 0.0:
            continue
        i, j = first + k, first + k + 1
        lower = vt[j].copy()
        vt[j] = c * lower - s * vt[i]
        vt[i] = s * lower + c * vt[i]


def bidiagonal_svd(d, e) -> tuple[np.ndarray, np.ndarray]:
    """SVD of the upper bidiagonal B (diagonal ``d``, superdiagonal ``e``): (σ, Vᵀ).

    σ descending and non-negative; B = U diag(σ) Vᵀ with Vᵀ's signs as
    LAPACK ≤ 3.9 returns them (see the module docstring).
    """
    d = [float(x) for x in d]
    e = [float(x) for x in e] + [0.0]
    n = len(d)
    vt = np.eye(n)
    if n > 1:
        _qr_sweeps(d, e, vt)
    for i in range(n):  # make the singular values positive
        if d[i] < 0.0:
            d[i] = -d[i]
            vt[i] = -vt[i]
    for i in range(n - 1):  # selection sort into decreasing order
        last = n - 1 - i
        sub = 0
        smin = d[0]
        for j in range(1, last + 1):
            if d[j] <= smin:
                sub, smin = j, d[j]
        if sub != last:
            d[sub], d[last] = d[last], smin
            vt[[sub, last]] = vt[[last, sub]]
    return np.array(d), vt


def _qr_sweeps(d: list, e: list, vt: np.ndarray) -> None:
    """Demmel–Kahan QR iteration on (d, e) in place, rotating the rows of ``vt``."""
    n = len(d)
    tol = max(10.0, min(100.0, _EPS ** (-0.125))) * _EPS
    # relative-accuracy threshold: estimate of the smallest singular value
    smin_est = abs(d[0])
    if smin_est != 0.0:
        mu = smin_est
        for i in range(1, n):
            mu = abs(d[i]) * (mu / (mu + abs(e[i - 1])))
            smin_est = min(smin_est, mu)
            if smin_est == 0.0:
                break
    smin_est /= math.sqrt(n)
    thresh = max(tol * smin_est, _MAX_ITER * n * n * _SAFE_MIN)
    max_iter = _MAX_ITER * n * n
    iters = 0
    old_ll, old_m = -1, -1
    idir = 0
    m = n - 1  # 0-based index of the bottom of the active block
    while m > 0:
        if iters > max_iter:
            raise np.linalg.LinAlgError("bidiagonal SVD did not converge")
        # find the active block [ll, m]: the diagonal-dominant split from the bottom
        smax = abs(d[m])
        split = False
        for ll in range(m - 1, -1, -1):
            abss, abse = abs(d[ll]), abs(e[ll])
            if abse <= thresh:
                e[ll] = 0.0
                split = True
                break
            smax = max(smax, abss, abse)
        if split:
            if ll == m - 1:
                m -= 1
                continue
            ll += 1
        else:
            ll = 0
        if ll == m - 1:  # 2x2 block: solve directly
            smin2, smax2, sinr, cosr, _, _ = _svd_2x2(d[m - 1], e[m - 1], d[m])
            d[m - 1], e[m - 1], d[m] = smax2, 0.0, smin2
            upper = vt[m - 1].copy()
            vt[m - 1] = cosr * upper + sinr * vt[m]
            vt[m] = cosr * vt[m] - sinr * upper
            m -= 2
            continue
        if ll > old_m or m < old_ll:  # a new block: chase towards the smaller end
            idir = 1 if abs(d[ll]) >= abs(d[m]) else 2
        # the end towards which the sweep chases: its off-diagonal e[end] and
        # diagonal d[end_d]; the walk starts at the other end of the block
        if idir == 1:
            end, end_d, start = m - 1, m, ll
            walk = [(k, k + 1) for k in range(ll, m)]
        else:
            end, end_d, start = ll, ll, m
            walk = [(k, k) for k in range(m - 1, ll - 1, -1)]
        if abs(e[end]) <= tol * abs(d[end_d]):
            e[end] = 0.0
            continue
        smin_l = _split_or_smallest(d, e, start, walk, tol)
        if smin_l is None:
            continue
        old_ll, old_m = ll, m
        # shift: zero when it would not improve relative accuracy
        if n * tol * (smin_l / smax) <= max(_EPS, 0.01 * tol):
            shift = 0.0
        else:  # smaller singular value of the 2x2 block at the chased end
            shift, _ = _singular_values_2x2(d[end], e[end], d[end + 1])
            sll = abs(d[start])
            if sll > 0.0 and (shift / sll) ** 2 < _EPS:
                shift = 0.0
        iters += m - ll
        if shift == 0.0:
            _zero_shift_sweep(d, e, vt, ll, m, idir)
        else:
            _shifted_sweep(d, e, vt, ll, m, idir, shift)
        if abs(e[end]) <= thresh:
            e[end] = 0.0


def _split_or_smallest(d, e, start, walk, tol):
    """Walk a block from d[start]: zero the first negligible e[k] and return None,
    else return the running estimate of its smallest singular value.

    ``walk`` lists (k, j): the off-diagonal e[k] crossed, then the diagonal d[j] reached.
    """
    mu = abs(d[start])
    smallest = mu
    for k, j in walk:
        if abs(e[k]) <= tol * mu:
            e[k] = 0.0
            return None
        mu = abs(d[j]) * (mu / (mu + abs(e[k])))
        smallest = min(smallest, mu)
    return smallest


def _zero_shift_sweep(d, e, vt, ll, m, idir):
    """One implicit zero-shift QR sweep on the block [ll, m] (Demmel & Kahan 1990)."""
    cs, old_cs, old_sn = 1.0, 1.0, 0.0
    cos_list, sin_list = [], []  # the rotations applied to the rows of vt
    if idir == 1:
        for i in range(ll, m):
            cs, sn, r = givens(d[i] * cs, e[i])
            if i > ll:
                e[i - 1] = old_sn * r
            old_cs, old_sn, d[i] = givens(old_cs * r, d[i + 1] * sn)
            cos_list.append(cs)
            sin_list.append(sn)
        h = d[m] * cs
        d[m] = h * old_cs
        e[m - 1] = h * old_sn
        _rotate_rows(vt, ll, cos_list, sin_list, forward=True)
    else:
        for i in range(m, ll, -1):
            cs, sn, r = givens(d[i] * cs, e[i - 1])
            if i < m:
                e[i] = old_sn * r
            old_cs, old_sn, d[i] = givens(old_cs * r, d[i - 1] * sn)
            cos_list.append(old_cs)
            sin_list.append(-old_sn)
        h = d[ll] * cs
        d[ll] = h * old_cs
        e[ll] = h * old_sn
        # rotations were generated bottom-up; row pair k is (ll+k, ll+k+1)
        _rotate_rows(vt, ll, cos_list[::-1], sin_list[::-1], forward=False)


def _shifted_sweep(d, e, vt, ll, m, idir, shift):
    """One implicit shifted QR sweep (Golub–Kahan chase) on the block [ll, m]."""
    cos_list, sin_list = [], []  # the rotations applied to the rows of vt
    if idir == 1:
        f = (abs(d[ll]) - shift) * (_sign(1.0, d[ll]) + shift / d[ll])
        g = e[ll]
        for i in range(ll, m):
            cosr, sinr, r = givens(f, g)
            if i > ll:
                e[i - 1] = r
            f = cosr * d[i] + sinr * e[i]
            e[i] = cosr * e[i] - sinr * d[i]
            g = sinr * d[i + 1]
            d[i + 1] = cosr * d[i + 1]
            cosl, sinl, r = givens(f, g)
            d[i] = r
            f = cosl * e[i] + sinl * d[i + 1]
            d[i + 1] = cosl * d[i + 1] - sinl * e[i]
            if i < m - 1:
                g = sinl * e[i + 1]
                e[i + 1] = cosl * e[i + 1]
            cos_list.append(cosr)
            sin_list.append(sinr)
        e[m - 1] = f
        _rotate_rows(vt, ll, cos_list, sin_list, forward=True)
    else:
        f = (abs(d[m]) - shift) * (_sign(1.0, d[m]) + shift / d[m])
        g = e[m - 1]
        for i in range(m, ll, -1):
            cosr, sinr, r = givens(f, g)
            if i < m:
                e[i] = r
            f = cosr * d[i] + sinr * e[i - 1]
            e[i - 1] = cosr * e[i - 1] - sinr * d[i]
            g = sinr * d[i - 1]
            d[i - 1] = cosr * d[i - 1]
            cosl, sinl, r = givens(f, g)
            d[i] = r
            f = cosl * e[i - 1] + sinl * d[i - 1]
            d[i - 1] = cosl * d[i - 1] - sinl * e[i - 1]
            if i > ll + 1:
                g = sinl * e[i - 2]
                e[i - 2] = cosl * e[i - 2]
            cos_list.append(cosl)
            sin_list.append(-sinl)
        e[ll] = f
        _rotate_rows(vt, ll, cos_list[::-1], sin_list[::-1], forward=False)


def _householder(alpha: float, x: np.ndarray) -> tuple[float, float, np.ndarray]:
    """Reflector H = I − τ·[1; v][1; v]ᵀ with H·[α; x] = [β; 0], β = −sign(α)‖[α; x]‖."""
    xnorm = float(np.linalg.norm(x))
    if xnorm == 0.0:
        return alpha, 0.0, np.zeros_like(x)
    beta = -math.copysign(math.hypot(alpha, xnorm), alpha)
    return beta, (beta - alpha) / beta, x / (alpha - beta)


def bidiagonalize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Golub–Kahan Householder bidiagonalisation of an M×N matrix (M ≥ N).

    Returns (d, e, P) with A = Q·B·Pᵀ, B upper bidiagonal (diagonal d,
    superdiagonal e); Q is not formed.
    """
    a = np.array(a, dtype=np.float64)
    rows, cols = a.shape
    d, e = np.zeros(cols), np.zeros(max(cols - 1, 0))
    p = np.eye(cols)
    for i in range(cols):
        beta, tau, v = _householder(a[i, i], a[i + 1 :, i])
        d[i] = beta
        if tau != 0.0:
            w = np.concatenate(([1.0], v))
            a[i:, i + 1 :] -= tau * np.outer(w, w @ a[i:, i + 1 :])
        if i < cols - 1:
            beta, tau, v = _householder(a[i, i + 1], a[i, i + 2 :])
            e[i] = beta
            if tau != 0.0:
                w = np.concatenate(([1.0], v))
                a[i + 1 :, i + 1 :] -= tau * np.outer(a[i + 1 :, i + 1 :] @ w, w)
                p[:, i + 1 :] -= tau * np.outer(p[:, i + 1 :] @ w, w)
    return d, e, p


def right_singular_vectors(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(σ, V) of a tall M×N matrix X (M ≥ N, N small) with LAPACK-3.9 ``dgesdd`` signs.

    X = U·diag(σ)·Vᵀ; column k of V is the k-th right singular vector. For a
    wide matrix A, the *left* singular vectors MATLAB returned are
    ``right_singular_vectors(A.T)[1]``.
    """
    x = np.asarray(x, dtype=np.float64)
    rows, cols = x.shape
    if rows < cols:
        raise ValueError(f"right_singular_vectors needs a tall matrix, got {rows}x{cols}")
    r = np.linalg.qr(x, mode="r") if rows >= (cols * 11) // 6 else x
    d, e, p = bidiagonalize(r)
    s, vt = bidiagonal_svd(d, e)
    return s, p @ vt.T
