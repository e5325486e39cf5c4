"""SSIM / PSNR / RMSE: functional core and the registered metrics (default conventions)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.metrics import structural_similarity

import metrics
from bench.color import luma
from metrics.structural.ssim import ssim_map, uiqi_map


def test_ssim_map_valid_shape_and_identity(lytro_pair):
    a = luma(lytro_pair[0])
    m = ssim_map(a, a)
    assert m.shape == (a.shape[0] - 10, a.shape[1] - 10)
    np.testing.assert_allclose(m, 1.0, atol=1e-12)


def test_ssim_map_mean_agrees_with_scikit_image(lytro_pair):
    a, b = (luma(x) for x in lytro_pair)
    ours = ssim_map(a, b).mean()
    ref = structural_similarity(
        a, b, data_range=255.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert ours == pytest.approx(ref, abs=1e-6)


def test_ssim_map_rejects_tiny_or_mismatched_images():
    with pytest.raises(ValueError, match="window"):
        ssim_map(np.zeros((5, 5)), np.zeros((5, 5)))
    with pytest.raises(ValueError, match="equal"):
        ssim_map(np.zeros((20, 20)), np.zeros((20, 21)))


def test_uiqi_map_identity_and_decrease_with_noise(lytro_pair, rng):
    a = luma(lytro_pair[0])[:128, :128]
    assert np.allclose(uiqi_map(a, a), 1.0)
    noisy = a + rng.normal(0, 20, a.shape)
    assert uiqi_map(a, noisy).mean() < 0.9


def test_ssim_metric_max_at_perfect_fusion_and_drops_with_noise(lytro_pair, rng):
    a = lytro_pair[0]
    assert metrics.compute("ssim", a, a, a) == pytest.approx(2.0, abs=1e-12)
    noisy = np.clip(a + rng.normal(0, 15, a.shape), 0, 255)
    assert metrics.compute("ssim", a, a, noisy) < 1.9


def test_psnr_and_rmse_of_constant_offset(lytro_pair):
    a = np.clip(luma(lytro_pair[0]), 20, 200)
    f = a + 10.0
    assert metrics.compute("psnr", a, a, f) == pytest.approx(10 * np.log10(255.0**2 / 100.0), rel=1e-12)
    assert metrics.compute("rmse", a, a, f) == pytest.approx(10.0, rel=1e-12)
    assert metrics.compute("psnr", a, a, a) == float("inf")


def test_similarity_metrics_symmetric_in_sources(lytro_pair):
    a, b = lytro_pair
    f = (a + b) / 2
    for name in ("ssim", "psnr", "rmse"):
        assert metrics.compute(name, a, b, f) == pytest.approx(metrics.compute(name, b, a, f), rel=1e-12)


def test_vifb_psnr_rmse_use_vifb_error_definition(lytro_pair):
    a, b = lytro_pair
    f = (a + b) / 2
    # VIFB's e(X,F) = sqrt(sum (X-F)^2) / (M N) per channel
    e = [
        (np.sqrt(np.sum((a[..., k] - f[..., k]) ** 2)) + np.sqrt(np.sum((b[..., k] - f[..., k]) ** 2)))
        / 2
        / a[..., 0].size
        for k in range(3)
    ]
    assert metrics.compute("rmse", a, b, f, convention="vifb") == pytest.approx(np.mean(e), rel=1e-12)
    psnr = np.mean([20 * np.log10(255 / np.sqrt(v)) for v in e])
    assert metrics.compute("psnr", a, b, f, convention="vifb") == pytest.approx(psnr, rel=1e-12)
