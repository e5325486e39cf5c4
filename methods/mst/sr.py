"""The sparse-representation low-pass rule shared by every ``*-sr`` method.

Y. Liu, S. Liu, Z. Wang, "A general framework for image fusion based on
multi-scale transform and sparse representation", Information Fusion
24:147–164, 2015, section 3.2.

Given the two low-pass bands L_A, L_B, every p×p patch (p = 8) on a grid of
step p − ``overlap`` (overlap = 6) is made zero-mean (patch v, mean m), coded
over the dictionary D (64×256, unit-norm atoms) by orthogonal matching
pursuit until ‖v − Dα‖₂ ≤ ``epsilon`` (0.1: the residual's norm, not its square,
as the toolbox's ompbox ``omp2``, whose C core compares ‖r‖² with ε²), and the
code with the larger activity ‖α‖₁ wins, with its own mean:

    α_F, m_F = (α_A, m_A) if ‖α_A‖₁ ≥ ‖α_B‖₁ else (α_B, m_B);   P_F = Dα_F + m_F.

Overlapping patches are averaged; pixels no patch covers take (L_A + L_B)/2.

All sparse coding goes through :func:`sparse_codes` (one function, so the
batched OMP of ``methods/sparse.py`` can replace it). The dictionary comes from
:func:`load_dictionary`: by default the authors' released MST-SR dictionary
(``D_100000_256_8.mat``, K-SVD on 100 000 natural-image patches), through
:func:`methods.sparse.released_dictionary` (sha256-checked; ``$FUSEBENCH_MSTSR_DICTIONARY``
names the file); ``"learned"`` selects the dictionary learned
here (``methods/mstsr/dictionary.npz``); any other value is a .mat/.npz path.

    >>> import numpy as np
    >>> sparse_codes(np.eye(4), np.array([[3.0], [0.0], [-1.0], [0.2]]), 0.1)[:, 0]
    array([ 3. ,  0. , -1. ,  0.2])
    >>> sparse_codes(np.eye(4), np.array([[3.0], [0.0], [-1.0], [0.2]]), 0.3)[:, 0]
    array([ 3.,  0., -1.,  0.])
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.errors import DataError

__all__ = ["RELEASED_NAME", "load_dictionary", "sparse_codes", "sparse_fusion"]

#: The released file, under ``sparse-dictionaries/`` (see :data:`methods.sparse.RELEASED`).
RELEASED_NAME = "mst-sr/D_100000_256_8.mat"


def sparse_codes(d: np.ndarray, x: np.ndarray, epsilon: float) -> np.ndarray:
    """OMP codes (atoms × n) of the columns of ``x`` until ‖x − Dα‖₂ ≤ ``epsilon``.

    Orthogonal matching pursuit (Pati et al. 1993) as in ompbox's ``omp2``:
    greedily add the atom most correlated with the residual, re-fit all
    selected coefficients by least squares, stop at the error target (or when
    the code is as long as the signal). ``omp2(D, X, G, epsilon)`` documents
    ‖X − DΓ‖₂ ≤ ε and its ``ompcore.c`` stops once ‖r‖² ≤ ε·ε
    (:func:`methods.sparse.omp2`). All signals are coded together (same supports as a per-signal OMP, codes
    within ~1e-10).
    """
    from methods.sparse import omp2

    return omp2(d, x, epsilon)


def sparse_fusion(a: np.ndarray, b: np.ndarray, d: np.ndarray, overlap: int = 6,
                  epsilon: float = 0.1) -> np.ndarray:
    """Max-L1 sparse-representation fusion of two low-pass bands (module docstring).

        >>> x = np.random.default_rng(0).random((12, 12)) * 50
        >>> bool(np.allclose(sparse_fusion(x, x, np.eye(64), 6, 1e-9), x))
        True
    """
    p = int(round(np.sqrt(d.shape[0])))
    h, w = a.shape
    if h < p or w < p:
        return (a + b) / 2.0
    step = max(1, p - overlap)
    ys, xs = np.arange(0, h - p + 1, step), np.arange(0, w - p + 1, step)

    def patches(img):
        v = np.lib.stride_tricks.sliding_window_view(img, (p, p))[ys][:, xs]  # ny×nx×p×p
        v = v.transpose(0, 1, 3, 2).reshape(-1, p * p).T  # columns, column-major pixels
        m = v.mean(axis=0)
        return v - m, m

    va, ma = patches(a)
    vb, mb = patches(b)
    ca, cb = sparse_codes(d, va, epsilon), sparse_codes(d, vb, epsilon)
    take_b = np.abs(ca).sum(axis=0) < np.abs(cb).sum(axis=0)
    code = np.where(take_b, cb, ca)
    mean = np.where(take_b, mb, ma)
    from methods.sparse import add_patches, average_patches

    acc, cnt = np.zeros((h, w)), np.zeros((h, w))
    add_patches(acc, cnt, d @ code + mean, ys, xs)
    return average_patches(acc, cnt, (a + b) / 2.0)


_CACHE: dict[str, np.ndarray] = {}


def load_dictionary(spec: str | Path = "") -> np.ndarray:
    """The dictionary as a float64 64×256 array with unit-norm columns (cached).

    ``spec``: ``""`` → the released dictionary (:func:`methods.sparse.released_dictionary`,
    sha256-checked), ``"learned"`` → ``methods/mstsr/dictionary.npz``, otherwise a .mat
    (variable ``D``) or .npz (array ``D``) path.
    """
    spec = str(spec)
    if spec == "":
        from methods.sparse import released_dictionary

        raw = released_dictionary(RELEASED_NAME)
        key = "released:" + RELEASED_NAME
        if key not in _CACHE:
            _CACHE[key] = _normalised(np.asarray(raw["D"], dtype=np.float64), RELEASED_NAME)
        return _CACHE[key]
    from methods.mstsr.dictionary import DEFAULT_PATH

    path = DEFAULT_PATH if spec == "learned" else Path(spec)
    key = str(Path(path).resolve())
    if key in _CACHE:
        return _CACHE[key]
    if not path.is_file():
        raise DataError(f"MST-SR dictionary {path} not found")
    try:
        if path.suffix.lower() == ".mat":
            from scipy.io import loadmat

            d = np.asarray(loadmat(str(path))["D"], dtype=np.float64)
        else:
            with np.load(path) as z:
                d = np.asarray(z["D"], dtype=np.float64)
    except (KeyError, ValueError, OSError) as exc:
        raise DataError(f"MST-SR dictionary {path}: no readable matrix D ({exc})") from None
    _CACHE[key] = _normalised(d, path)
    return _CACHE[key]


def _normalised(d: np.ndarray, where) -> np.ndarray:
    if d.ndim != 2 or int(round(np.sqrt(d.shape[0]))) ** 2 != d.shape[0]:
        raise DataError(f"MST-SR dictionary {where}: D is {d.shape}, expected (p*p, atoms)")
    return d / np.linalg.norm(d, axis=0, keepdims=True)
