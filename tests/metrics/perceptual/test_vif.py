"""VIFF (Han et al. 2013) and VIFp (Sheikh & Bovik 2006): behaviour on real images + MEFB calibration."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from bench.errors import ImageTooSmallError, ParameterError
from bench.io import read_image
from bench.validate.mefb import metrics_vs_mefb
from metrics.perceptual.vif import (
    vif_scale_stats,
    viff_channel,
    vifp_pair,
)


@pytest.fixture(scope="module")
def lytro_gff(shared_datasets):
    f, _ = read_image(shared_datasets / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")
    return f


def test_pyramid_shapes_follow_valid_filtering_and_decimation(lytro_pair):
    a = luma(lytro_pair[0])
    shapes = [g.shape for g, _, _ in vif_scale_stats(a, a)]
    # scale 1: 17×17 window, valid; before scales 2-4: filter (valid) with their 9, 5, 3 window + decimate
    n = a.shape[0]
    expected = [n - 16]
    side = n
    for w in (9, 5, 3):
        side = (side - (w - 1) + 1) // 2  # previous-scale filter with this window, keep every 2nd
        expected.append(side - (w - 1))
    assert [s[0] for s in shapes] == expected


def test_vifp_is_one_for_identical_images_and_drops_with_blur_and_noise(lytro_pair, rng):
    a = luma(lytro_pair[0])
    assert vifp_pair(a, a) == pytest.approx(1.0, abs=1e-9)  # σ_V² floor 1e-10
    blurred = ndimage.gaussian_filter(a, 2.0)
    noisy = a + rng.normal(0, 25, a.shape)
    assert vifp_pair(a, blurred) < 0.6
    assert vifp_pair(a, noisy) < 0.6
    assert vifp_pair(a, ndimage.gaussian_filter(a, 4.0)) < vifp_pair(a, blurred)


def test_vifp_rewards_contrast_enhancement_above_one(lytro_pair):
    # VIF's known property: a linear contrast stretch carries more information than the reference
    a = luma(lytro_pair[0])
    stretched = 1.3 * (a - a.mean()) + a.mean()
    assert vifp_pair(a, stretched) > 1.0


def test_viff_is_one_when_sources_and_fused_are_identical(lytro_pair):
    a = luma(lytro_pair[0])
    assert viff_channel(a, a, a) == pytest.approx(1.0, abs=1e-9)


def test_viff_and_vifp_prefer_the_real_fusion_to_a_blurred_one(lytro_pair, lytro_gff):
    a, b = lytro_pair
    blurred = ndimage.gaussian_filter(lytro_gff, (2.0, 2.0, 0))
    for name in ("viff", "vifp"):
        good = metrics.compute(name, a, b, lytro_gff)
        bad = metrics.compute(name, a, b, blurred)
        assert good > bad + 0.1, name


def test_vifp_is_the_sum_of_both_source_terms_and_symmetric(lytro_pair, lytro_gff):
    a, b = lytro_pair
    total = metrics.compute("vifp", a, b, lytro_gff)
    assert total == pytest.approx(
        vifp_pair(luma(a), luma(lytro_gff)) + vifp_pair(luma(b), luma(lytro_gff))
    )
    assert metrics.compute("vifp", b, a, lytro_gff) == pytest.approx(total, rel=1e-12)


def test_viff_and_vifp_are_different_metrics(lytro_pair, lytro_gff):
    a, b = lytro_pair
    assert (
        abs(metrics.compute("viff", a, b, lytro_gff) - metrics.compute("vifp", a, b, lytro_gff) / 2)
        > 0.05
    )


def test_conventions_and_directions():
    assert tuple(metrics.get_metric("viff").conventions) == ("default", "mefb")
    assert (
        metrics.get_metric("viff").higher_is_better and metrics.get_metric("vifp").higher_is_better
    )
    with pytest.raises(ParameterError, match="vifp"):
        metrics.compute(
            "vifp", np.zeros((64, 64)), np.zeros((64, 64)), np.zeros((64, 64)), convention="mefb"
        )


def test_too_small_image_is_a_clear_error():
    x = np.zeros((40, 40))
    with pytest.raises(ImageTooSmallError, match="'vifp'.*40×40 is too small"):
        metrics.compute("vifp", x, x, x)


def test_viff_mefb_reproduces_octave_calibration_rows(shared_datasets):
    # colour (per channel), grey, and grey sources with an RGB-stored fused image (red channel)
    subset = [("savic_01", "GFF"), ("savic_10", "CSR"), ("aymaz_01", "MSVD"), ("lytro_07", "MSVD")]
    df = metrics_vs_mefb(shared_datasets, subset=subset, metrics=["viff"])
    assert len(df) == len(subset)
    bad = df[~df["ok"]]
    assert bad.empty, bad[["pair", "method", "reference", "ours"]].to_string()


def test_viff_default_and_mefb_differ_only_in_channel_handling(
    shared_datasets, lytro_pair, lytro_gff
):
    src = shared_datasets / "mfifb" / "sources"
    a, _ = read_image(next(src.glob("savic_10_A.*")))
    b, _ = read_image(next(src.glob("savic_10_B.*")))
    assert a.ndim == 2  # a grey pair: both conventions see the same single channel
    f = (a + b) / 2
    assert metrics.compute("viff", a, b, f) == metrics.compute("viff", a, b, f, convention="mefb")
    # colour: mefb averages the per-channel values, default scores luma
    a, b = lytro_pair
    per_channel = np.mean([viff_channel(a[..., k], b[..., k], lytro_gff[..., k]) for k in range(3)])
    assert metrics.compute("viff", a, b, lytro_gff, convention="mefb") == pytest.approx(per_channel)
    assert metrics.compute("viff", a, b, lytro_gff) == pytest.approx(
        viff_channel(luma(a), luma(b), luma(lytro_gff))
    )
