"""``methods.mst.nsst``: perfect reconstruction, the Parseval shearing bank, the Meyer partition."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data

from methods.mst import nsst


@pytest.mark.parametrize("shape", [(64, 64), (48, 70)])
def test_perfect_reconstruction_with_the_release_levels(shape, rng):
    x = rng.random(shape)
    d = nsst.forward(x)  # (3, 3, 4, 4) directions, (8, 8, 16, 16) supports
    assert len(d.highs) == 16 + 16 + 8 + 8 and d.meta["counts"] == [16, 16, 8, 8]
    assert all(h.shape == shape for h in d.highs) and d.low.shape == shape
    assert np.abs(nsst.inverse(d) - x).max() <= 1e-10


def test_reconstruction_of_a_real_image_and_band_energy_is_kept():
    x = data.camera()[200:296, 150:246] / 255.0
    d = nsst.forward(x)
    assert np.abs(nsst.inverse(d) - x).max() <= 1e-10
    # the directional stage is a Parseval frame: a level's bands carry its high-pass energy
    from methods.mst.nsct import _atrous

    hi = _atrous(x, nsst.PYR_H1, 0)  # finest pyramid high-pass
    finest = d.highs[:16]
    assert np.isclose(sum(float((b * b).sum()) for b in finest), float((hi * hi).sum()),
                      rtol=1e-10)


def test_meyer_window_and_the_band_windows_partition_unity():
    # support [-1/6, 7/6], flat top on (1/6, 5/6), symmetric about 1/2
    assert nsst.meyer_window([0.5, 0.8, -1 / 6 - 0.01, 7 / 6 + 0.01]).tolist() == [1, 1, 0, 0]
    t = np.linspace(0.3, 0.7, 7)
    assert np.allclose(nsst.meyer_window(0.5 - t), nsst.meyer_window(0.5 + t))
    x = np.linspace(-1 / 6, 1 / 6, 9)  # overlapping flanks of neighbouring windows
    assert np.allclose(nsst.meyer_window(x) + nsst.meyer_window(x + 1), 1.0)
    for n, level in ((8, 3), (16, 4), (16, 3)):
        w = nsst._band_windows(2 * n, 2 ** level)
        assert np.allclose(w.sum(axis=1), 1.0)


@pytest.mark.parametrize("size,level", [(8, 3), (16, 4)])
def test_shearing_bank_is_real_and_parseval(size, level):
    w = nsst.shearing_filters(size, level)
    assert w.shape == (size, size, 2 ** level) and np.isrealobj(w)
    bank = nsst._frequency_bank(size, level, (40, 52))
    assert np.allclose((np.abs(bank) ** 2).sum(axis=0), 1.0, atol=1e-12)


def test_bands_are_directional():
    """A vertical edge lands in few bands; the same edge turned 90° in others."""
    x = np.zeros((64, 64))
    x[:, 32:] = 1.0
    e_v = np.array([np.abs(b).sum() for b in nsst.forward(x).highs[:16]])
    e_h = np.array([np.abs(b).sum() for b in nsst.forward(x.T).highs[:16]])
    top_v, top_h = set(np.argsort(e_v)[-2:]), set(np.argsort(e_h)[-2:])
    assert not top_v & top_h
    assert np.sort(e_v)[-2:].sum() > 0.5 * e_v.sum()
