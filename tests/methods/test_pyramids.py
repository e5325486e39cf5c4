"""Burt–Adelson pyramids (methods/pyramids.py), checked on a real Lytro crop."""

from __future__ import annotations

import numpy as np

from methods.pyramids import laplacian_pyramid, reconstruct_laplacian


def test_laplacian_pyramid_is_exactly_invertible(lytro_pair):
    x = lytro_pair[0][:101, :77]
    pyr = laplacian_pyramid(x, 4)
    assert [p.shape[:2] for p in pyr] == [(101, 77), (51, 39), (26, 20), (13, 10)]
    np.testing.assert_allclose(reconstruct_laplacian(pyr), x, atol=1e-9)
