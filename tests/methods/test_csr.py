"""``csr``: released dictionary, codes, and the fusion rule on a real multi-focus crop."""

from __future__ import annotations

import numpy as np

import methods
from bench.color import luma
from methods.csr import cbpdn_codes, csr_dictionary


def test_released_dictionary_and_codes_explain_the_detail(lytro_pair):
    from sporco.signal import tikhonov_filter

    d = csr_dictionary()
    assert d.shape == (8, 8, 32)
    s = luma(lytro_pair[0])[150:182, 180:212] / 255.0
    low, high = tikhonov_filter(s, 5.0, 16)
    np.testing.assert_allclose(low + high, s, atol=1e-12)
    x, solver = cbpdn_codes(d, high, 0.01, max_iter=100)
    rec = np.asarray(solver.reconstruct(x)).reshape(s.shape)
    # the sparse codes explain most of the high-pass energy, with few non-zeros
    assert np.sum((rec - high) ** 2) < 0.3 * np.sum(high**2)
    assert np.mean(np.abs(x) > 1e-4) < 0.2


def test_multifocus_crop_keeps_the_sharp_source(lytro_pair):
    a, b = (x[150:190, 180:230] for x in lytro_pair)
    sharp, blurred = (a, b) if np.abs(np.diff(a, axis=1)).sum() > np.abs(np.diff(b, axis=1)).sum() \
        else (b, a)
    assert np.abs(np.diff(sharp, axis=1)).sum() > 1.3 * np.abs(np.diff(blurred, axis=1)).sum()
    f = methods.get_method("csr").fuse(a, b, max_iter=100).image
    err_sharp, err_blurred = np.abs(f - sharp).mean(), np.abs(f - blurred).mean()
    assert err_sharp < 0.5 * err_blurred, (err_sharp, err_blurred)
