"""Sparse coding shared by the sparse-representation fusion methods.

:func:`omp_batch` — orthogonal matching pursuit (Pati et al. 1993) with an
error target, run on many signals at once ("Batch-OMP", Rubinstein, Zibulevsky
& Elad 2008, the algorithm of ompbox's ``omp2`` that the MATLAB releases of
ASR, LP-SR and friends call).

For each signal x (a column of ``x``) and unit-norm dictionary D (n × K), with
the Gram matrix G = DᵀD and the correlations c = Dᵀx:

1. pick the atom k = argmax |c − β| (β = G_I γ = Dᵀ(D_I γ); I: atoms chosen so far);
2. extend the Cholesky factor L of G_II by one row: w = L⁻¹G_Ik,
   L_kk = √(G_kk − ‖w‖²);
3. γ = (LLᵀ)⁻¹ c_I, the least-squares fit on the chosen atoms;
4. residual energy ‖x − D_I γ‖² = ‖x‖² − γᵀG_II γ, kept by the same
   increments as ompbox / scikit-learn (``err += δ_prev; δ = γᵀG_II γ; err −= δ``);
   stop when it is ≤ ``epsilon``, after ``max_atoms`` atoms, or when the
   next atom is already chosen, has |c_k − β_k|² below machine epsilon or is
   linearly dependent on the chosen ones (L_kk² ≤ machine epsilon) — the same
   early stops as scikit-learn's ``orthogonal_mp_gram``.

Signals with ‖x‖² ≤ ``epsilon`` get the zero code (ompbox's ``omp2`` does not
enter its loop for them).

All signals of a chunk advance together, so each step is a few batched numpy
operations instead of a Python-level OMP per signal. Steps 2–4 are carried in
the equivalent orthonormal-basis form: u_k = (d_k − Σ_j w_j u_j)/L_kk (the
columns of D_I L⁻ᵀ, w_j = u_j·d_k), z_k = u_k·x (= (L⁻¹c_I)_k),
D_I γ = Σ z_j u_j and γᵀG_II γ = ‖D_I γ‖²; γ itself is solved once, when the
signal stops, by a Cholesky solve on G_II. The arithmetic order therefore
differs from the per-signal LAPACK solves of ``methods.mstsr.omp_codes``
(scikit-learn): on real image patches the supports are identical and the
codes agree to ~1e-11 relative (< 1e-9 × ‖γ‖∞ is tested). A signal whose
residual lands within rounding of ``epsilon`` could take one atom more or
less than there; we have not seen it on image patches.

With numba (a dependency; ``FUSEBENCH_NUMBA=0`` turns it off) :func:`omp_batch` runs
the same algorithm compiled, one signal at a time and in atom space only (G and Dᵀx,
:func:`_omp_gram`): ~7× less CPU than the numpy code on the ASR workload
(docs/performance-sparse.md). The numpy code stays as the oracle: the two choose the
same atoms (argmax ties → the lowest index in both) and their codes differ by ~1e-11
relative (< 1e-9 tested, ``tests/methods/test_sparse_numba.py``).

    >>> import numpy as np
    >>> d = np.eye(4)
    >>> omp_batch(d, np.array([[3.0, 0.0], [0.0, 0.01], [-1.0, 0.0], [0.2, 0.0]]), 0.1)
    array([[ 3.,  0.],
           [ 0.,  0.],
           [-1.,  0.],
           [ 0.,  0.]])
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from bench.weights import PublishedFile, declare, locate

_EPS = np.finfo(np.float64).eps

#: environment variable naming a folder laid out like ``sparse-dictionaries``
#: (``asr/``, ``csr/``, ``mst-sr/`` …): checked before ``$FUSEBENCH_WEIGHTS``
DICTIONARY_ENV = "FUSEBENCH_SPARSE_DICTIONARIES"

_ASR = "yuliu316316/ASR-Fusion@17d7b387e72e3713b81182a9381f154e9f90c09f:Dictionary/"
_VIFB = "xingchenzhang/VIFB@22b2ea9d91499cc5962d9bdcae9c290270f0fade:methods/"
_CSMCA = "yuliu316316/CSMCA-Fusion@6f6c3e79fb72a7ef6f7cd2336092bf985e6a08ad:dictionary/"

#: name (path under ``sparse-dictionaries/``) -> (sha256, bytes, "owner/repo@commit:path",
#: method, environment variable); as in ``../shared/weights/sparse-dictionaries/MANIFEST.json``
_RELEASES = {
    "asr/D_100000_128_8_0.mat": (
        "a37067ef273ad2c177138f3577e16d6dfd0b71b9e6ee0f2012f17e05f54b6cae", 63065,
        _ASR + "D_100000_128_8_0.mat", "asr", ""),
    "asr/D_100000_128_8_6.mat": (
        "8670c1d4a9a9f905b31b5d11b8b0cd2645ff55b5a0550150225903f8c4eb4ff0", 377390,
        _ASR + "D_100000_128_8_6.mat", "asr", ""),
    "asr/D_100000_256_8_0.mat": (
        "e2edff55cc4306af8fa9e9084cc199b25adedd90ddbc7a4a173fdcbf9e3c65e3", 125987,
        _ASR + "D_100000_256_8_0.mat", "asr", ""),
    "asr/D_100000_256_8_6.mat": (
        "22f6f667f93fad21f884feeeca8483aed04843517ec72943c4cf710f694a16b8", 754680,
        _ASR + "D_100000_256_8_6.mat", "asr", ""),
    "csr/dict.mat": (
        "2cf35f24bc7270995db519f28a2ffdd310f9188e5efe7c7dc2f9f7107c3cdba7", 7846,
        "yuliu316316/CSR-Fusion@48aff426b684d50178ce75eec150f02b1b13bb68:dict.mat", "csr", ""),
    "mst-sr/D_100000_256_8.mat": (
        "ca4e6fc769ccdab7e0854c0f76d8103802fce05f8e56a8c0b461c9a7c37f4e10", 125957,
        _VIFB + "LP_SR/sparsefusion/Dictionary/D_100000_256_8.mat", "*-sr (MST-SR)",
        "FUSEBENCH_MSTSR_DICTIONARY"),
    "latlrr/L_8.mat": (
        "7cba0d58551eae76d935bb3190c1b0e96fbfffb427a669e872c26cb00aa30c8d", 31514,
        _VIFB + "LatLRR/models/L_8.mat", "latlrr", ""),
    "latlrr/L_16.mat": (
        "9eae145befde2f454f5d521f61e8e8ef370295b609acb04eb1a6b3021ba7cad4", 504018,
        _VIFB + "LatLRR/models/L_16.mat", "latlrr", ""),
    "csmca/Dc_8_8_32.mat": (
        "7dda5cc96cb71041d24b0006c3d9eb2daea7403bea0ba8d2b30055dab52754c6", 15918,
        _CSMCA + "Dc_8_8_32.mat", "csmca", ""),
    "csmca/Dt_8_8_32.mat": (
        "8ff8902bb05d92f2329ff65ac80434e3924ce6beb06f6b4a3010ffeca28a5190", 15943,
        _CSMCA + "Dt_8_8_32.mat", "csmca", ""),
}


def _env_name(name: str) -> str:
    """``asr/D_100000_256_8_0.mat`` -> ``FUSEBENCH_ASR_D_100000_256_8_0``."""
    stem = name.rsplit(".", 1)[0]
    return "FUSEBENCH_" + "".join(ch if ch.isalnum() else "_" for ch in stem).upper()


#: every released dictionary, declared with :mod:`bench.weights` (name -> PublishedFile)
RELEASED: dict[str, PublishedFile] = {
    name: declare(f"sparse-dictionaries/{name}", sha, size, source, env=env or _env_name(name),
                  method=method)
    for name, (sha, size, source, method, env) in _RELEASES.items()
}

_LOADED: dict[str, dict[str, np.ndarray]] = {}


def released_dictionary(name: str, folder: str | os.PathLike = "") -> dict[str, np.ndarray]:
    """The variables of a released dictionary file, e.g. ``released_dictionary("csr/dict.mat")``.

    ``name``: the file's path under ``sparse-dictionaries/`` (a key of :data:`RELEASED`:
    ``asr/D_100000_256_8_0.mat``, ``csr/dict.mat``, ``mst-sr/D_100000_256_8.mat``,
    ``latlrr/L_16.mat``, ``csmca/Dc_8_8_32.mat`` …). Returns ``{variable: array}`` as
    stored in the .mat file (``__header__`` etc. left out), cached per file.

    Found by :func:`bench.weights.locate` (sha256-checked; a wrong or missing file is a
    :class:`bench.weights.WeightsError`), first hit wins: ``folder/name`` (``folder``: a
    method's ``dictionary_dir`` parameter), the file's own variable (``RELEASED[name].env``,
    e.g. ``$FUSEBENCH_MSTSR_DICTIONARY``), ``$FUSEBENCH_SPARSE_DICTIONARIES/name``,
    ``$FUSEBENCH_WEIGHTS/sparse-dictionaries/name``, the cache, a download. This is the one loader of the sparse methods' released files.

        >>> sorted(released_dictionary("csr/dict.mat"))
        ['D']
    """
    from bench.errors import ParameterError

    if name not in RELEASED:
        raise ParameterError(f"no released dictionary {name!r} (known: {', '.join(RELEASED)})")
    spec = RELEASED[name]
    if not folder and not os.environ.get(spec.env):
        folder = os.environ.get(DICTIONARY_ENV, "")
    path = locate(spec, Path(folder).expanduser() / name if folder else None)
    key = str(Path(path).resolve())
    if key not in _LOADED:
        from scipy.io import loadmat

        _LOADED[key] = {k: v for k, v in loadmat(str(path)).items() if not k.startswith("__")}
    return _LOADED[key]


def omp2(d: np.ndarray, x: np.ndarray, epsilon: float, *,
         gram: np.ndarray | None = None) -> np.ndarray:
    """OMP codes until ‖x − Dγ‖₂ ≤ ``epsilon``: ompbox's ``omp2(D, X, G, epsilon)``.

    ompbox documents the target as the residual's norm and its ``ompcore.c``
    stops once ‖r‖² ≤ ε·ε, so this is :func:`omp_batch` with the squared target.
    The MATLAB releases of ASR and of the MST-SR toolbox (LP-SR, NSCT-SR, ...) call
    ``omp2`` with ε = 0.1 on 0..255 patches: ‖r‖₂ ≤ 0.1, not ‖r‖² ≤ 0.1.

    >>> d = np.eye(3)
    >>> omp2(d, np.array([[0.3], [0.0], [0.2]]), 0.25)[:, 0]      # ‖r‖₂ = 0.2 ≤ 0.25 after one atom
    array([0.3, 0. , 0. ])
    """
    return omp_batch(d, x, float(epsilon) ** 2, gram=gram)


def omp_batch(d: np.ndarray, x: np.ndarray, epsilon: float, *, max_atoms: int | None = None,
              gram: np.ndarray | None = None, chunk: int = 2048) -> np.ndarray:
    """OMP codes (K × N) of the N columns of ``x`` over ``d`` (n × K, unit-norm columns).

    ``epsilon``: stop once ‖x − Dγ‖² ≤ epsilon (the *squared* error; ompbox's
    ``omp2`` takes the error's norm: :func:`omp2` is that form). ``max_atoms``: at most this many atoms per signal (default: n,
    ompbox's default; the residual of n independent atoms is 0 anyway).
    ``gram``: DᵀD if already at hand. ``chunk``: signals coded together
    (memory ≈ chunk × (K + max_atoms²) × 8 bytes).

    Compiled (:func:`_omp_gram`) when :func:`numba_enabled` and the inputs are finite;
    otherwise the numpy code (:func:`_omp_chunk`), which the tests keep as the oracle.
    """
    d = np.asarray(d, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        return omp_batch(d, x[:, None], epsilon, max_atoms=max_atoms, gram=gram, chunk=chunk)[:, 0]
    n, k_atoms = d.shape
    g = d.T @ d if gram is None else np.asarray(gram, dtype=np.float64)
    m = min(n, k_atoms) if max_atoms is None else min(int(max_atoms), k_atoms)
    codes = np.zeros((k_atoms, x.shape[1]))
    norms = np.einsum("ij,ij->j", x, x)
    todo = np.flatnonzero(norms > epsilon)
    compiled = numba_enabled() and m > 0 and bool(np.isfinite(g).all() and np.isfinite(x).all())
    for s in range(0, len(todo), chunk):
        cols = todo[s:s + chunk]
        if compiled:
            c = x[:, cols].T @ d  # N × K correlations, as the numpy path's
            _omp_gram_kernel()(np.ascontiguousarray(g), c, norms[cols], float(epsilon), m,
                               cols.astype(np.int64), codes)
        else:
            codes[:, cols] = _omp_chunk(d, g, x[:, cols], norms[cols], float(epsilon), m)
    return codes


def numba_enabled() -> bool:
    """True when :func:`omp_batch` runs its compiled kernel: numba importable and
    ``FUSEBENCH_NUMBA`` not ``"0"`` (the switch of the metric kernels, ``metrics/_numba.py``;
    ``FUSEBENCH_NUMBA=0`` selects the numpy code, the oracle the tests compare with).

        >>> numba_enabled() == (os.environ.get("FUSEBENCH_NUMBA", "1") != "0")
        True
    """
    if os.environ.get("FUSEBENCH_NUMBA", "1") == "0":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:  # pragma: no cover - numba is a dependency
        return False
    return True


_KERNEL = []


def _omp_gram_kernel():
    """The compiled Batch-OMP (:func:`_omp_gram`), jitted on first use and cached on disk."""
    if not _KERNEL:
        import numba

        _KERNEL.append(numba.njit(cache=True, nogil=True, error_model="numpy")(_omp_gram))
    return _KERNEL[0]


def _omp_gram(g, c, norms, epsilon, m, cols, codes):  # pragma: no cover - compiled by numba
    """Gram-based Batch-OMP, one signal at a time (the compiled path of :func:`omp_batch`).

    ``g``: K × K Gram matrix G = DᵀD; ``c``: N × K correlations Dᵀx (rows); ``norms``:
    ‖x‖² (> epsilon); ``m``: most atoms; writes signal i's code into column ``cols[i]`` of
    ``codes`` (K × N'). Only G and c are used (no signal-space vectors), as in Rubinstein,
    Zibulevsky & Elad's Batch-OMP; the Cholesky factor L of G_II grows one row per atom.
    The update is the orthonormal-basis form of :func:`_omp_chunk` carried in atom space:
    with u_j the orthonormal basis of the chosen atoms (u_k = (d_λ − Σ_j w_j u_j)/L_kk),
    H_j = Dᵀu_j = (G_λ − Σ_{j<k} w_j H_j)/L_kk is kept (m × K), so that

    * w = L⁻¹G_Iλ is read off, w_j = H_j[λ] (no forward substitution),
    * y_k = u_k·x = α_λ/L_kk, α ← α − y_k H_k (α = Dᵀr, the residual's correlations),
    * the residual energy ‖x‖² − Σ y_j² drops by y_k² per atom,
    * γ = L⁻ᵀy is solved once, when the signal stops.

    Per atom this costs K·k (H_k) + K (α, argmax), against K·k + k² for re-solving γ
    and forming α = c − G_Iγ at every step (ompbox's form; measured 1.8× slower here).
    Atom choice: λ = argmax |α| (the first of equal maxima, as ``np.argmax``); stops as
    :func:`_omp_chunk`: ‖r‖² ≤ epsilon or m atoms (keep this code), or |α_λ|² < machine
    epsilon, λ already chosen, or L_kk² ≤ machine epsilon (keep the previous code).
    """
    k_atoms = g.shape[0]
    n_sig = c.shape[0]
    upp = np.zeros((m, m))  # Lᵀ by rows: upp[j, t] = L_tj (back substitution reads rows)
    hh = np.zeros((m, k_atoms))  # H_j = Dᵀu_j
    sel = np.zeros(m, np.int64)
    gam = np.zeros(m)
    y = np.zeros(m)
    alpha = np.zeros(k_atoms)
    eps = np.finfo(np.float64).eps
    for i in range(n_sig):
        ci = c[i]
        lam = 0
        best = abs(ci[0])
        for a in range(k_atoms):
            alpha[a] = ci[a]
            v = abs(ci[a])
            if v > best:
                best = v
                lam = a
        err = norms[i]
        n_done = 0  # atoms in the code to keep
        for k in range(m):
            if best * best < eps:
                n_done = k
                break
            if k:
                stop = False
                ww = 0.0
                for j in range(k):
                    if sel[j] == lam:
                        stop = True
                    wj = hh[j, lam]
                    upp[j, k] = wj
                    ww += wj * wj
                if stop:
                    n_done = k
                    break
                lkk2 = g[lam, lam] - ww
                if lkk2 <= eps:
                    n_done = k
                    break
            else:
                lkk2 = g[lam, lam]
            lkk = np.sqrt(lkk2)
            upp[k, k] = lkk
            sel[k] = lam
            yk = alpha[lam] / lkk
            y[k] = yk
            # H_k = (G_λ − Σ_j w_j H_j) / L_kk, four rows per pass
            hk = hh[k]
            gl = g[lam]
            for a in range(k_atoms):
                hk[a] = gl[a]
            j = 0
            while j + 4 <= k:
                h0, h1, h2, h3 = hh[j], hh[j + 1], hh[j + 2], hh[j + 3]
                f0, f1, f2, f3 = upp[j, k], upp[j + 1, k], upp[j + 2, k], upp[j + 3, k]
                for a in range(k_atoms):
                    hk[a] -= (f0 * h0[a] + f1 * h1[a]) + (f2 * h2[a] + f3 * h3[a])
                j += 4
            while j < k:
                h0 = hh[j]
                f0 = upp[j, k]
                for a in range(k_atoms):
                    hk[a] -= f0 * h0[a]
                j += 1
            for a in range(k_atoms):
                hk[a] /= lkk
                alpha[a] -= yk * hk[a]
            lam = 0
            best = abs(alpha[0])
            for a in range(1, k_atoms):
                v = abs(alpha[a])
                if v > best:
                    best = v
                    lam = a
            err -= yk * yk
            if abs(err) <= epsilon or k + 1 == m:
                n_done = k + 1
                break
        if n_done:
            last = n_done - 1
            for j in range(last, -1, -1):  # γ = L⁻ᵀ y
                row = upp[j]
                s = y[j]
                for t in range(j + 1, last + 1):
                    s -= row[t] * gam[t]
                gam[j] = s / row[j]
            col = cols[i]
            for j in range(n_done):
                codes[sel[j], col] = gam[j]


def _omp_chunk(d, g, x, norms, epsilon, m):
    """Batch-OMP of one chunk (every signal has ‖x‖² > epsilon)."""
    n_sig = x.shape[1]
    out = np.zeros((n_sig, d.shape[1]))
    dt = np.ascontiguousarray(d.T)  # K × n, atoms as rows
    xt = np.ascontiguousarray(x.T)  # N × n signals as rows
    c = xt @ d  # N × K correlations
    # State of the running signals (rows). Finished rows are dropped once they
    # are a quarter of the state (copying the state every step costs more).
    rows = np.arange(n_sig)
    live = np.ones(n_sig, dtype=bool)
    alpha = c.copy()
    sel = np.zeros((n_sig, m), dtype=np.intp)
    u = np.zeros((n_sig, m, d.shape[0]))  # orthonormal basis of the chosen atoms: D_I L⁻ᵀ
    z = np.zeros((n_sig, m))  # L⁻¹ c_I, the signal's coordinates on u
    proj = np.zeros_like(xt)  # D_I γ = Σ u_j z_j
    err = norms.copy()
    delta = np.zeros(n_sig)
    diag = np.diag(g)

    def finish(mask, k):
        idx = np.flatnonzero(mask & live)
        live[idx] = False
        if k == 0 or not len(idx):
            return
        s = sel[idx, :k]
        g_ii = g[s[:, :, None], s[:, None, :]]
        c_i = np.take_along_axis(c[idx], s, axis=1)
        chol = np.linalg.cholesky(g_ii)  # γ = (LLᵀ)⁻¹ c_I, once per signal
        gam = np.linalg.solve(np.swapaxes(chol, 1, 2), np.linalg.solve(chol, c_i[:, :, None]))
        gam = gam[:, :, 0]
        out[rows[idx][:, None], s] = gam

    with np.errstate(invalid="ignore", divide="ignore"):  # finished rows may hold garbage
        for k in range(m):
            if live.sum() < 0.75 * len(rows):
                keep = live
                rows, c, alpha, sel, u, z, proj, xt = (
                    rows[keep], c[keep], alpha[keep], sel[keep], u[keep], z[keep], proj[keep],
                    xt[keep])
                err, delta, live = err[keep], delta[keep], live[keep]
            if not live.any():
                break
            r = np.arange(len(rows))
            lam = np.argmax(np.abs(alpha), axis=1)
            stop = alpha[r, lam] ** 2 < _EPS
            d_lam = dt[lam]  # N × n
            if k:
                stop |= (sel[:, :k] == lam[:, None]).any(axis=1)
                w = np.einsum("nkj,nj->nk", u[:, :k], d_lam)  # L⁻¹ G_Ik
                lkk2 = diag[lam] - np.einsum("nk,nk->n", w, w)
                stop |= lkk2 <= _EPS
            else:
                lkk2 = diag[lam]
            if stop.any():  # early stop: keep the previous code
                finish(stop, k)
                if not live.any():
                    break
            lkk = np.sqrt(lkk2)
            if k:
                d_lam = d_lam - np.einsum("nk,nkj->nj", w, u[:, :k])
            u[:, k] = d_lam / lkk[:, None]
            sel[:, k] = lam
            z[:, k] = np.einsum("nj,nj->n", u[:, k], xt)
            proj += u[:, k] * z[:, k, None]
            alpha = c - proj @ d
            err += delta
            delta = np.einsum("nj,nj->n", proj, proj)  # γᵀ G_II γ
            err -= delta
            finish((np.abs(err) <= epsilon) | (k + 1 == m), k + 1)
    return out.T


def omp_reference(d: np.ndarray, x: np.ndarray, epsilon: float) -> np.ndarray:
    """The same OMP one signal at a time, by scikit-learn's ``orthogonal_mp_gram``.

    The reference :func:`omp_batch` is tested and benchmarked against (it was the
    SR methods' coder before the batched one).

    >>> d = np.eye(4)[:, :3]
    >>> omp_reference(d, np.array([[3.0], [0.0], [1.0], [0.0]]), 1e-12)[:, 0]
    array([3., 0., 1.])
    """
    import warnings

    from sklearn.linear_model import orthogonal_mp_gram

    norms = np.einsum("ij,ij->j", x, x)
    codes = np.zeros((d.shape[1], x.shape[1]))
    busy = norms > epsilon
    if np.any(busy):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "ended prematurely": target met early
            c = orthogonal_mp_gram(d.T @ d, d.T @ x[:, busy], tol=epsilon,
                                   norms_squared=norms[busy], copy_Gram=False)
        codes[:, busy] = c.reshape(d.shape[1], -1)
    return codes


def add_patches(acc: np.ndarray, cnt: np.ndarray, columns: np.ndarray, ys: np.ndarray,
                xs: np.ndarray) -> None:
    """Add fused patches back into an image: ``columns`` (p² × len(ys)·len(xs), column-major
    pixels, row-major patch order) at top-left corners ``ys`` × ``xs``; ``cnt`` counts cover.

    The overlap-add of the SR methods (asr, the MST-SR low-pass rule); the fused image is
    ``acc / cnt`` where ``cnt > 0`` (see :func:`average_patches`).

    >>> acc, cnt = np.zeros((3, 3)), np.zeros((3, 3))
    >>> add_patches(acc, cnt, np.ones((4, 4)), np.arange(2), np.arange(2))
    >>> cnt.astype(int).tolist()
    [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
    """
    p = int(round(np.sqrt(columns.shape[0])))
    blocks = columns.T.reshape(len(ys), len(xs), p, p).transpose(0, 1, 3, 2)
    rows, cols = _as_slice(ys), _as_slice(xs)  # a regular grid: slices, ~30x faster than ix_
    for dy in range(p):
        for dx in range(p):
            if rows is not None and cols is not None:
                where = (slice(rows.start + dy, rows.stop + dy, rows.step),
                         slice(cols.start + dx, cols.stop + dx, cols.step))
            else:
                where = np.ix_(ys + dy, xs + dx)
            acc[where] += blocks[:, :, dy, dx]
            cnt[where] += 1.0


def _as_slice(idx: np.ndarray) -> slice | None:
    """``idx`` as an equivalent slice when it is an increasing arithmetic progression."""
    idx = np.asarray(idx)
    if idx.ndim != 1 or len(idx) == 0:
        return None
    step = int(idx[1] - idx[0]) if len(idx) > 1 else 1
    if step < 1 or not np.array_equal(idx, idx[0] + step * np.arange(len(idx))):
        return None
    return slice(int(idx[0]), int(idx[-1]) + 1, step)


def average_patches(acc: np.ndarray, cnt: np.ndarray, fallback: np.ndarray) -> np.ndarray:
    """``acc / cnt`` where patches covered a pixel, ``fallback`` elsewhere."""
    out = np.array(fallback, dtype=np.float64)
    covered = cnt > 0
    out[covered] = acc[covered] / cnt[covered]
    return out
