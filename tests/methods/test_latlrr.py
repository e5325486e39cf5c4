"""latlrr: the released projection, the decomposition identity, VIFB's cumulative details,
and agreement with VIFB's published LatLRR image on a crop (the method is local: 8×8
patches over 4 levels reach at most 28 px)."""

from __future__ import annotations

import numpy as np
import pytest

import methods
from bench.io import read_image
from bench.validate.mfifb_outputs import psnr
from methods.latlrr import decompose, fuse_gray, load_projection


@pytest.fixture(scope="module")
def kettle(shared_datasets):
    root = shared_datasets / "vifb"
    vis, _ = read_image(root / "sources" / "VI" / "kettle.jpg")
    ir, _ = read_image(root / "sources" / "IR" / "kettle.jpg")
    theirs, _ = read_image(root / "fused" / "kettle_LatLRR.jpg")
    return vis, ir, theirs


def test_projection_is_the_released_matrix():
    proj = load_projection(8)
    assert proj.shape == (64, 64)
    # a salient-feature extractor: a flat patch is the direction it attenuates most
    gain_flat = np.linalg.norm(proj @ np.ones(64)) / 8.0
    sv = np.linalg.svd(proj, compute_uv=False)
    assert gain_flat < 0.2 * sv[0] and gain_flat < 1.01 * sv[-1]


def test_decomposition_is_exact_and_paper_rule_returns_x(kettle):
    vis = kettle[0][200:240, 300:350, 1] / 255.0
    proj = load_projection(8)
    base, details, count = decompose(vis, proj, levels=3)
    assert len(details) == 3 and details[0].shape == ((40 - 7) * (50 - 7), 64)
    assert count.max() == 64 and count[0, 0] == 1
    # fuse(X, X) with the paper's sum of details gives X back (base + details = X)
    np.testing.assert_allclose(fuse_gray(vis, vis, proj, 3, cumulative_details=False), vis, atol=1e-12)


def test_vifb_cumulative_details_weight_level_k_by_n_minus_k_plus_1(kettle):
    x = kettle[0][200:240, 300:350, 0] / 255.0
    proj = load_projection(8)
    base, details, count = decompose(x, proj, levels=2)
    from methods.latlrr import _overlap_add

    d1 = _overlap_add(details[0], x.shape, 8)[0] / count
    d2 = _overlap_add(details[1], x.shape, 8)[0] / count
    np.testing.assert_allclose(base + d1 + d2, x, atol=1e-12)
    # identical sources: the fused details are the details; VIFB adds level 1 twice
    np.testing.assert_allclose(fuse_gray(x, x, proj, 2), base + 2 * d1 + d2, atol=1e-12)


def test_agrees_with_vifb_latlrr_on_a_crop(kettle):
    vis, ir, theirs = kettle
    y0, x0, size, margin = 180, 260, 96, 32
    sl = (slice(y0, y0 + size), slice(x0, x0 + size))
    ours = methods.get_method("latlrr").fuse(vis[sl], ir[sl]).image
    inner = (slice(margin, size - margin),) * 2
    got, ref = np.rint(ours[inner]), theirs[sl][inner]
    assert psnr(got, ref) > 35.0  # their JPEG is the only difference (full image: 37.4 dB)
    # VIFB's cumulative details: the paper's sum is visibly further from their image
    paper = methods.get_method("latlrr").fuse(vis[sl], ir[sl], cumulative_details=False).image
    assert psnr(np.rint(paper[inner]), ref) < psnr(got, ref) - 3.0
