"""``mgff``: bit-exact reproduction of the authors' output, and focus behaviour."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

import methods
from bench.io import read_image


def test_identical_to_the_authors_output_once_saved_alike(shared_datasets):
    from bench.validate.mfifb_outputs import psnr, save_like_matlab_jpeg

    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "lytro_07_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_07_B.jpg")
    theirs, _ = read_image(root / "fused" / "MGFF" / "lytro_07_MGFF.jpg")
    ours = methods.get_method("mgff").fuse(a, b).image
    saved = save_like_matlab_jpeg(ours)
    assert np.mean(saved != theirs) < 1e-3  # same JPEG bytes up to rare rounding ties
    assert psnr(np.rint(ours), theirs) > 38.0


def test_fused_image_is_closer_to_the_sharp_image_than_the_mean(lytro_pair):
    x = lytro_pair[0][100:260, 100:300]
    blur = ndimage.gaussian_filter(x, (2, 2, 0))
    a, b = x.copy(), x.copy()
    a[:, :100], b[:, 100:] = blur[:, :100], blur[:, 100:]
    f = methods.get_method("mgff").fuse(a, b).image
    assert np.mean((f - x) ** 2) < 0.6 * np.mean(((a + b) / 2 - x) ** 2)


def test_levels_and_flat_regions(lytro_pair):
    a, b = (x[:60, :70] for x in lytro_pair)
    m = methods.get_method("mgff")
    assert not np.allclose(m.fuse(a, b, levels=1).image, m.fuse(a, b).image)
    flat = np.full((30, 40), 90.0)  # zero detail everywhere: weights fall back to 1/2
    np.testing.assert_allclose(m.fuse(flat, flat).image, flat)
