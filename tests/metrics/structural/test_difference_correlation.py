"""SCD: sum of the correlations of differences (Aslantas & Bendes 2015)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from bench.io import read_image
from metrics.structural.difference_correlation import correlation, scd_channel


def test_correlation_matches_numpy_on_real_images(lytro_pair):
    a, b = (luma(x) for x in lytro_pair)
    assert correlation(a, b) == pytest.approx(np.corrcoef(a.ravel(), b.ravel())[0, 1], rel=1e-12)
    assert correlation(a, np.full_like(a, 3.0)) == 0.0


def test_sum_of_sources_is_the_perfect_score(lytro_pair):
    a, b = (luma(x) for x in lytro_pair)
    assert scd_channel(a, b, a + b) == pytest.approx(2.0, abs=1e-12)


def test_symmetric_in_sources_and_in_range(lytro_pair, shared_datasets):
    a, b = lytro_pair
    f, _ = read_image(shared_datasets / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")
    v = metrics.compute("scd", a, b, f)
    assert -2.0 <= v <= 2.0
    assert metrics.compute("scd", b, a, f) == pytest.approx(v, rel=1e-12)


def test_noise_in_the_fused_image_lowers_scd_on_an_infrared_visible_pair(shared_datasets, rng):
    vi, _ = read_image(shared_datasets / "vifb" / "sources" / "VI" / "manWalking.jpg")
    ir, _ = read_image(shared_datasets / "vifb" / "sources" / "IR" / "manWalking.jpg")  # grey
    fused = (luma(vi) + ir) / 2
    clean = metrics.compute("scd", vi, ir, fused)
    assert clean > 1.5  # an average keeps both modalities' content
    noisy = metrics.compute("scd", vi, ir, fused + rng.normal(0, 20, fused.shape))
    blurred = metrics.compute("scd", vi, ir, ndimage.gaussian_filter(fused, 3.0))
    assert noisy < clean - 0.1 and blurred < clean - 0.1


def test_flat_images_give_a_finite_value():
    flat = np.full((16, 16), 7.0)
    assert metrics.compute("scd", flat, flat, flat) == 0.0
