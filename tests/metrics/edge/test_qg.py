"""Q_G (Xydeas & Petrovic, Liu toolbox form) and how it differs from qabf."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from bench.color import luma
from bench.io import read_image
from metrics.edge.qg import qg_channel

PERFECT = (1.0 / (1.0 + np.exp(-5.0))) ** 2  # both sigmoids at relative strength / orientation 1


@pytest.fixture(scope="module")
def triple(shared_datasets):
    d = shared_datasets
    a, _ = read_image(d / "lytro" / "lytro-01-A.jpg")
    b, _ = read_image(d / "lytro" / "lytro-01-B.jpg")
    f, _ = read_image(d / "mfifb" / "fused" / "GFF" / "lytro_01_GFF.jpg")
    return a, b, f


def test_identical_images_reach_the_sigmoid_maximum_everywhere(triple):
    a = luma(triple[0])
    assert qg_channel(a, a, a) == pytest.approx(PERFECT, rel=1e-12)


def test_orientation_agreement_wraps_modulo_pi():
    # two ramps whose gradients differ by ~0.1 rad around the vertical: atan gives ≈ +π/2 and
    # ≈ −π/2; Q_G treats them as nearly the same direction, Q^AB/F as opposite ones
    y, x = np.mgrid[0:200, 0:200].astype(float)
    a, f = y + 0.05 * x, y - 0.05 * x
    assert qg_channel(a, a, f) > 0.95
    assert metrics.compute("qabf", a, a, f) < 0.5


def test_real_fusion_beats_blurred_and_noisy_versions(triple, rng):
    a, b, f = triple
    good = metrics.compute("qg", a, b, f)
    assert 0.3 < good < PERFECT
    assert metrics.compute("qg", a, b, ndimage.gaussian_filter(f, (2, 2, 0))) < good - 0.1
    assert metrics.compute("qg", a, b, f + rng.normal(0, 15, f.shape)) < good - 0.1
    assert metrics.compute("qg", b, a, f) == pytest.approx(good, rel=1e-12)


def test_flat_borders_raise_qg_but_not_qabf(triple):
    # the documented difference: Q_G averages per-pixel ratios (flat pixels score ≈ 0.987),
    # Q^AB/F weights by gradient strength (flat pixels weigh nothing)
    a, b, f = (luma(x) for x in triple)
    small, large = ([np.pad(x, w) for x in (a, b, f)] for w in (10, 200))
    assert metrics.compute("qg", *large) > metrics.compute("qg", *small) + 0.1
    assert metrics.compute("qabf", *large) == pytest.approx(
        metrics.compute("qabf", *small), rel=1e-9
    )


def test_qg_and_qabf_disagree_on_the_same_image(triple):
    assert abs(metrics.compute("qg", *triple) - metrics.compute("qabf", *triple)) > 0.01


def test_flat_images_are_finite():
    flat = np.full((20, 20), 9.0)
    assert metrics.compute("qg", flat, flat, flat) == pytest.approx(PERFECT)
