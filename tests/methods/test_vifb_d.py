"""cnn-irvis, gtf and ifevip: their building blocks against independent statements, and each
method against VIFB's published image of a small pair (walking, 320×240)."""

from __future__ import annotations

import numpy as np
import pytest

import methods
from bench.io import read_image
from bench.matlab import imfilter
from bench.validate.mfifb_outputs import psnr, save_like


@pytest.fixture(scope="module")
def walking(shared_datasets):
    root = shared_datasets / "vifb"
    vis, _ = read_image(root / "sources" / "VI" / "walking.jpg")
    ir, _ = read_image(root / "sources" / "IR" / "walking.jpg")
    return vis, ir, root / "fused"


def _against_vifb(walking, method, vifb_name):
    vis, ir, fused = walking
    ours = np.rint(methods.get_method(method).fuse(vis, ir).image)
    theirs, _ = read_image(fused / f"walking_{vifb_name}.jpg")
    return psnr(ours, theirs), psnr(save_like(ours, fused / f"walking_{vifb_name}.jpg"), theirs)


# -- cnn-irvis ------------------------------------------------------------------------------
def test_cnn_irvis_expand_is_mertens_upsample():
    from methods.cnn_irvis import KERNEL, _expand

    rng = np.random.default_rng(3)
    for shape in [(7, 9), (8, 6)]:
        coarse = rng.random(((shape[0] + 1) // 2, (shape[1] + 1) // 2))
        # Mertens' upsample.m: replicate-pad by 1, insert zeros (×4), filter with zero
        # borders, drop the 2-pixel frame (and one more row/column for odd sizes)
        p = np.pad(coarse, 1, mode="edge")
        up = np.zeros((2 * p.shape[0], 2 * p.shape[1]))
        up[::2, ::2] = 4.0 * p
        up = imfilter(up, np.outer(KERNEL, KERNEL), "zero")
        odd = (2 * coarse.shape[0] - shape[0], 2 * coarse.shape[1] - shape[1])
        ref = up[2 : up.shape[0] - 2 - odd[0], 2 : up.shape[1] - 2 - odd[1]]
        np.testing.assert_allclose(_expand(coarse, shape), ref, atol=1e-12)


def test_cnn_irvis_band_fuse_takes_the_stronger_band_where_they_differ():
    from methods.cnn_irvis import band_fuse

    rng = np.random.default_rng(0)
    strong, weak = rng.normal(0, 10, (12, 12)), rng.normal(0, 1, (12, 12))
    out = band_fuse(strong, -weak, np.full((12, 12), 0.5))
    # uncorrelated bands of unequal energy: the match measure stays low, choose-max wins
    assert np.mean(out == strong) > 0.9


def test_cnn_irvis_matches_vifb_cnn(walking):
    raw, saved = _against_vifb(walking, "cnn-irvis", "CNN")
    assert raw > 36.0 and saved > 60.0  # measured 38.1 / 71.8 dB: their JPEG is the difference


# -- gtf ------------------------------------------------------------------------------------
def test_gtf_transposed_differences_are_adjoints():
    from methods.gtf import _dx, _dxt, _dy, _dyt

    rng = np.random.default_rng(1)
    u, v = rng.random((2, 9, 11)), rng.random((2, 9, 11))
    assert np.isclose(np.vdot(_dx(u), v), np.vdot(u, _dxt(v)))
    assert np.isclose(np.vdot(_dy(u), v), np.vdot(u, _dyt(v)))


def test_gtf_irn_lowers_the_l1_tv_objective():
    from methods.gtf import _dx, _dy, irn_l1tv

    rng = np.random.default_rng(2)
    s = np.zeros((1, 40, 40))
    s[0, 10:30, 10:30] = 0.6
    s += np.where(rng.random(s.shape) < 0.05, rng.normal(0, 0.5, s.shape), 0.0)  # impulses

    def objective(u, lam=1.0):
        return np.abs(u - s).sum() + lam * np.sqrt(_dx(u) ** 2 + _dy(u) ** 2).sum()

    u = irn_l1tv(s, 1.0)
    assert objective(u) < 0.6 * objective(s)
    assert objective(u) < objective(np.zeros_like(s))
    # ℓ1-TV removes the impulses and keeps the square's contrast
    assert abs(np.median(u[0, 15:25, 15:25]) - 0.6) < 0.05 and np.abs(u[0, :5, :5]).max() < 0.05


def test_gtf_cg_clamps_a_tolerance_of_one_or_more_as_matlab_pcg():
    """MATLAB's pcg replaces tol >= 1 by 1 - eps: a solve asked for 2x the right-hand
    side's norm from a start 3x off still has to get below ‖b‖ (IRN's first solve asks
    for relres / 5 >= 1 on half of VIFB's pairs)."""
    from methods.gtf import _cg, _norm

    rng = np.random.default_rng(3)
    m = rng.normal(size=(60, 60))
    a = m @ m.T + 0.5 * np.eye(60)
    b = rng.normal(size=60)
    x0 = np.linalg.solve(a, b + 3.0 * _norm(b) * np.eye(60)[0])  # residual: 3‖b‖
    assert np.isclose(_norm(b - a @ x0), 3.0 * _norm(b))
    x, its = _cg(lambda v: a @ v, b, 2.0, 100, x0)
    assert its >= 1 and _norm(b - a @ x) <= _norm(b)
    assert (x == _cg(lambda v: a @ v, b, 1.0 - np.finfo(float).eps, 100, x0)[0]).all()
    # a start that already meets the tolerance is returned untouched
    assert _cg(lambda v: a @ v, b, 0.5, 100, np.linalg.solve(a, b))[1] == 0


def test_gtf_matches_vifb_gtf(walking):
    raw, saved = _against_vifb(walking, "gtf", "GTF")
    # bit-identical once saved as MATLAB saves (v1, without pcg's tolerance clamp: 40.5 dB)
    assert raw > 37.0 and saved == np.inf  # measured 37.9 / inf dB


# -- ifevip ---------------------------------------------------------------------------------
def test_ifevip_quadtree_tiles_and_splits_only_busy_blocks():
    from methods.ifevip import quadtree

    x = np.full((128, 128), 100.0)
    assert quadtree(x, 51.0, 16) == [(0, 0, 128)]
    x[5, 100] = 200.0  # one bright pixel: its block splits down to the minimum size
    blocks = quadtree(x, 51.0, 16)
    assert sum(d * d for _, _, d in blocks) == 128 * 128
    assert (0, 96, 16) in blocks and max(d for _, _, d in blocks) == 64


def test_ifevip_bezier_background_reproduces_a_constant():
    from methods.ifevip import bezier_background

    low = np.full((64, 64), 37.0)
    bg = bezier_background([(0, 0, 32), (0, 32, 32), (32, 0, 32), (32, 32, 32)], low)
    np.testing.assert_allclose(bg, 37.0, atol=1e-9)  # Bernstein weights sum to one


def test_ifevip_matches_vifb_ifevip(walking):
    raw, saved = _against_vifb(walking, "ifevip", "IFEVIP")
    assert raw > 36.0 and saved > 44.0  # measured 38.1 / 46.9 dB
