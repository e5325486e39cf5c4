"""The manifest datasets on the real shared data: counts, lazy listing, modes, streaming."""

from __future__ import annotations

import pickle
import tracemalloc

import numpy as np
import pytest

import bench.io
from bench.datasets import list_datasets, load_dataset


@pytest.mark.parametrize(
    "name, count",
    [
        ("lytro", 20),
        ("lytro-triple", 4),
        ("mfifb", 105),
        ("mfifb:lytro", 20),
        ("mfifb:mffw", 13),
        ("vifb", 21),
        ("mf-voc", 400),
    ],
)
def test_counts(name, count, shared_datasets):
    ds = load_dataset(name, data_dir=shared_datasets)
    assert len(ds) == count and len(set(ds.ids())) == count


def test_registry_lists_every_family():
    assert {"lytro", "lytro-triple", "mfifb", "vifb", "mf-voc", "synthetic", "folder"} <= set(
        list_datasets()
    )


def test_listing_decodes_nothing(shared_datasets, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("an image was decoded while listing")

    monkeypatch.setattr(bench.io, "read_image", boom)
    for name in ("mfifb", "vifb", "mf-voc", "lytro-triple"):
        ds = load_dataset(name, data_dir=shared_datasets)
        for p in ds:
            assert p.meta["width"] and p.meta["mode"] in ("L", "RGB")
            p.content_hash()  # from manifest hashes, no decoding


def test_mfifb_lytro_subset_is_the_lytro_set(shared_datasets):
    lytro = load_dataset("lytro", data_dir=shared_datasets)
    sub = load_dataset("mfifb:lytro", data_dir=shared_datasets)
    assert [p.content_hash() for p in lytro] == [p.content_hash() for p in sub]
    assert np.array_equal(lytro["lytro-05"].b, sub["lytro_05"].b)


def test_grey_pairs_stay_grey_and_colour_stays_colour(shared_datasets):
    ds = load_dataset("mfifb", data_dir=shared_datasets)
    grey = [p for p in ds if p.meta["mode"] == "L"]
    assert len(grey) == 26
    assert ds["aymaz_01"].a.ndim == 2 and ds["lytro_01"].a.shape == (520, 520, 3)


def test_vifb_pairs_visible_with_infrared(shared_datasets):
    ds = load_dataset("vifb", data_dir=shared_datasets)
    p = ds["kettle"]
    assert p.modality == "ir-visible" and ds.modality == "ir-visible"
    a, b = p.a, p.b
    assert a.shape[:2] == b.shape[:2] and a.ndim == 3
    assert "YDTR" in p.meta["published_fused"]


def test_lytro_triple_has_three_sources(shared_datasets):
    p = load_dataset("lytro-triple", data_dir=shared_datasets)[0]
    srcs = p.sources
    assert p.n_sources == 3 and len(srcs) == 3
    assert all(s.shape == (520, 520, 3) for s in srcs)
    assert not np.array_equal(srcs[0], srcs[2])


def test_mfvoc_derived_mask_explains_the_ground_truth(shared_datasets):
    ds = load_dataset("mf-voc", data_dir=shared_datasets)
    for p in list(ds)[::80]:
        a, b, gt, m = p.a, p.b, p.ground_truth, p.mask
        assert m.shape == gt.shape[:2] and set(np.unique(m)) <= {0.0, 0.5, 1.0}
        fused = a * m[..., None] + b * (1 - m[..., None])
        err = np.abs(fused - gt).mean()
        assert err < np.abs(a - gt).mean() and err < np.abs(b - gt).mean()


def test_manifest_pairs_pickle_small(shared_datasets):
    p = load_dataset("mf-voc", data_dir=shared_datasets)[3]
    blob = pickle.dumps(p)
    assert len(blob) < 4000
    q = pickle.loads(blob)
    assert np.array_equal(q.mask, p.mask) and q.content_hash() == p.content_hash()


def test_all_mfifb_pairs_stream_with_bounded_memory(shared_datasets):
    """Each pair is decoded (and sha256-checked) on demand and released after use."""
    ds = load_dataset("mfifb", data_dir=shared_datasets)
    largest = max(
        p.meta["width"] * p.meta["height"] * (3 if p.meta["mode"] == "RGB" else 1) for p in ds
    )
    tracemalloc.start()
    try:
        pixels = 0
        for p in ds:
            a, b = p.a, p.b
            assert a.shape == b.shape
            pixels += a.size + b.size
            del a, b
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # holding every pair would need pixels*8 bytes; streaming needs about one pair
    assert peak < 4 * 2 * largest * 8
    assert peak < pixels * 8 / 10
