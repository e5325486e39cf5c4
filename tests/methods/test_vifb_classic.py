"""adf, cbf, tif, fpde: their building blocks against direct (slow) computations of the
papers' formulas, and their colour handling. Agreement with VIFB's outputs:
tests/bench/validate/test_vifb_outputs.py."""

from __future__ import annotations

import numpy as np
import pytest

import methods
from methods.adf import anisotropic_diffusion, kl_weights
from methods.cbf import cross_bilateral_filter, detail_significance
from methods.fpde import fourth_order_pde
from methods.tif import tif_fuse_gray

RNG = np.random.default_rng(7)


def test_cross_bilateral_filter_matches_the_per_pixel_formula():
    x, g = RNG.random((9, 11)) * 255, RNG.random((9, 11)) * 255
    out = cross_bilateral_filter(x, g, sigma_s=1.8, sigma_r=25.0, ksize=5)
    xp, gp = np.pad(x, 2, mode="reflect"), np.pad(g, 2, mode="reflect")
    yy, xx = np.mgrid[-2:3, -2:3]
    gs = np.exp(-(yy**2 + xx**2) / (2 * 1.8**2))
    for i, j in [(0, 0), (4, 5), (8, 10), (0, 10)]:
        win_x, win_g = xp[i : i + 5, j : j + 5], gp[i : i + 5, j : j + 5]
        w = gs * np.exp(-((win_g - g[i, j]) ** 2) / (2 * 25.0**2))
        assert out[i, j] == pytest.approx((w * win_x).sum() / w.sum(), rel=1e-12)


def test_detail_significance_is_the_sum_of_covariance_eigenvalues():
    d = RNG.normal(0, 10, (8, 9))
    wt = detail_significance(d, 5)
    p = np.pad(d, 2, mode="reflect")  # the authors' per_extn_im_fn: no edge repeat
    for i, j in [(0, 0), (3, 4), (7, 8)]:
        win = p[i : i + 5, j : j + 5]
        expect = np.linalg.eigvalsh(np.cov(win, rowvar=False)).sum() + np.linalg.eigvalsh(
            np.cov(win.T, rowvar=False)).sum()
        assert wt[i, j] == pytest.approx(expect, rel=1e-9)


def test_cbf_weights_favour_the_source_with_detail():
    flat = np.full((40, 40), 100.0)
    textured = flat + RNG.normal(0, 20, flat.shape)
    f = methods.get_method("cbf").fuse(flat, textured).image
    assert np.abs(f - textured).mean() < 0.2 * np.abs(flat - textured).mean()


def test_anisotropic_diffusion_smooths_noise_keeps_edges_and_sees_zero_outside():
    step = np.where(np.arange(40)[None, :] < 20, 50.0, 200.0) * np.ones((40, 1))
    noisy = step + RNG.normal(0, 3, step.shape)
    u = anisotropic_diffusion(noisy)
    inner = (slice(5, 35), slice(5, 15))
    assert u[inner].std() < 0.6 * noisy[inner].std()  # noise diffused
    assert u[20, 25] - u[20, 14] > 140  # the 150-level edge survives (κ = 30)
    flat = anisotropic_diffusion(np.full((31, 31), 30.0))  # ∇ = −30 towards the outside
    assert flat[15, 15] == 30.0  # 10 steps reach 10 pixels: the centre never sees the border
    assert flat[0, 0] < 25.0 and flat[0, 15] < flat[2, 15] < 30.0  # zero border (imfilter's)


def test_kl_weights_keep_the_sign_and_sum_to_one():
    x = RNG.normal(size=500)
    y = -0.3 * x + RNG.normal(0, 0.1, 500)
    ka, kb = kl_weights(x, y)
    assert ka + kb == pytest.approx(1.0) and kb < 0 < 1 < ka
    assert kl_weights(np.zeros(10), np.zeros(10)) == (0.5, 0.5)


def test_fourth_order_pde_leaves_planes_and_flattens_bumps():
    yy, xx = np.mgrid[:20, :30].astype(float)
    plane = 3.0 * xx - 2.0 * yy + 40
    assert np.allclose(fourth_order_pde(plane), plane)  # all second derivatives vanish
    bump = np.zeros((21, 21))
    bump[10, 10] = 50.0
    assert fourth_order_pde(bump).max() < 25.0


def test_tif_weights_follow_saliency():
    base = np.tile(np.linspace(50, 200, 64), (64, 1))
    spots = base.copy()
    spots[20:24, 20:24] += 50  # salient: far from its 35×35 mean, unlike its median
    f = tif_fuse_gray(base, spots)
    assert f[21, 21] - base[21, 21] > 0.8 * 50  # the salient detail is kept almost whole
    f_black = tif_fuse_gray(np.zeros((40, 40)), np.zeros((40, 40)), zero_saliency="black")
    assert f_black.max() == 0.0


@pytest.mark.parametrize("name", ["adf", "cbf", "tif", "fpde"])
def test_colour_visible_with_grey_infrared_is_per_channel(name):
    vis = RNG.random((24, 28, 3)) * 255
    ir = RNG.random((24, 28)) * 255
    method = methods.get_method(name)
    fused = method.fuse(vis, ir).image
    for c in range(3):
        assert np.allclose(fused[..., c], method.fuse(vis[..., c], ir).image)
    assert method.published_names["vifb"] and "vifb-classic" in method.groups
