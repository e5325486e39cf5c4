"""``msvd``: exact one-level transform, focus selection, and bit-exact agreement with MFIFB's outputs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

import methods
from bench.color import luma
from bench.io import read_image
from bench.validate.mfifb_outputs import save_like_matlab_jpeg
from methods.msvd import msvd_decompose, msvd_reconstruct


def _blurred_pair(x, sigma=2.0):
    blur = ndimage.gaussian_filter(x, sigma)
    a, b = x.copy(), x.copy()
    w = x.shape[1] // 2
    a[:, :w], b[:, w:] = blur[:, :w], blur[:, w:]
    return a, b


def test_transform_is_orthogonal_and_invertible(lytro_pair):
    x = luma(lytro_pair[0])[:64, :90]
    t, u = msvd_decompose(x)
    np.testing.assert_allclose(u.T @ u, np.eye(4), atol=1e-12)
    np.testing.assert_allclose(msvd_reconstruct(t, u), x, atol=1e-9)
    # the first band is the (scaled) 2x2 block average: most of the energy
    assert np.sum(t[0] ** 2) > 0.95 * np.sum(t**2)


def _detail_energy(x):
    return np.mean(np.abs(ndimage.laplace(x))[4:-4, 4:-4])


def test_details_come_from_the_sharp_source(lytro_pair):
    x = luma(lytro_pair[0])[100:260, 100:300]
    a, b = _blurred_pair(x, sigma=1.0)
    f = methods.get_method("msvd").fuse(a, b).image
    w = x.shape[1] // 2
    for half in (np.s_[:, :w], np.s_[:, w:]):
        e_f, e_x = _detail_energy(f[half]), _detail_energy(x[half])
        e_avg = _detail_energy(((a + b) / 2)[half])
        assert e_f > e_avg + 0.5 * (e_x - e_avg)  # most of the lost detail is recovered


def test_odd_sizes_are_padded_and_cropped(lytro_pair):
    a = luma(lytro_pair[0])[:33, :47]
    res = methods.get_method("msvd").fuse(a, a)
    np.testing.assert_allclose(res.image, a, atol=1e-9)


@pytest.mark.parametrize("pair", ["lytro_02", "lytro_11", "lytro_13"])
def test_reproduces_published_outputs_bit_for_bit(shared_datasets, pair):
    """MFIFB's MSVD files are MATLAB JPEGs (q75): ours, saved the same way, are identical.

    lytro_11 and lytro_13 are pairs where MATLAB's singular-vector signs differ
    between A and B (columns of U_F nearly cancel); aligned signs lose them.
    """
    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / f"{pair}_A.jpg")
    b, _ = read_image(root / "sources" / f"{pair}_B.jpg")
    theirs, _ = read_image(root / "fused" / "MSVD" / f"{pair}_MSVD.jpg")
    method = methods.get_method("msvd")
    ours = save_like_matlab_jpeg(method.fuse(a, b).image)
    np.testing.assert_array_equal(ours, theirs)
    aligned = save_like_matlab_jpeg(method.fuse(a, b, signs="aligned").image)
    assert not np.array_equal(aligned, theirs)


def test_reproduces_a_lossless_published_output(shared_datasets):
    """aymaz_18 (BMP, so no codec in the way): equal to the last bit."""
    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "aymaz_18_A.bmp")
    b, _ = read_image(root / "sources" / "aymaz_18_B.bmp")
    theirs, _ = read_image(root / "fused" / "MSVD" / "aymaz_18_MSVD.bmp")
    ours = np.clip(np.rint(methods.get_method("msvd").fuse(a, b).image), 0, 255)
    np.testing.assert_array_equal(ours, theirs)


def test_unknown_signs_option_is_refused(lytro_pair):
    a = luma(lytro_pair[0])[:16, :16]
    with pytest.raises(ValueError, match="signs"):
        methods.get_method("msvd").fuse(a, a, signs="random")
