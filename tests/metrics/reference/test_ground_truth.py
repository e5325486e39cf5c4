"""Full-reference metrics (PSNR/SSIM/RMSE vs ground truth) and decision-map metrics."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

import metrics
from bench.color import luma
from bench.errors import ParameterError
from bench.io import read_image


@pytest.fixture(scope="module")
def voc_triplet(shared_datasets):
    root = shared_datasets / "mf-voc"
    name = sorted(p.name for p in (root / "groundtruth").iterdir())[0]
    return tuple(read_image(root / d / name)[0] for d in ("sourceA", "sourceB", "groundtruth"))


def test_image_metrics_against_scikit_image(voc_triplet):
    a, b, gt = voc_triplet
    f = (a + b) / 2
    fl, gl = luma(f), luma(gt)
    assert metrics.compute("psnr-gt", a, b, f, reference=gt) == pytest.approx(
        peak_signal_noise_ratio(gl, fl, data_range=255), rel=1e-12
    )
    assert metrics.compute("rmse-gt", a, b, f, reference=gt) == pytest.approx(
        np.sqrt(np.mean((fl - gl) ** 2)), rel=1e-12
    )
    ssim_sk = structural_similarity(
        gl, fl, data_range=255, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
    )
    assert metrics.compute("ssim-gt", a, b, f, reference=gt) == pytest.approx(ssim_sk, rel=1e-9)


def test_perfect_and_worse_fusions(voc_triplet):
    a, b, gt = voc_triplet
    assert metrics.compute("psnr-gt", a, b, gt, reference=gt) == float("inf")
    assert metrics.compute("rmse-gt", a, b, gt, reference=gt) == 0.0
    assert metrics.compute("ssim-gt", a, b, gt, reference=gt) == pytest.approx(1.0)
    avg = (a + b) / 2  # blurs every region a bit: worse than the ground truth
    assert metrics.compute("ssim-gt", a, b, avg, reference=gt) < 0.99
    assert metrics.get_metric("rmse-gt").higher_is_better is False


def test_decision_map_metrics():
    mask = np.zeros((10, 10))
    mask[:, :5] = 1
    perfect = mask.copy()
    shifted = np.roll(mask, 1, axis=1) * 0.9  # soft map, one column off on each side
    z = np.zeros((10, 10))
    for d, acc, iou in ((perfect, 1.0, 1.0), (shifted, 0.8, 4 / 6), (1 - mask, 0.0, 0.0)):
        assert metrics.compute("map-accuracy", z, z, z, decision_map=d, mask=mask) == pytest.approx(acc)
        assert metrics.compute("map-iou", z, z, z, decision_map=d, mask=mask) == pytest.approx(iou)
    assert metrics.compute("map-iou", z, z, z, decision_map=z, mask=z * 255) == 1.0  # both empty
    assert metrics.compute("map-accuracy", z, z, z, decision_map=perfect, mask=mask * 255) == 1.0


def test_missing_inputs_are_clear_errors():
    z = np.zeros((12, 12))
    with pytest.raises(ParameterError, match="reference"):
        metrics.compute("psnr-gt", z, z, z)
    with pytest.raises(ParameterError, match="decision map"):
        metrics.compute("map-iou", z, z, z)
