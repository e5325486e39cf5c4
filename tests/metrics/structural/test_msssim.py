"""MS-SSIM (Wang et al. 2003) built on the SSIM core of metrics.structural.ssim."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from bench.io import read_image
from metrics.structural.msssim import MS_SSIM_WEIGHTS, cs_mean, downsample2, ms_ssim_pair, n_scales
from metrics.structural.ssim import ssim_map


def test_downsample2_is_a_2x2_block_mean(rng):
    x = rng.uniform(0, 255, (10, 12))
    expected = x.reshape(5, 2, 6, 2).mean(axis=(1, 3))
    np.testing.assert_allclose(downsample2(x), expected)
    assert downsample2(rng.uniform(0, 255, (11, 13))).shape == (6, 7)


def test_scale_count_depends_on_the_smaller_side():
    assert n_scales((520, 520)) == 5
    assert n_scales((161, 300)) == 5 and n_scales((160, 300)) == 4
    assert n_scales((11, 11)) == 1 and n_scales((10, 50)) == 0


def test_single_scale_ms_ssim_is_ssim(lytro_pair):
    a, b = (luma(x)[:20, :20] for x in lytro_pair)  # too small for a second scale
    assert n_scales(a.shape) == 1
    assert ms_ssim_pair(a, b) == pytest.approx(float(ssim_map(a, b).mean()), rel=1e-12)


def test_five_scale_product_matches_its_definition(lytro_pair):
    a, b = (luma(x) for x in lytro_pair)
    terms = []
    x, y = a, b
    for _ in range(4):
        terms.append(cs_mean(x, y))
        x, y = downsample2(x), downsample2(y)
    terms.append(float(ssim_map(x, y).mean()))
    expected = np.prod(np.maximum(terms, 0) ** MS_SSIM_WEIGHTS)
    assert ms_ssim_pair(a, b) == pytest.approx(expected, rel=1e-12)
    assert 0.5 < expected < 1.0


def test_identity_blur_and_noise_ordering(lytro_pair, rng):
    a = luma(lytro_pair[0])
    assert ms_ssim_pair(a, a) == pytest.approx(1.0, abs=1e-12)
    slight = ms_ssim_pair(a, ndimage.gaussian_filter(a, 1.0))
    strong = ms_ssim_pair(a, ndimage.gaussian_filter(a, 3.0))
    assert 1.0 > slight > strong
    # MS-SSIM forgives a small global brightness shift much more than noise
    assert ms_ssim_pair(a, a + 10) > ms_ssim_pair(a, a + rng.normal(0, 10, a.shape))


def test_fusion_score_sums_both_sources_and_prefers_the_real_fusion(lytro_pair, shared_datasets):
    a, b = lytro_pair
    f, _ = read_image(shared_datasets / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")
    score = metrics.compute("ms-ssim", a, b, f)
    assert score == pytest.approx(ms_ssim_pair(luma(a), luma(f)) + ms_ssim_pair(luma(b), luma(f)))
    assert metrics.compute("ms-ssim", a, a, a) == pytest.approx(2.0)
    assert score > metrics.compute("ms-ssim", a, b, ndimage.gaussian_filter(f, (3, 3, 0)))


def test_too_small_is_a_clear_error():
    x = np.zeros((8, 30))
    with pytest.raises(ValueError, match="ms-ssim"):
        metrics.compute("ms-ssim", x, x, x)
