"""The compiled Batch-OMP of ``methods.sparse.omp_batch`` against its numpy code (the oracle).

``FUSEBENCH_NUMBA=0`` selects the numpy code (``_omp_chunk``); by default ``omp_batch`` runs
the numba kernel (``_omp_gram``). Both must choose the same atoms for every signal (argmax
ties → the lowest index, as ``np.argmax``) and give the same codes to ~1e-9 relative.
"""

from __future__ import annotations

import numpy as np
import pytest

from bench.color import luma
from methods import sparse
from methods.asr import asr_dictionaries
from methods.mst.sr import load_dictionary
from methods.sparse import omp_batch

pytestmark = pytest.mark.skipif(not sparse.numba_enabled(),
                                reason="numba kernel disabled (FUSEBENCH_NUMBA=0)")


def _both(monkeypatch, d, x, epsilon, **kw):
    """(numpy oracle, numba kernel) codes of the same call."""
    with monkeypatch.context() as m:
        m.setenv("FUSEBENCH_NUMBA", "0")
        assert not sparse.numba_enabled()
        ref = omp_batch(d, x, epsilon, **kw)
    assert sparse.numba_enabled()
    return ref, omp_batch(d, x, epsilon, **kw)


def _agree(ref, got, rtol=1e-9):
    assert np.array_equal(ref != 0, got != 0)  # the same atoms for every signal
    scale = np.abs(ref).max(axis=0, keepdims=True) + 1e-300
    assert np.max(np.abs(got - ref) / scale) < rtol


def _patches(img, y0, x0, size, step):
    v = np.lib.stride_tricks.sliding_window_view(img[y0:y0 + size, x0:x0 + size], (8, 8))
    v = v[::step, ::step].transpose(0, 1, 3, 2).reshape(-1, 64).T
    return v - v.mean(axis=0)


@pytest.mark.parametrize("epsilon", [1e-6, 0.5, 4.0])
def test_random_dictionary_and_signals(monkeypatch, epsilon):
    rng = np.random.default_rng(7)
    d = rng.normal(size=(16, 40))
    d /= np.linalg.norm(d, axis=0)
    x = rng.normal(size=(16, 300)) * rng.uniform(0.05, 3, 300)  # short and long codes
    x[:, 0] = 0.0
    ref, got = _both(monkeypatch, d, x, epsilon, chunk=97)
    _agree(ref, got)
    nnz = (ref != 0).sum(axis=0)
    assert nnz.min() == 0 and nnz.max() >= 12  # zero codes and long ones both occur
    assert np.all(np.sum((x - d @ got) ** 2, axis=0) <= max(epsilon, 1e-9) * (1 + 1e-9))


@pytest.mark.parametrize("which", ["mst-sr", "asr-general", "asr-class-3"])
def test_real_patches_released_dictionaries(monkeypatch, lytro_pair, which):
    d = {"mst-sr": load_dictionary, "asr-general": lambda: asr_dictionaries()[0],
         "asr-class-3": lambda: asr_dictionaries()[3]}[which]()
    g = luma(lytro_pair[0])
    # a sharp and a flatter region: long and shorter codes at the released epsilon
    x = np.concatenate([_patches(g, 120, 200, 40, 2), _patches(g, 0, 0, 24, 2)], axis=1)
    ref, got = _both(monkeypatch, d, x, 0.1, gram=d.T @ d)
    _agree(ref, got)
    nnz = (ref != 0).sum(axis=0)
    assert nnz.max() >= 40 and nnz.max() >= nnz.min() + 10


def test_zero_signal_and_target_met_before_any_atom(monkeypatch):
    d = np.eye(4)
    x = np.array([[0.0, 0.2, 3.0], [0.0, 0.1, 0.0], [0.0, 0.0, -1.0], [0.0, 0.0, 0.2]])
    ref, got = _both(monkeypatch, d, x, 0.1)
    # ‖x‖² ≤ epsilon: the zero code (columns 0, 1); column 2 stops once ‖r‖² = 0.04 ≤ 0.1
    expected = np.zeros((4, 3))
    expected[0, 2], expected[2, 2] = 3.0, -1.0
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(ref, expected)
    # a negative target: the zero signal still gets the zero code (|α|² < machine epsilon)
    ref, got = _both(monkeypatch, d, np.zeros((4, 2)), -1.0)
    assert not got.any() and not ref.any()


def test_max_atoms_and_ties_take_the_lowest_index(monkeypatch):
    d = np.eye(5)
    x = np.array([[1.0], [-2.0], [2.0], [0.5], [0.0]])  # |x_1| = |x_2|: atom 1 comes first
    for m, support in [(1, [1]), (2, [1, 2]), (3, [0, 1, 2])]:
        ref, got = _both(monkeypatch, d, x, 1e-12, max_atoms=m)
        assert np.flatnonzero(got[:, 0]).tolist() == support
        _agree(ref, got, rtol=1e-15)
    rng = np.random.default_rng(3)
    dr = rng.normal(size=(10, 30))
    dr /= np.linalg.norm(dr, axis=0)
    xr = rng.normal(size=(10, 50))
    ref, got = _both(monkeypatch, dr, xr, 1e-9, max_atoms=4)
    _agree(ref, got)
    assert (got != 0).sum(axis=0).max() == 4


def test_duplicated_and_dependent_atoms(monkeypatch):
    # atom 2 duplicates atom 0; atom 4 lies in the span of atoms 0 and 1
    d = np.eye(3)[:, [0, 1, 0, 2]]
    d = np.column_stack([d, (d[:, 0] + d[:, 1]) / np.sqrt(2)])
    x = np.array([[2.0, 1.0], [1.0, 1.0], [0.5, 0.0]])
    ref, got = _both(monkeypatch, d, x, 1e-12)
    _agree(ref, got, rtol=1e-12)
    assert got[2].tolist() == [0.0, 0.0]  # the copy (a tie with atom 0) is never chosen
    np.testing.assert_allclose(d @ got, x, atol=1e-12)
    # signal 1 = √2 × atom 4: one atom, exact
    assert np.flatnonzero(got[:, 1]).tolist() == [4]
    # a random dictionary with every atom twice: same codes as the oracle, copies unused
    rng = np.random.default_rng(5)
    dr = rng.normal(size=(12, 20))
    dr /= np.linalg.norm(dr, axis=0)
    xr = rng.normal(size=(12, 80))
    ref, got = _both(monkeypatch, np.hstack([dr, dr]), xr, 1e-10)
    _agree(ref, got)
    assert not got[20:].any()


def test_numba_switch(monkeypatch):
    monkeypatch.setenv("FUSEBENCH_NUMBA", "0")
    assert not sparse.numba_enabled()
    monkeypatch.setenv("FUSEBENCH_NUMBA", "1")
    assert sparse.numba_enabled()


@pytest.mark.parametrize("name, crop, params", [
    ("asr", (slice(180, 204), slice(200, 226)), {}),  # step 1: every 8×8 patch, 7 dictionaries
    ("lp-sr", (slice(120, 200), slice(160, 240)), {"levels": 2}),  # 20×20 low-pass band
    ("nsct-sr", (slice(120, 168), slice(160, 208)), {"directions": "2", "overlap": 4}),
])
def test_fused_images_unchanged_by_the_kernel(monkeypatch, lytro_pair, name, crop, params):
    """The methods that code through ``omp_batch`` give the numpy code's 8-bit images."""
    import methods

    a, b = (x[crop] for x in lytro_pair)
    m = methods.get_method(name)
    with monkeypatch.context() as env:
        env.setenv("FUSEBENCH_NUMBA", "0")
        ref = m.fuse(a, b, **params).image
    got = m.fuse(a, b, **params).image
    np.testing.assert_array_equal(np.round(np.clip(got, 0, 255)), np.round(np.clip(ref, 0, 255)))
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-9)
