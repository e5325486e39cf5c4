"""sesf: the authors' parameters against MFIFB's published SESF outputs; the fusion steps."""

from __future__ import annotations

import numpy as np

import methods
from bench.io import read_image
from bench.validate.mfifb_outputs import psnr
from methods.sesf import disk, verify_consistency


def test_sesf_matches_the_published_output(shared_datasets):
    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "lytro_08_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_08_B.jpg")
    theirs, _ = read_image(root / "fused" / "SESF" / "lytro_08_SESF.jpg")
    res = methods.get_method("sesf").fuse(a, b)
    assert psnr(res.image, theirs) > 45.0  # 44.9 with the border counted as foreground
    # the decision map picks the sharp source: lytro_08's A is sharp in the foreground
    assert 0.2 < res.extras["verified_map"].mean() < 0.8


def test_consistency_verification_removes_specks_and_fills_holes():
    d = np.zeros((60, 60), bool)
    d[:, 30:] = True
    d[10, 5] = True  # a speck in the 0 region: opened away
    d[40:43, 40:43] = False  # a small hole in the 1 region: closed
    d[5:25, 2:12] = True  # a 1-region of 200 px < 0.1·3600: removed
    out = verify_consistency(d, 2, 0.1 * d.size)
    # outside the image counts as background (as in the published outputs): the closing's
    # erosion takes a band of the radius off the 1-region along the image border
    expected = np.zeros_like(d)
    expected[2:-2, 30:-2] = True
    np.testing.assert_array_equal(out, expected)
    assert disk(5).sum() == 81 and disk(5)[0, 5] and not disk(5)[0, 4]
