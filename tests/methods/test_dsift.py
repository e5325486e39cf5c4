"""``dsift``: each step against a pixel-by-pixel reading of its definition (Liu, Liu & Wang
2015), focus selection, and agreement with the authors' outputs (MFIFB) on Lytro crops."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import methods
from bench.io import read_image
from methods import dsift


def _sf(p):
    """Spatial frequency √(RF² + CF²), each a mean over the m·n window (the paper's SF)."""
    m, n = p.shape
    return np.sqrt(((p[1:] - p[:-1]) ** 2).sum() / (m * n) + ((p[:, 1:] - p[:, :-1]) ** 2).sum() / (m * n))


@pytest.mark.parametrize("h, w, block", [(23, 31, 8), (20, 17, 5)])
def test_initial_maps_follow_the_block_vote(h, w, block):
    """A pixel is sure-A iff every block covering it has the larger activity sum (no cleanup)."""
    rng = np.random.default_rng(h)
    act_a, act_b = rng.random((h, w)), rng.random((h, w))
    votes_a, votes_b, count = np.zeros((h, w)), np.zeros((h, w)), np.zeros((h, w))
    for y in range(h - block + 1):
        for x in range(w - block + 1):
            sa = act_a[y:y + block, x:x + block].sum()
            sb = act_b[y:y + block, x:x + block].sum()
            votes_a[y:y + block, x:x + block] += sa > sb
            votes_b[y:y + block, x:x + block] += sb > sa
            count[y:y + block, x:x + block] += 1
    sure_a, sure_b = dsift.initial_maps(act_a, act_b, block, min_area=0)
    assert np.array_equal(sure_a, votes_a == count)
    assert np.array_equal(sure_b, votes_b == count)
    assert 0 < sure_a.sum() < h * w and not (sure_a & sure_b).any()


def test_small_regions_and_holes_are_removed():
    act_a = np.zeros((40, 40))
    act_a[:, :20] = 1.0  # A wins on the left half ...
    act_a[5:9, 25:29] = 2.0  # ... and on a 4×4 speck on the right
    act_b = np.full((40, 40), 0.5)
    sure_a, _ = dsift.initial_maps(act_a, act_b, 2, min_area=100)
    assert not sure_a[5:9, 25:29].any()  # 16 px speck gone
    assert sure_a[:, :19].all()


def test_matching_refinement_follows_its_definition():
    """Undecided pixels: nearest descriptor in the 7×7 neighbourhood (first in column-major
    order), then the two SF comparisons decide A, B or neither."""
    rng = np.random.default_rng(1)
    h, w = 30, 34
    ga = rng.integers(0, 256, (h, w)).astype(float)
    gb = np.round(ndimage.gaussian_filter(ga, 1.0))
    gb[:, 20:] = ga[:, 20:]  # partly identical: ties and "neither" cases too
    ga[:, 25:] = np.round(ndimage.gaussian_filter(ga, 1.5))[:, 25:]
    da = dsift.normalize_sift(dsift.dense_sift(ga))
    db = dsift.normalize_sift(dsift.dense_sift(gb))
    zero = np.zeros((h, w))
    d = dsift.refine_with_matching(ga, gb, zero, zero, da, db, chunk=97)
    r = 3
    ref = np.full((h, w), 0.5)
    for y in range(r, h - r):
        for x in range(r, w - r):
            d1 = ((db[y - r:y + r + 1, x - r:x + r + 1] - da[y, x]) ** 2).sum(2)
            d2 = ((da[y - r:y + r + 1, x - r:x + r + 1] - db[y, x]) ** 2).sum(2)
            k1, k2 = np.argmin(d1.T.ravel()), np.argmin(d2.T.ravel())
            y12, x12 = y - r + k1 % 7, x - r + k1 // 7
            y21, x21 = y - r + k2 % 7, x - r + k2 // 7
            if not (r <= min(y12, y21) and max(y12, y21) < h - r
                    and r <= min(x12, x21) and max(x12, x21) < w - r):
                continue
            f1, f12 = _sf(ga[y - r:y + r + 1, x - r:x + r + 1]), _sf(gb[y12 - r:y12 + r + 1, x12 - r:x12 + r + 1])
            f2, f21 = _sf(gb[y - r:y + r + 1, x - r:x + r + 1]), _sf(ga[y21 - r:y21 + r + 1, x21 - r:x21 + r + 1])
            if f1 > f12 and f2 < f21:
                ref[y, x] = 1.0
            if f1 < f12 and f2 > f21:
                ref[y, x] = 0.0
    assert np.array_equal(d, ref)
    assert {0.0, 0.5, 1.0} <= set(np.unique(ref))


def test_lowe_normalisation():
    rng = np.random.default_rng(2)
    d = rng.random((5, 6, 128)).astype(np.float32)
    d[0, 0] *= 0.01  # norm < 1: left as is
    d[1, 1, 0] = 50.0  # one dominant bin: clipped at 0.2 before renormalising
    n = dsift.normalize_sift(d)
    assert np.array_equal(n[0, 0], d[0, 0])
    norms = np.linalg.norm(n.reshape(-1, 128).astype(float), axis=1)
    assert np.allclose(np.delete(norms, 0), 1.0, atol=1e-5)
    # the dominant bin was clipped to 0.2 of the unit vector before renormalising
    unit = d[1, 1].astype(float) / np.linalg.norm(d[1, 1].astype(float))
    assert unit[0] > 0.9
    assert n[1, 1][0] / n[1, 1][5] == pytest.approx(0.2 / unit[5], rel=1e-5)


def test_decision_map_picks_the_sharp_half(lytro_pair):
    x = lytro_pair[0][150:310, 100:300]
    blur = ndimage.gaussian_filter(x, (3, 3, 0))
    a, b = x.copy(), x.copy()
    a[:, :100], b[:, 100:] = blur[:, :100], blur[:, 100:]
    d = methods.get_method("dsift").fuse(a, b, min_area=400).decision_map
    assert d[:, 115:].mean() > 0.95 and d[:, :85].mean() < 0.05


@pytest.mark.parametrize("pair", ["lytro_03", "lytro_11"])
def test_agrees_with_the_authors_output_on_a_crop(shared_datasets, pair):
    """On whole pairs ours is bit-identical to MFIFB's once saved as theirs (see
    docs/methods/dsift-dwtde.md; a whole pair takes too long for a test). On a 16-aligned
    160×160 crop, with ``min_area`` scaled to the crop's share of 520² so the cleanup acts
    alike, descriptors and blocks near the crop's borders lose their context; the crop must
    still pass the issue's PSNR bar, 35 dB (43.1 and 38.3 dB measured)."""
    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / f"{pair}_A.jpg")
    b, _ = read_image(root / "sources" / f"{pair}_B.jpg")
    theirs, _ = read_image(root / "fused" / "DSIFT" / f"{pair}_DSIFT.jpg")
    win = (slice(176, 336), slice(176, 336))
    area = round(3600 * 160 * 160 / 520**2)
    ours = np.rint(methods.get_method("dsift").fuse(a[win], b[win], min_area=area).image)
    psnr = 10 * np.log10(255.0**2 / np.mean((ours - theirs[win]) ** 2))
    assert psnr > PSNR_CROP, (pair, psnr)


PSNR_CROP = 35.0  # issue 14's acceptance threshold


def test_without_matching_every_inner_undecided_pixel_takes_the_larger_sf():
    rng = np.random.default_rng(3)
    ga = rng.integers(0, 256, (16, 18)).astype(float)
    gb = np.round(ndimage.gaussian_filter(ga, 0.8))
    sure_a = np.zeros((16, 18))
    sure_a[:, :4] = 1.0
    d = dsift.refine_without_matching(ga, gb, sure_a, np.zeros((16, 18)))
    for y in range(16):
        for x in range(18):
            if x < 4:
                assert d[y, x] == 1.0
            elif 3 <= y < 13 and x < 15:
                sa = _sf(ga[y - 3:y + 4, x - 3:x + 4])
                sb = _sf(gb[y - 3:y + 4, x - 3:x + 4])
                assert d[y, x] == float(sa > sb)
            else:
                assert d[y, x] == 0.5
