"""The compiled kernels of the paper's five indices against the numpy code they replace.

The numpy implementations stay in the tree (``FUSEBENCH_NUMBA=0`` selects
them) and are the oracles here: on real images (camera and astronaut crops,
a Lytro pair, a VIFB infrared/visible pair), odd sizes, strided channel
views, flat images, grey and RGB, uint8 and float input, every metric sharing
the kernels agrees within 1e-14 relative under every convention. Sums follow
numpy's pairwise order exactly; only atan/exp are fdlibm's vectorised
versions (within 1 ulp, like glibc's, which numpy calls).
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import metrics
from bench.io import read_image
from metrics import _numba

pytestmark = pytest.mark.skipif(not _numba.enabled(), reason="numba kernels disabled (FUSEBENCH_NUMBA=0)")

SHARING = ("qabf", "qag", "qlabf", "qmi", "qsf", "qnabf", "qnabf-petrovic", "qabf-petrovic")
REL = 1e-14


def _both(name, a, b, f, convention, monkeypatch):
    fast = metrics.compute(name, a, b, f, convention)
    with monkeypatch.context() as m:
        m.setenv("FUSEBENCH_NUMBA", "0")
        slow = metrics.compute(name, a, b, f, convention)
    return fast, slow


def _triples(shared_datasets):
    cam = data.camera().astype(np.float64)
    ast = data.astronaut()
    rng = np.random.default_rng(7)
    d = shared_datasets / "lytro"
    la = read_image(d / "lytro-01-A.jpg")[0][200:331, 100:247]
    lb = read_image(d / "lytro-01-B.jpg")[0][200:331, 100:247]
    v = shared_datasets / "vifb" / "sources"
    ir = read_image(v / "IR" / "carLight.jpg")[0][40:141, 60:179]
    vi = read_image(v / "VI" / "carLight.jpg")[0][40:141, 60:179]
    return {
        "camera-odd": (cam[:101, :87], cam[7:108, 3:90], (cam[:101, :87] + cam[7:108, 3:90]) / 2),
        "astronaut-uint8": (ast[:64, :96], ast[30:94, 40:136], np.maximum(ast[:64, :96], ast[30:94, 40:136])),
        "lytro-rgb": (la, lb, np.where(la.mean(axis=2, keepdims=True) > lb.mean(axis=2, keepdims=True), la, lb)),
        "vifb-mixed": (ir, vi, 0.5 * np.asarray(ir, float)[..., None] + 0.5 * vi if ir.ndim == 2 else (ir + vi) / 2),
        "random-float": tuple(rng.uniform(0, 255, (37, 53)) for _ in range(3)),
        "flat-and-zero": (np.zeros((9, 11)), np.full((9, 11), 80.0), np.full((9, 11), 80.0)),
        "tiny-3x3": (cam[:3, :3], cam[3:6, :3], cam[:3, 3:6]),
    }


@pytest.fixture(scope="module")
def triples(shared_datasets):
    return _triples(shared_datasets)


@pytest.mark.parametrize("convention", ["default", "vifb", "mefb"])
def test_kernels_agree_with_the_numpy_code(triples, convention, monkeypatch):
    for case, (a, b, f) in triples.items():
        for name in SHARING:
            if convention not in metrics.get_metric(name).conventions:
                continue
            fast, slow = _both(name, a, b, f, convention, monkeypatch)
            assert fast == pytest.approx(slow, rel=REL, abs=1e-300), (case, name, convention)


def test_the_sums_are_numpys_pairwise_sums():
    rng = np.random.default_rng(3)
    for n in (1, 7, 8, 9, 127, 128, 129, 1000, 270400, 519 * 517):
        x = rng.standard_normal(n) * rng.uniform(0.1, 1e3, n)
        assert _numba.pairwise_sum(x) == np.sum(x), n
    x = rng.standard_normal((61, 70))[1:, :-1].copy()
    assert _numba.pairwise_sum(x) == np.sum(x)


def test_vectorised_atan_and_exp_are_within_one_ulp_of_libm():
    rng = np.random.default_rng(5)
    x = np.concatenate([rng.normal(0, 3, 5000), rng.uniform(-1, 1, 3000) * 1e4, [0.0, -0.0, 0.4375, 2.4375, 1e300]])
    y = x.copy()
    _numba.atan_buf(y, y.size)
    ref = np.arctan(x)
    assert np.all(np.abs(y - ref) <= np.spacing(np.abs(ref))), "atan beyond 1 ulp"
    e = np.clip(rng.normal(0, 10, 4096), -700, 700)
    z, work = e.copy(), np.empty_like(e)
    _numba.exp_buf(z, work, z.size)
    ref = np.exp(e)
    assert np.all(np.abs(z - ref) <= np.spacing(ref)), "exp beyond 1 ulp"


def test_qabf_and_qlabf_kernels_on_a_whole_lytro_pair_move_nothing_at_1e_15(shared_datasets, monkeypatch):
    d = shared_datasets / "lytro"
    a = read_image(d / "lytro-02-A.jpg")[0]
    b = read_image(d / "lytro-02-B.jpg")[0]
    f = (np.asarray(a, float) + b) / 2
    for name in ("qabf", "qlabf", "qag", "qsf", "qmi"):
        fast, slow = _both(name, a, b, f, "default", monkeypatch)
        assert fast == pytest.approx(slow, rel=1e-15), name


@pytest.mark.parametrize("convention", ["default", "vifb", "mefb"])
def test_kept_source_maps_give_the_same_bits_as_the_one_pass_kernel(triples, convention):
    """compute_many over several fused images keeps the sources' maps after the first: same values."""
    a, b, f = triples["lytro-rgb"]
    g = np.asarray(f, float) * 0.5 + np.asarray(a, float) * 0.5
    names = [n for n in ("qabf", "qlabf", "qnabf", "qabf-petrovic") if convention in metrics.get_metric(n).conventions]
    many = metrics.compute_many(names, a, b, [f, g, f], convention)  # 2nd and 3rd use the maps
    for fused, got in zip((f, g, f), many):
        assert got == metrics.compute_many(names, a, b, fused, convention)  # one pass, no maps
    with metrics.shared_features() as cache:  # as the runner scores a pair's methods
        first = metrics.compute_many(names, a, b, f, convention)
        cache.keep_only(a, b)
        assert metrics.compute_many(names, a, b, g, convention) == many[1]
        assert any("maps" in k[1] for k in cache._entries)  # the maps were really used
        cache.keep_only(a, b)
        assert metrics.compute_many(names, a, b, f, convention) == first
