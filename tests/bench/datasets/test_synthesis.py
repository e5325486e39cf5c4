"""The paper's pair recipe (bench.datasets.synthesis) on real natural images."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from bench.datasets import synthesis as syn
from bench.datasets.natural import natural_images, read_label_map
from bench.io import read_image
from bench.matlab import gaussian_taps


@pytest.fixture(scope="module")
def natural(shared_datasets):
    items = natural_images(shared_datasets)
    img, _ = read_image(items[0][1])
    return items, img


def test_corpus_lists_300_images_with_region_maps(natural):
    items, img = natural
    assert len(items) == 300
    assert all(m is not None and m.is_file() for _, _, m in items)
    assert img.ndim == 3 and img.shape[:2] in ((321, 481), (481, 321))


def test_blur_levels_strictly_lose_sharpness(natural):
    _, img = natural
    levels = syn.blur_levels(img, levels=5)
    scores = [syn.mean_gradient(x) for x in [img, *levels]]
    assert all(a > b for a, b in zip(scores, scores[1:])), scores
    assert all(x.shape == img.shape for x in levels)


def test_blur_level_k_is_k_passes_of_one_gaussian(natural):
    _, img = natural
    once = syn.gaussian_blur(img, 3, 2.0)
    assert np.allclose(syn.blur_levels(img, 2)[1], syn.gaussian_blur(once, 3, 2.0))
    g = gaussian_taps(3, 2.0)
    assert g.sum() == pytest.approx(1.0) and g[1] > g[0] == g[2]
    np.testing.assert_array_equal(once, ndimage.convolve1d(ndimage.convolve1d(img, g, axis=0, mode="nearest"), g, axis=1, mode="nearest"))


def test_region_masks_cover_20_to_60_percent(natural, rng):
    items, _ = natural
    fitted = 0
    for _, _, mask_path in items[:40]:
        labels = read_label_map(mask_path)
        try:
            m = syn.region_mask(labels, rng)
        except ValueError as exc:
            assert "largest region" in str(exc)
            continue
        fitted += 1
        assert m.dtype == bool and m.shape == labels.shape
        assert 0.2 <= m.mean() <= 0.6
        # a union of whole regions: every region is entirely in or entirely out
        for lab in np.unique(labels):
            inside = m[labels == lab]
            assert inside.all() or not inside.any()
    assert fitted >= 30


def test_blob_mask_coverage_and_smoothness(rng):
    m = syn.blob_mask((128, 160), rng)
    assert 0.2 <= m.mean() <= 0.6
    # smooth blobs: few boundary pixels compared with a random mask of equal coverage
    edges = np.count_nonzero(np.diff(m, axis=1)) / m.size
    assert edges < 0.05


def test_make_pair_recovers_clear_image_and_is_complementary(natural, rng):
    _, img = natural
    mask = syn.blob_mask(img.shape, rng)
    blurred = syn.blur_levels(img, 3)[-1]
    a, b = syn.make_pair(img, mask, blurred)
    m = mask[..., None]
    assert np.array_equal(a * m + b * (1 - m), img)
    assert np.array_equal(a * (1 - m) + b * m, blurred)
    un_a, un_b = syn.focus_labels(mask)
    assert np.array_equal(un_a + un_b, np.ones(mask.shape))


def test_same_rng_seed_gives_same_masks():
    m1 = syn.blob_mask((50, 70), np.random.default_rng(7))
    m2 = syn.blob_mask((50, 70), np.random.default_rng(7))
    m3 = syn.blob_mask((50, 70), np.random.default_rng(8))
    assert np.array_equal(m1, m2) and not np.array_equal(m1, m3)


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="odd"):
        syn.gaussian_blur(np.zeros((8, 8)), 4, 2.0)
    with pytest.raises(ValueError, match="mask shape"):
        syn.make_pair(np.zeros((4, 4)), np.zeros((3, 3)), np.zeros((4, 4)))
    with pytest.raises(ValueError, match="largest region"):
        syn.region_mask(np.zeros((8, 8), int), np.random.default_rng(0))


def test_training_guard_accepts_corpus_and_rejects_evaluation_images(natural, shared_datasets, tmp_path):
    import shutil

    from bench.datasets.natural import check_not_evaluation_data
    from bench.errors import DataError

    items, _ = natural
    check_not_evaluation_data([p for _, p, _ in items])
    sneaky = tmp_path / "holiday.jpg"  # an evaluation image under another name
    shutil.copyfile(shared_datasets / "mfifb" / "sources" / "tsai_01_A.jpg", sneaky)
    with pytest.raises(DataError, match=r"holiday\.jpg is mfifb/sources/tsai_01_A\.jpg"):
        check_not_evaluation_data([items[0][1], sneaky])
