"""``dwt``: perfect reconstruction, rules, and focus selection on a real image."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import methods
from bench.color import luma
from bench.errors import ParameterError
from methods.dwt import detail_decision


def _blurred_pair(x, sigma=2.0):
    blur = ndimage.gaussian_filter(x, (sigma, sigma, 0) if x.ndim == 3 else sigma)
    a, b = x.copy(), x.copy()
    w = x.shape[1] // 2
    a[:, :w], b[:, w:] = blur[:, :w], blur[:, w:]
    return a, b


@pytest.mark.parametrize("wavelet", ["db1", "db2", "sym4", "bior2.2"])
def test_identical_inputs_reconstruct_exactly(lytro_pair, wavelet):
    x = lytro_pair[0][:101, :67]
    np.testing.assert_allclose(methods.get_method("dwt").fuse(x, x, wavelet=wavelet).image, x, atol=1e-8)


def test_fusion_recovers_the_sharp_image(lytro_pair):
    x = lytro_pair[0][100:260, 100:300]
    a, b = _blurred_pair(x)
    f = methods.get_method("dwt").fuse(a, b).image
    assert np.mean((f - x) ** 2) < 0.3 * np.mean(((a + b) / 2 - x) ** 2)


def test_consistency_verification_removes_isolated_decisions(lytro_pair):
    da = luma(lytro_pair[0])[:60, :60] - 128
    db = 0.99 * da  # A slightly more active everywhere...
    db[30, 30] += 500.0  # ...except around one strong outlier in B
    with_cv = detail_decision(da, db, 3, consistency=True)
    without = detail_decision(da, db, 3, consistency=False)
    assert without[29:32, 29:32].sum() == 0  # the outlier wins its whole window
    assert with_cv[29:32, 29:32].sum() >= 4  # majority vote restores A around it


def test_rules_and_bad_parameters(lytro_pair):
    a, b = (x[:64, :64] for x in lytro_pair)
    m = methods.get_method("dwt")
    r1 = m.fuse(a, b).image
    r2 = m.fuse(a, b, detail_rule="mean", approx_rule="mean").image
    assert not np.allclose(r1, r2)
    with pytest.raises(ParameterError, match="wavelet"):
        m.fuse(a, b, wavelet="nope")
    with pytest.raises(ParameterError, match="detail_rule"):
        m.fuse(a, b, detail_rule="max")
