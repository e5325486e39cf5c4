"""``methods._lapack_svd``: a correct SVD whose signs are those of reference LAPACK 3.9.

The expected vectors below were produced by reference LAPACK 3.9's ``dgesdd``
and ``dbdsqr`` (the copy inside OpenBLAS 0.3.13) on the matrices shown; for
both matrices numpy's SVD (LAPACK ≥ 3.10 conventions) returns other signs,
which is why the module exists.
"""

from __future__ import annotations

import numpy as np
import pytest

from methods._lapack_svd import bidiagonal_svd, bidiagonalize, givens, right_singular_vectors

TALL_0 = np.array([
    [162, 69, 10, 4], [207, 233, 155, 186], [139, 238, 208, 1], [219, 9, 186, 45],
    [220, 138, 76, 108], [7, 32, 171, 165], [157, 98, 254, 250], [175, 166, 176, 99],
    [34, 184, 134, 79], [124, 227, 238, 91], [146, 82, 152, 86], [100, 227, 58, 159],
], dtype=float)
V_0 = np.array([
    [-0.502237878121, 0.211808860103, -0.804479264112, -0.236023800021],
    [-0.528710395526, 0.676583207831, 0.512348993578, -0.014106357565],
    [-0.558958319300, -0.442526643587, 0.026863886145, 0.700723981766],
    [-0.394699922382, -0.549128709301, 0.299315809830, -0.673111935623],
])
TALL_2 = np.array([
    [67, 76, 208, 23], [153, 186, 48, 14], [70, 168, 143, 38], [110, 171, 108, 161],
    [247, 174, 100, 48], [88, 130, 227, 198], [81, 236, 120, 177], [27, 27, 51, 226],
    [173, 217, 164, 104], [132, 151, 220, 112], [228, 156, 211, 127], [177, 86, 133, 55],
], dtype=float)
V_2 = np.array([
    [-0.491333534119, 0.541644573117, -0.103673738372, 0.674139652175],
    [-0.558099956651, 0.209925635887, -0.473527498460, -0.648249468944],
    [-0.542493940213, -0.127191005849, 0.813174316683, -0.168137751712],
    [-0.390917026323, -0.803974397504, -0.322135056865, 0.311509312587],
])
BIDIAG_D, BIDIAG_E = [3.0, -1.0, 2.0, 0.5], [1.0, -2.0, 0.7]
BIDIAG_S = [3.221316302023, 2.904112494659, 0.894897061793, 0.358345014588]
BIDIAG_VT = np.array([
    [0.847346281804, 0.388897687307, 0.357854957371, 0.051987469698],
    [0.421736338528, -0.079585951373, -0.888627315664, -0.161697343719],
    [0.231417714678, -0.632476898546, 0.032093689253, 0.738504440914],
    [-0.224919053909, 0.665129790310, -0.285046168983, 0.652504760733],
])


@pytest.mark.parametrize("x, v_ref", [(TALL_0, V_0), (TALL_2, V_2)], ids=["seed0", "seed2"])
def test_signs_match_reference_lapack_39(x, v_ref):
    s, v = right_singular_vectors(x)
    np.testing.assert_allclose(v, v_ref, atol=1e-10)
    np.testing.assert_allclose(s, np.linalg.svd(x, compute_uv=False), rtol=1e-12)
    # the newer convention (numpy) differs in at least one column: the test has teeth
    assert (np.sign(np.sum(np.linalg.svd(x)[2].T * v_ref, axis=0)) < 0).any()


def test_bidiagonal_svd_matches_reference():
    s, vt = bidiagonal_svd(BIDIAG_D, BIDIAG_E)
    np.testing.assert_allclose(s, BIDIAG_S, rtol=1e-11)
    np.testing.assert_allclose(vt, BIDIAG_VT, atol=1e-10)


@pytest.mark.parametrize("seed", range(12))
def test_decomposition_is_exact(seed):
    rng = np.random.default_rng(seed)
    rows, cols = int(rng.integers(4, 60)), int(rng.integers(1, 6))
    rows = max(rows, cols)
    x = rng.normal(size=(rows, cols)) * 10.0 ** rng.uniform(-3, 3, size=cols)
    s, v = right_singular_vectors(x)
    np.testing.assert_allclose(v.T @ v, np.eye(cols), atol=1e-12)
    assert np.all(np.diff(s) <= 0) and np.all(s >= 0)
    u = x @ v / np.where(s > 0, s, 1.0)
    np.testing.assert_allclose(u * s @ v.T, x, atol=1e-9 * np.abs(x).max())


def test_graded_and_degenerate_bidiagonals():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n = int(rng.integers(2, 7))
        d = rng.normal(size=n) * 10.0 ** rng.uniform(-8, 8, size=n)
        e = rng.normal(size=n - 1) * 10.0 ** rng.uniform(-8, 8, size=n - 1)
        d[rng.integers(n)] = 0.0
        b = np.diag(d) + np.diag(e, 1)
        s, vt = bidiagonal_svd(d, e)
        np.testing.assert_allclose(s, np.linalg.svd(b, compute_uv=False), rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(vt @ vt.T, np.eye(n), atol=1e-12)


def test_bidiagonalize_reconstructs():
    x = np.random.default_rng(1).random((7, 4))
    d, e, p = bidiagonalize(x)
    b = np.diag(d) + np.diag(e, 1)
    # same singular values, and x P has orthogonal structure: (xP)ᵀ(xP) = BᵀB
    np.testing.assert_allclose((x @ p).T @ (x @ p), b.T @ b, atol=1e-12)
    np.testing.assert_allclose(p.T @ p, np.eye(4), atol=1e-12)


def test_givens_convention():
    for f, g in [(-1.0, 2.0), (1.0, -2.0), (-2.0, 1.0), (2.0, 1.0), (0.0, -3.0), (-3.0, 0.0)]:
        c, s, r = givens(f, g)
        np.testing.assert_allclose([c * f + s * g, -s * f + c * g], [r, 0.0], atol=1e-15)
        assert np.isclose(c * c + s * s, 1.0)
        if abs(f) > abs(g):
            assert c > 0
        elif f != 0.0:
            assert r > 0
    assert givens(0.0, -3.0) == (0.0, 1.0, -3.0)


def test_wide_input_is_refused():
    with pytest.raises(ValueError, match="tall"):
        right_singular_vectors(np.ones((2, 4)))
