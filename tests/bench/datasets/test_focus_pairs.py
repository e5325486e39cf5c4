"""Focus-labelled training pairs for tlnet: the recipe on crops, the split, the degradation."""

from __future__ import annotations

import numpy as np

from bench.datasets import synthesis
from bench.datasets.focus_pairs import LEVELS, FocusPairSource, degrade, split_items
from bench.io import read_image


def test_split_is_by_image_and_stratified_by_level(shared_datasets):
    src = FocusPairSource.natural(shared_datasets)
    train_items, val_items = split_items(src.items, 0.1, seed=0)
    assert len(val_items) == 30 and len(train_items) == 270
    assert not {i.id for i in train_items} & {i.id for i in val_items}
    assert split_items(src.items, 0.1, seed=0)[1] == val_items
    levels = [lv for _, lv, *_ in src.validation_pairs(val_items[:1])]
    assert levels == list(LEVELS)


def test_pair_follows_the_recipe_on_a_crop(shared_datasets):
    src = FocusPairSource.natural(shared_datasets)
    item = src.items[3]
    clear, _ = read_image(item.image_path)
    window = (40, 60, 96, 128)
    a, b, ua, ub = src.pair(item, 3, np.random.default_rng(0), window)
    t, l, h, w = window
    blur3 = synthesis.blur_levels(clear, 3)[-1][t:t + h, l:l + w]
    crop = clear[t:t + h, l:l + w]
    np.testing.assert_array_equal(ua + ub, np.ones((h, w)))
    assert 0.2 <= ub.mean() <= 0.6
    sharp_a, blur_a = ua == 0, ua == 1
    np.testing.assert_allclose(a[sharp_a], crop[sharp_a])
    np.testing.assert_allclose(a[blur_a], blur3[blur_a], atol=1e-9)  # crop blur == whole-image blur
    np.testing.assert_allclose(b[ub == 0], crop[ub == 0])


def test_training_crops_are_degraded_but_labels_kept(shared_datasets):
    clean = FocusPairSource.natural(shared_datasets, noise_max=0.0, jpeg_prob=0.0)
    noisy = FocusPairSource.natural(shared_datasets, noise_max=4.0, jpeg_prob=1.0)
    items = clean.items[:5]
    # one pair: the degradation draws from the rng after the pair is built
    xc, yc = clean.random_crops(items, 1, 64, np.random.default_rng(7))
    xn, yn = noisy.random_crops(items, 1, 64, np.random.default_rng(7))
    np.testing.assert_array_equal(yc, yn)
    diff = xn - xc
    assert 0.3 < float(np.std(diff)) < 8.0
    np.testing.assert_array_equal(xn, np.rint(xn))  # JPEG-decoded values are integers


def test_degrade_noise_level():
    x = np.full((64, 64, 3), 100.0)
    y = degrade(x, np.random.default_rng(0), noise_max=4.0, jpeg_prob=0.0)
    assert 0.0 < float(np.std(y - x)) <= 4.5
    np.testing.assert_array_equal(degrade(x, np.random.default_rng(0), 0.0, 0.0), x)


def test_training_folder_with_an_evaluation_image_is_refused(shared_datasets, tmp_path):
    import shutil

    import pytest

    from bench.errors import DataError

    (tmp_path / "images").mkdir()
    shutil.copyfile(shared_datasets / "natural" / "images" / sorted(
        p.name for p in (shared_datasets / "natural" / "images").glob("*.jpg"))[0],
        tmp_path / "images" / "photo.jpg")
    assert len(FocusPairSource.from_folder(tmp_path).items) == 1
    shutil.copyfile(shared_datasets / "lytro" / "lytro-05-A.jpg", tmp_path / "images" / "beach.jpg")
    with pytest.raises(DataError, match=r"beach\.jpg is lytro/lytro-05-A\.jpg of an evaluation set"):
        FocusPairSource.from_folder(tmp_path)
