"""Q_CB (Chen-Blum) and Q_CV (Chen-Varshney)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import metrics
from metrics.perceptual.contrast_sensitivity import freqspace_meshgrid


def test_freqspace_grid_like_matlab():
    u, v = freqspace_meshgrid(3, 4)
    np.testing.assert_allclose(u[0], [-1.0, -0.5, 0.0, 0.5])
    np.testing.assert_allclose(v[:, 0], [-2 / 3, 0.0, 2 / 3])


def test_perfect_fusion_bounds(lytro_pair):
    a = lytro_pair[0][:200, :240]
    assert metrics.compute("qcb", a, a, a) == pytest.approx(1.0, abs=1e-12)
    assert metrics.compute("qcv", a, a, a) == pytest.approx(0.0, abs=1e-9)


def test_blurred_fusion_is_worse(lytro_pair):
    a, b = (x[:256, :256] for x in lytro_pair)
    sharp = (a + b) / 2
    blurred = ndimage.gaussian_filter(sharp, sigma=(2.5, 2.5, 0))
    assert metrics.compute("qcb", a, b, blurred) < metrics.compute("qcb", a, b, sharp)
    assert metrics.compute("qcv", a, b, blurred) > metrics.compute("qcv", a, b, sharp)  # lower is better


def test_default_defined_on_flat_images():
    z = np.full((64, 64), 100.0)
    assert np.isfinite(metrics.compute("qcb", z, z, z))
    assert metrics.compute("qcv", z, z, z) == 0.0


def test_directions():
    assert metrics.get_metric("qcb").higher_is_better
    assert not metrics.get_metric("qcv").higher_is_better
