"""``folder:PATH`` datasets: default pairing conventions and custom rules."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from bench.datasets import load_dataset
from bench.datasets.folder import PairingRule, match_rule
from bench.errors import DataError
from bench.io import write_image


def _img(rng, shape=(24, 32, 3)):
    return rng.integers(0, 256, shape).astype(np.uint8)


@pytest.mark.parametrize(
    "a, b",
    [
        ("x1-A.png", "x1-B.png"),
        ("x1_A.png", "x1_B.png"),
        ("A/x1.png", "B/x1.png"),
        ("VI/x1.png", "IR/x1.png"),
    ],
)
def test_default_conventions(tmp_path, rng, a, b):
    img_a, img_b = _img(rng), _img(rng)
    write_image(tmp_path / a, img_a)
    write_image(tmp_path / b, img_b)
    write_image(tmp_path / a.replace("x1", "x2"), img_b)
    write_image(tmp_path / b.replace("x1", "x2"), img_a)
    ds = load_dataset(f"folder:{tmp_path}")
    assert ds.ids() == ["x1", "x2"]
    assert np.array_equal(ds["x1"].a, img_a) and np.array_equal(ds["x1"].b, img_b)
    assert ds.modality == ("ir-visible" if a.startswith("VI") else "multi-focus")
    assert ds["x1"].content_hash() != ds["x2"].content_hash()


def test_real_folders(shared_datasets):
    vifb = load_dataset(f"folder:{shared_datasets / 'vifb' / 'sources'}")
    assert len(vifb) == 21 and vifb.modality == "ir-visible"
    mfvoc = load_dataset(f"folder:{shared_datasets / 'mf-voc'}")
    assert len(mfvoc) == 400 and mfvoc[0].has_ground_truth
    mfifb = load_dataset(f"folder:{shared_datasets / 'mfifb' / 'sources'}")
    assert len(mfifb) == 105 and "lytro_01" in mfifb.ids()


def test_custom_rule_in_name_and_as_options(tmp_path, rng):
    for i in range(3):
        write_image(tmp_path / "near" / f"s{i}.png", _img(rng))
        write_image(tmp_path / "far" / f"s{i}.png", _img(rng))
        write_image(
            tmp_path / "focus" / f"s{i}.png", (rng.random((24, 32)) > 0.5).astype(np.uint8) * 255
        )
    ds = load_dataset(f"folder:{tmp_path}?a=near/{{id}}&b=far/{{id}}&mask=focus/{{id}}")
    assert len(ds) == 3 and ds[0].has_mask
    assert set(np.unique(ds[0].mask)) <= {0.0, 1.0}
    ds2 = load_dataset(f"folder:{tmp_path}", a="near/{id}", b="far/{id}", modality="medical")
    assert ds2.ids() == ds.ids() and ds2.modality == "medical"


def test_three_source_sets_and_unpaired_files(tmp_path, rng):
    for s in "ABC":
        write_image(tmp_path / f"scene-{s}.png", _img(rng))
    write_image(tmp_path / "lonely-A.png", _img(rng))
    ds = load_dataset(f"folder:{tmp_path}")
    assert ds.ids() == ["scene"] and ds[0].n_sources == 3


def test_no_pairs_is_a_clear_error(tmp_path, rng):
    write_image(tmp_path / "cat.png", _img(rng))
    with pytest.raises(DataError, match="no pairs found"):
        load_dataset(f"folder:{tmp_path}")
    with pytest.raises(DataError, match="not a folder"):
        load_dataset(f"folder:{tmp_path / 'missing'}")


def test_ambiguous_files_are_reported():
    with pytest.raises(DataError, match="ambiguous"):
        match_rule(["p-A.png", "p-A.jpg", "p-B.png"], PairingRule("{id}-A", "{id}-B"))


def test_folder_pairs_read_lytro_copy(shared_datasets, tmp_path):
    for s in "AB":
        shutil.copyfile(
            shared_datasets / "lytro" / f"lytro-04-{s}.jpg", tmp_path / f"lytro-04-{s}.jpg"
        )
    ds = load_dataset(f"folder:{tmp_path}")
    ref = load_dataset("lytro", data_dir=shared_datasets)["lytro-04"]
    assert np.array_equal(ds["lytro-04"].a, ref.a)


def test_task_alias_and_colour_space_options(tmp_path, rng):
    write_image(tmp_path / "VI" / "x1.png", _img(rng))
    write_image(tmp_path / "IR" / "x1.png", _img(rng, (24, 32)))
    ds = load_dataset(f"folder:{tmp_path}?modality=ir-vis&colour_space=ycbcr")
    assert ds.modality == "ir-visible" and ds[0].meta["colour_space"] == "ycbcr"
    assert "colour_space" not in load_dataset(f"folder:{tmp_path}")[0].meta
    assert load_dataset(f"folder:{tmp_path}", colour_space="ihs")[0].meta["colour_space"] == "ihs"
    with pytest.raises(DataError, match="colour_space must be rgb, ycbcr or ihs"):
        load_dataset(f"folder:{tmp_path}", colour_space="hsv")
    with pytest.raises(DataError, match="modality must be one of"):
        load_dataset(f"folder:{tmp_path}", modality="thermal")
