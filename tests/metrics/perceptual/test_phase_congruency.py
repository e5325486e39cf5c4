"""Phase congruency (Kovesi) and Q_P (Zhao et al. 2007): behaviour + MEFB calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from bench.io import read_image
from bench.validate.mefb import metrics_vs_mefb
from metrics.perceptual.phase_congruency import log_gabor_bank, phase_congruency, qp_channel


@pytest.fixture(scope="module")
def crops(shared_datasets):
    """160×160 luma crops of Lytro pair 01 and its GFF fusion (keeps the FFTs cheap)."""
    d = shared_datasets
    imgs = [
        read_image(d / "lytro" / "lytro-01-A.jpg")[0],
        read_image(d / "lytro" / "lytro-01-B.jpg")[0],
        read_image(d / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")[0],
    ]
    return [luma(x)[180:340, 180:340] for x in imgs]


@pytest.mark.parametrize("shape", [(64, 64), (63, 71)])
def test_filter_bank_has_no_dc_and_covers_orientations(shape):
    bank = log_gabor_bank(*shape)
    assert bank.radial.shape == (4, *shape) and bank.spread.shape == (6, *shape)
    assert np.all(bank.radial[:, 0, 0] == 0)
    # the finest scale peaks near its centre frequency 1/3 (in normalised units)
    fy = np.fft.fftfreq(shape[0])[:, None]
    fx = np.fft.fftfreq(shape[1])[None, :]
    peak = np.unravel_index(np.argmax(bank.radial[0]), shape)
    assert np.hypot(fy[peak[0], 0], fx[0, peak[1]]) == pytest.approx(1 / 3, abs=0.03)
    # orientation o's angular filter is 1 along its angle (o·30°) and small across it
    assert np.all(bank.spread.max(axis=(1, 2)) == pytest.approx(1.0, abs=1e-3))
    assert np.all(bank.em_n > 0) and np.all(bank.sum_an2 > 0)


@pytest.mark.parametrize("shape", [(64, 64), (65, 77)])
def test_step_edge_has_high_congruency_only_on_the_edge(shape):
    # FFT filtering is periodic: the image also "wraps" at its left/right borders, so
    # only the interior columns are checked
    img = np.tile(200.0 * (np.arange(shape[1]) >= shape[1] // 2), (shape[0], 1)) + 20.0
    pc, big, small = phase_congruency(img)
    col = shape[1] // 2
    assert pc[:, col - 1 : col + 1].max(axis=1).min() > 0.65
    # off the edge: below the Q_P feature threshold
    assert pc[:, 8 : col - 8].max() < 0.1 and pc[:, col + 8 : -8].max() < 0.1
    assert big[:, col - 1 : col + 1].min() > 0.5 > big[:, 8 : col - 8].max()
    assert np.all(big >= small)


def test_congruency_is_invariant_to_contrast_and_zero_on_flat_images(crops):
    a = crops[0]
    pc1, _, _ = phase_congruency(a)
    pc2, _, _ = phase_congruency(3.0 * a + 17.0)
    np.testing.assert_allclose(pc1, pc2, atol=1e-4)
    flat, _, _ = phase_congruency(np.full((64, 64), 90.0))
    assert np.all(flat == 0)


@pytest.mark.parametrize("toolbox", [False, True])
def test_qp_prefers_real_fusion_to_degraded_ones(crops, rng, toolbox):
    a, b, f = crops
    good = qp_channel(a, b, f, toolbox=toolbox)
    assert 0.5 < good <= 1.0
    assert qp_channel(a, b, ndimage.gaussian_filter(f, 2.0), toolbox=toolbox) < good - 0.2
    assert qp_channel(a, b, f + rng.normal(0, 10, f.shape), toolbox=toolbox) < good - 0.2
    # one source alone misses B's in-focus features
    assert qp_channel(a, b, a, toolbox=toolbox) < good


def test_featureless_fused_scores_zero_by_default_but_near_one_in_the_toolbox_form(crops):
    # the documented difference between `default` and `mefb` (c/c = 1 where F is flat)
    a, b, f = crops
    flat = np.full_like(f, f.mean())
    assert qp_channel(a, b, flat) == 0.0
    assert qp_channel(a, b, flat, toolbox=True) > 0.99


def test_qp_default_scores_luma_and_is_symmetric_in_sources(crops):
    a, b, f = crops
    assert metrics.compute("qp", a, b, f) == pytest.approx(metrics.compute("qp", b, a, f), abs=1e-9)
    rgb = np.stack([a, b, f], axis=-1)
    assert metrics.compute("qp", rgb, rgb, rgb) == pytest.approx(qp_channel(*[luma(rgb)] * 3))


def test_featureless_sources_give_nan():
    flat = np.full((48, 48), 50.0)
    assert np.isnan(metrics.compute("qp", flat, flat, flat))


def test_qp_mefb_reproduces_octave_calibration_rows(shared_datasets):
    # colour (per channel), grey, grey sources with RGB-stored fused (red channel)
    subset = [("savic_01", "GFF"), ("savic_01", "CSR"), ("savic_10", "MSVD"), ("aymaz_01", "GFF")]
    df = metrics_vs_mefb(shared_datasets, subset=subset, metrics=["qp"])
    assert len(df) == len(subset)
    bad = df[~df["ok"]]
    assert bad.empty, bad[["pair", "method", "reference", "ours"]].to_string()
