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


def njit(fn):
    """``numba.njit(cache=True, nogil=True)`` (error model numpy: x/0 gives inf/nan as numpy)."""
    import numba

    return numba.njit(cache=True, nogil=True, error_model="numpy")(fn)


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


if _importable():
    pairwise_block = njit(_pairwise_block)
    plan = njit(_plan)
    combine = njit(_combine)
    _pairwise_jit = njit(_pairwise_sum)
else:  # pragma: no cover
    pairwise_block, plan, combine, _pairwise_jit = _pairwise_block, _plan, _combine, _pairwise_sum


def pairwise_sum(x: np.ndarray) -> float:
    """``np.sum`` of a float64 array, in numpy's order (what the kernels' sums are checked against)."""
    v = np.ascontiguousarray(x, dtype=np.float64).ravel()
    if v.size == 0:
        return 0.0
    return float(_pairwise_jit(v))
