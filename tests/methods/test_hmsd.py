"""gfce, hmsd-gf, hybrid-msd, vsmwls (methods/hmsd.py) and their building blocks.

Agreement with VIFB's published outputs: benchmarks/agreement_vifb_c.py gives, on all
21 VIFB pairs and for all four methods, our 8-bit output encoded as their JPEG was
encoded bit-identical to their file (PSNR ∞). Here one whole pair (walking, 240×320,
the smallest) is checked the same way, with 50 dB as the bar (a few ±1 JPEG decoder
differences across libjpeg builds allowed). The pair must be whole: every method
normalises globally (IR stretch, max R_j, perceptual saliency, histogram saliency), so
a crop's fusion is not the crop of the published fusion.
"""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

import methods
from bench.io import read_image
from bench.validate.mfifb_outputs import psnr, save_like
from methods import hmsd
from methods.filters import guided_filter

VIFB = {"gfce": "GFCE", "hmsd-gf": "HMSD_GF", "hybrid-msd": "Hybrid_MSD", "vsmwls": "VSMWLS"}


@pytest.mark.parametrize("name", list(VIFB))
def test_matches_vifb_published_output(name, shared_datasets):
    root = shared_datasets / "vifb"
    a, _ = read_image(root / "sources" / "VI" / "walking.jpg")
    b, _ = read_image(root / "sources" / "IR" / "walking.jpg")
    theirs_path = root / "fused" / f"walking_{VIFB[name]}.jpg"
    theirs, _ = read_image(theirs_path)
    ours = np.rint(methods.get_method(name).fuse(a, b).image)
    assert psnr(save_like(ours, theirs_path), theirs) >= 50.0


def _ir_target_pair(size=96):
    vis = data.camera()[100:100 + size, 200:200 + size].astype(np.float64) * 0.6
    yy, xx = np.mgrid[0:size, 0:size]
    blob = np.exp(-((yy - 48) ** 2 + (xx - 40) ** 2) / (2 * 8.0**2))
    ir = 20.0 + 210.0 * blob
    return vis, ir, blob > 0.8


@pytest.mark.parametrize("name", list(VIFB))
def test_hot_ir_target_is_injected(name):
    vis, ir, target = _ir_target_pair()
    fused = methods.get_method(name).fuse(vis, ir).image
    # the warm target stands out of the visible scene in the fusion
    assert fused[target].mean() > vis[target].mean() + 40
    # and the visible scene away from it is kept (correlation with the visible image)
    far = np.zeros_like(target)
    far[:, 70:] = True
    assert np.corrcoef(fused[far], vis[far])[0, 1] > 0.9


def test_hmsd_gf_identity_up_to_the_authors_gain():
    x = np.rint(data.camera()[:64, :80].astype(np.float64))
    m = methods.get_method("hmsd-gf")
    # the decomposition telescopes: with unit gain, identical sources come back exactly
    assert np.array_equal(m.fuse(x, x, output_scale=255.0).image, x)
    # the default gain is the authors' round(275·F)
    expected = np.clip(hmsd.round_half_away(x / 255.0 * 275.0), 0, 255)
    assert np.abs(m.fuse(x, x).image - expected).max() <= 1.0


def test_fast_guided_filter_without_subsampling_is_the_guided_filter():
    x = data.camera()[:50, :60].astype(np.float64) / 255
    assert np.allclose(hmsd.fast_guided_filter(x, x, 4, 0.01, 1.0), guided_filter(x, x, 4, 0.01))


def test_bilateral_grid_smooths_noise_and_keeps_edges():
    rng = np.random.default_rng(0)
    step = np.tile(np.r_[np.full(30, 0.2), np.full(30, 0.8)], (40, 1))
    noisy = step + rng.normal(0, 0.02, step.shape)
    out = hmsd.bilateral_grid(noisy, 4.0, 0.1)
    assert np.std(out[5:-5, 5:25] - 0.2) < 0.4 * np.std(noisy[5:-5, 5:25] - 0.2)
    assert np.abs(out - step)[:, 28:32].max() < 0.1  # no mixing of the two sides
    flat = np.full((20, 30), 0.37)
    assert np.allclose(hmsd.bilateral_grid(flat, 2.0, 0.05), 0.37)


def test_bilateral_grid_close_to_the_exact_bilateral_filter():
    x = data.camera()[200:248, 200:248].astype(np.float64) / 255
    ss, sr = 2.0, 0.1
    w = 6
    pad = np.pad(x, w, mode="edge")
    num = np.zeros_like(x)
    den = np.zeros_like(x)
    for dy in range(-w, w + 1):
        for dx in range(-w, w + 1):
            nb = pad[w + dy:w + dy + 48, w + dx:w + dx + 48]
            wt = np.exp(-(dy * dy + dx * dx) / (2 * ss**2) - (nb - x) ** 2 / (2 * sr**2))
            num += wt * nb
            den += wt
    exact = num / den
    # the grid approximation (Paris & Durand) stays within a few grey levels on average
    assert np.mean(np.abs(hmsd.bilateral_grid(x, ss, sr) - exact)) * 255 < 4.0


def test_adaptive_lambda_follows_relative_saliency():
    tex = data.camera()[:80, :80].astype(np.float64)
    flat = np.full((80, 80), 100.0) + np.linspace(0, 1, 80)[None, :]
    assert hmsd.adaptive_lambda(ir=flat, vis=tex) == 100.0
    assert hmsd.adaptive_lambda(ir=tex, vis=flat) == 2000.0
    assert 100.0 <= hmsd.adaptive_lambda(ir=tex, vis=tex * 0.9) <= 2000.0


def test_enhance_visibility_brightens_a_dark_image_in_order():
    dark = data.camera()[:60, :80].astype(np.float64) * 0.2
    out = hmsd.enhance_visibility(dark)
    assert out.mean() > 2 * dark.mean()
    assert out.max() <= 255.0
    # grey-level order of the stretched input is kept where the base is smooth
    assert np.corrcoef(out.ravel(), dark.ravel())[0, 1] > 0.9
