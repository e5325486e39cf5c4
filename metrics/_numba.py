"""What the compiled metric kernels share: the switch, the ``njit`` flags, numpy's pairwise sum.

The paper's five indices (and the metrics sharing their code) run as fused
numba kernels: one pass over the pixels computes every per-pixel quantity
on the fly and adds it into the sums, with no image-sized temporaries
(``metrics/edge/_kernels.py``, ``metrics/information/_kernels.py``,
``metrics/image/_kernels.py``). Their values are the numpy code's to the
bit: the same float64 operations in the same order per pixel, the same
libm (numba calls glibc's ``exp``/``atan``/``pow`` as numpy's float64
ufuncs do on this x86-64 build without AVX-512), and the sums added in
numpy's own pairwise order (:func:`pairwise_block` and the kernels'
recursion reproduce ``np.sum`` of a contiguous array exactly).

``FUSEBENCH_NUMBA=0`` (or numba missing) selects the numpy code, which the
tests keep as the oracle. Compiled code is cached on disk (``cache=True``):
next to the modules, or, when that directory is read-only, numba's
user-wide cache (``NUMBA_CACHE_DIR`` if set, else ``~/.cache/numba``-like).

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=1000)
    >>> if enabled():
    ...     assert pairwise_sum(x) == np.sum(x)
"""

from __future__ import annotations

import functools
import os

import numpy as np

#: numpy's PW_BLOCKSIZE: pairwise summation leaves hold at most this many terms.
PW_BLOCK = 128


@functools.cache
def _importable() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a dependency
        return False
    return True


def enabled() -> bool:
    """True when the compiled kernels are used (numba importable, ``FUSEBENCH_NUMBA`` not 0)."""
    return os.environ.get("FUSEBENCH_NUMBA", "1") != "0" and _importable()


def njit(fn=None, *, inline: bool = False):
    """``numba.njit(cache=True, nogil=True)`` (error model numpy: x/0 gives inf/nan as numpy);
    ``@njit(inline=True)``: a small helper inlined into its callers in numba's IR (``inline="always"``),
    so that a loop calling it still vectorises."""
    import numba

    opts = {"cache": True, "nogil": True, "error_model": "numpy"}
    if inline:
        opts["inline"] = "always"
    return numba.njit(**opts) if fn is None else numba.njit(**opts)(fn)


def _pairwise_block(v, lo, n):
    """numpy's pairwise-sum leaf: ``v[lo:lo+n]`` (n ≤ 128) added as ``np.sum`` adds them."""
    if n < 8:
        res = 0.0
        for i in range(n):
            res += v[lo + i]
        return res
    r0, r1, r2, r3 = v[lo], v[lo + 1], v[lo + 2], v[lo + 3]
    r4, r5, r6, r7 = v[lo + 4], v[lo + 5], v[lo + 6], v[lo + 7]
    m = n - n % 8
    i = 8
    while i < m:
        r0 += v[lo + i]
        r1 += v[lo + i + 1]
        r2 += v[lo + i + 2]
        r3 += v[lo + i + 3]
        r4 += v[lo + i + 4]
        r5 += v[lo + i + 5]
        r6 += v[lo + i + 6]
        r7 += v[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += v[lo + i]
        i += 1
    return res


def _plan(n):
    """numpy's pairwise tree over n terms, without recursion (numba's cache breaks recursion).

    Returns ``(starts, lengths, program)``: the leaves (≤ 128 terms each, left
    to right) and the tree in postfix: ``j ≥ 0`` pushes leaf j's sum, ``-1``
    adds the two sums on top (left + right), as ``np.sum`` of a contiguous
    array adds them.
    """
    cap = n // 32 + 2
    starts = np.empty(cap, np.int64)
    lengths = np.empty(cap, np.int64)
    program = np.empty(2 * cap, np.int64)
    s_lo = np.empty(256, np.int64)
    s_n = np.empty(256, np.int64)
    s_add = np.empty(256, np.bool_)
    sp = 0
    s_lo[0], s_n[0], s_add[0] = 0, n, False
    sp = 1
    nl = 0
    npg = 0
    while sp > 0:
        sp -= 1
        lo, m, add = s_lo[sp], s_n[sp], s_add[sp]
        if add:
            program[npg] = -1
            npg += 1
        elif m <= 128:
            starts[nl] = lo
            lengths[nl] = m
            program[npg] = nl
            nl += 1
            npg += 1
        else:
            m2 = m // 2
            m2 -= m2 % 8
            s_lo[sp], s_n[sp], s_add[sp] = lo, m, True
            s_lo[sp + 1], s_n[sp + 1], s_add[sp + 1] = lo + m2, m - m2, False
            s_lo[sp + 2], s_n[sp + 2], s_add[sp + 2] = lo, m2, False
            sp += 3
    return starts[:nl], lengths[:nl], program[:npg]


def _combine(sums, program):
    """Add the leaves' sums (L×k) along the postfix ``program``: the k totals."""
    k = sums.shape[1]
    stack = np.empty((128, k))
    sp = 0
    for op in program:
        if op >= 0:
            stack[sp, :] = sums[op, :]
            sp += 1
        else:
            sp -= 1
            for j in range(k):
                stack[sp - 1, j] = stack[sp - 1, j] + stack[sp, j]
    return stack[0, :].copy()


def _pairwise_sum(v):
    starts, lengths, program = plan(v.size)
    sums = np.empty((starts.size, 1))
    for j in range(starts.size):
        sums[j, 0] = pairwise_block(v, starts[j], lengths[j])
    return combine(sums, program)[0]


# -- exp and atan that the compiler vectorises (4 doubles per AVX2 instruction) -------------
# fdlibm's algorithms (e_exp.c, s_atan.c; Sun Microsystems, freely redistributable), with
# their branches as selects: both are within 1 ulp, like glibc's (numpy's float64 ufuncs
# call glibc's scalar functions here); on ~6 % (atan) / ~10 % (exp) of arguments the two
# round the last bit differently. sqrt is IEEE (exact rounding) everywhere.
_AT = (3.33333333333329318027e-01, -1.99999999998764832476e-01, 1.42857142725034663711e-01,
       -1.11111104054623557880e-01, 9.09088713343650656196e-02, -7.69187620504482999495e-02,
       6.66107313738753120669e-02, -5.83357013379057348645e-02, 4.97687799461593236017e-02,
       -3.65315727442169155270e-02, 1.62858201153657823623e-02)
_A0, _A1, _A2, _A3, _A4, _A5, _A6, _A7, _A8, _A9, _A10 = _AT
_H0, _H1, _H2, _H3 = (4.63647609000806093515e-01, 7.85398163397448278999e-01,
                      9.82793723247329054082e-01, 1.57079632679489655800e+00)
_L0, _L1, _L2, _L3 = (2.26987774529616870924e-17, 3.06161699786838301793e-17,
                      1.39033110312309984516e-17, 6.12323399573676603587e-17)
_P1, _P2, _P3 = 1.66666666666666019037e-01, -2.77777777770155933842e-03, 6.61375632143793436117e-05
_P4, _P5 = -1.65339022054652515390e-06, 4.13813679705723846039e-08
_LN2HI, _LN2LO, _INVLN2 = 6.93147180369123816490e-01, 1.90821492927058770002e-10, 1.44269504088896338700e+00
_SHIFT = 6755399441055744.0  # 1.5·2^52: x + _SHIFT − _SHIFT rounds x to an integer
_SHIFT_BITS = 0x4338000000000000


def _atan_buf(x, n):
    """In place: x[i] <- atan(x[i]) for i < n (fdlibm s_atan.c, vectorised)."""
    for i in range(n):
        v = x[i]
        ax = abs(v)
        small = ax < 0.4375
        c0 = ax < 0.6875
        c1 = ax < 1.1875
        c2 = ax < 2.4375
        num = ax if small else (2.0 * ax - 1.0 if c0 else (ax - 1.0 if c1 else (ax - 1.5 if c2 else -1.0)))
        den = 1.0 if small else (2.0 + ax if c0 else (ax + 1.0 if c1 else (1.0 + 1.5 * ax if c2 else ax)))
        hi = _H0 if c0 else (_H1 if c1 else (_H2 if c2 else _H3))
        lo = _L0 if c0 else (_L1 if c1 else (_L2 if c2 else _L3))
        t = num / den
        z = t * t
        w = z * z
        s1 = z * (_A0 + w * (_A2 + w * (_A4 + w * (_A6 + w * (_A8 + w * _A10)))))
        s2 = w * (_A1 + w * (_A3 + w * (_A5 + w * (_A7 + w * _A9))))
        r = t - t * (s1 + s2) if small else hi - ((t * (s1 + s2) - lo) - t)
        x[i] = -r if v < 0 else r


def _exp_buf(x, scale, n):
    """In place: x[i] <- exp(x[i]) for i < n, arguments clamped to ±700 (fdlibm e_exp.c).

    ``scale`` is a work buffer of ≥ n float64.
    """
    bits = scale.view(np.int64)
    for i in range(n):
        v = min(max(x[i], -700.0), 700.0)
        kf = v * _INVLN2 + _SHIFT
        scale[i] = kf
        t = kf - _SHIFT
        hi = v - t * _LN2HI
        lo = t * _LN2LO
        r = hi - lo
        z = r * r
        c = r - z * (_P1 + z * (_P2 + z * (_P3 + z * (_P4 + z * _P5))))
        x[i] = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi)
    for i in range(n):
        bits[i] = (bits[i] - _SHIFT_BITS + 1023) << 52
    for i in range(n):
        x[i] = x[i] * scale[i]


if _importable():
    atan_buf = njit(_atan_buf)
    exp_buf = njit(_exp_buf)
    pairwise_block = njit(_pairwise_block)
    plan = njit(_plan)
    combine = njit(_combine)
    _pairwise_jit = njit(_pairwise_sum)
else:  # pragma: no cover
    pairwise_block, plan, combine, _pairwise_jit = _pairwise_block, _plan, _combine, _pairwise_sum
    atan_buf, exp_buf = _atan_buf, _exp_buf


def pairwise_sum(x: np.ndarray) -> float:
    """``np.sum`` of a float64 array, in numpy's order (what the kernels' sums are checked against)."""
    v = np.ascontiguousarray(x, dtype=np.float64).ravel()
    if v.size == 0:
        return 0.0
    return float(_pairwise_jit(v))
