"""ifcnn-*: the authors' snapshots against MFIFB's published IFCNN outputs, weights handling."""

from __future__ import annotations

import numpy as np
import pytest

import methods
from bench.io import read_image
from bench.validate.mfifb_outputs import psnr
from bench.weights import WeightsError


@pytest.fixture(scope="module")
def lytro01(shared_datasets):
    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "lytro_01_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_01_B.jpg")
    theirs, _ = read_image(root / "fused" / "IFCNN" / "lytro_01_IFCNN.jpg")
    return a, b, theirs


def test_ifcnn_max_matches_the_published_output_on_a_crop(lytro01):
    """The network sees 5 pixels around each output pixel (7×7, 3×3, 3×3 convs, 1×1), so a
    crop's output equals the full image's away from the crop border: compare that part."""
    a, b, theirs = lytro01
    ys, xs = slice(180, 300), slice(200, 330)
    out = methods.get_method("ifcnn-max").fuse(a[ys, xs], b[ys, xs]).image
    inner = (slice(6, -6), slice(6, -6))
    ours, ref = out[inner], theirs[ys, xs][inner]
    assert psnr(ours, ref) > 40.0
    # the max rule is the published one: the sum snapshot is further from their file
    other = methods.get_method("ifcnn-sum").fuse(a[ys, xs], b[ys, xs]).image[inner]
    assert psnr(other, ref) < psnr(ours, ref)


def test_crop_interior_equals_full_image_output(lytro01):
    a, b, _ = lytro01
    m = methods.get_method("ifcnn-max")
    full = m.fuse(a[:80, :90], b[:80, :90]).image
    crop = m.fuse(a[20:80, 30:90], b[20:80, 30:90]).image
    np.testing.assert_array_equal(crop[6:-6, 6:-6], full[26:74, 36:84])


def test_grey_sources_give_grey_output_without_imagenet_normalisation(lytro01):
    from bench.color import luma

    a, b, _ = lytro01
    ga, gb = (np.rint(luma(x[:64, :64])) for x in (a, b))
    m = methods.get_method("ifcnn-max")
    res = m.fuse(ga, gb)
    assert res.image.shape == (64, 64)
    # grey in, not normalised (their IV/medical setting); forcing ImageNet changes the result
    assert not np.array_equal(res.image, m.fuse(ga, gb, normalize="imagenet").image)
    assert np.corrcoef(res.image.ravel(), np.maximum(ga, gb).ravel())[0, 1] > 0.9


def test_missing_snapshot_names_file_and_env_var(tmp_path, lytro01, monkeypatch):
    a, b, _ = lytro01
    monkeypatch.setenv("FUSEBENCH_WEIGHTS", str(tmp_path))
    monkeypatch.setenv("FUSEBENCH_CACHE", str(tmp_path / "cache"))
    with pytest.raises(WeightsError, match=r"ifcnn/IFCNN-MEAN\.pth.*FUSEBENCH_IFCNN_MEAN.*raw\.github"):
        methods.get_method("ifcnn-mean").fuse(a[:32, :32], b[:32, :32])
