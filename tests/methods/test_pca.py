"""``pca``: principal-component weights on real images."""

from __future__ import annotations

import numpy as np

import methods
from bench.color import luma
from methods.pca import pca_weights


def test_weights_follow_the_higher_variance_source(lytro_pair):
    x = luma(lytro_pair[0])[:120, :160]
    flat = 0.2 * (x - x.mean()) + x.mean()  # same image, 5x less contrast
    pa, pb = pca_weights(x, flat)
    # C = var·[[1, .2], [.2, .04]]: principal axis (1, 0.2) -> P_A = 1/1.2
    assert abs(pa - 1 / 1.2) < 1e-9 and abs(pa + pb - 1) < 1e-12
    res = methods.get_method("pca").fuse(x, flat)
    np.testing.assert_allclose(res.image, pa * x + pb * flat)
    assert np.all(res.decision_map == pa)


def test_symmetric_and_flat_inputs(lytro_pair):
    a, b = (x[:50, :60] for x in lytro_pair)
    pa, pb = pca_weights(luma(a), luma(b))
    qb, qa = pca_weights(luma(b), luma(a))
    assert abs(pa - qa) < 1e-12 and abs(pb - qb) < 1e-12
    assert pca_weights(np.full((8, 8), 3.0), np.full((8, 8), 7.0)) == (0.5, 0.5)
