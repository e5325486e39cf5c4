"""The ``synthetic`` dataset: recipe, determinism, no-download default."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from bench.datasets import load_dataset
from bench.datasets.synthesis import mean_gradient
from bench.errors import ParameterError


def test_default_needs_no_data(monkeypatch, tmp_path):
    monkeypatch.setenv("FUSEBENCH_DATA", str(tmp_path / "nothing-here"))
    ds = load_dataset("synthetic")
    assert len(ds) == 6
    p = ds[0]
    assert p.a.shape == (256, 256, 3) and p.modality == "multi-focus"
    assert p.has_ground_truth and p.has_mask


@pytest.mark.parametrize("count", [1, 9])
def test_count_as_asked(count):
    ds = load_dataset(f"synthetic:count={count},size=48")
    assert len(ds) == count and len(set(ds.ids())) == count


def test_ground_truth_identity_where_mask_is_crisp():
    ds = load_dataset("synthetic", count=4, size=96)
    for p in ds:
        a, b, gt, m = p.a, p.b, p.ground_truth, p.mask
        crisp = (m == 0) | (m == 1)
        assert crisp.mean() > 0.99
        m3 = m[..., None]
        assert np.array_equal((a * m3 + b * (1 - m3))[crisp], gt[crisp])
        assert 0.2 <= m.mean() <= 0.6
        # A is sharp where the mask is 1, B elsewhere
        assert np.array_equal(a[m == 1], gt[m == 1]) and np.array_equal(b[m == 0], gt[m == 0])


def test_sharpness_strictly_decreases_with_blur_level():
    scores = []
    for k in range(1, 6):
        p = load_dataset(f"synthetic:count=1,size=128,levels={k}-{k}")[0]
        inside = p.mask == 1  # B is the blurred source inside the mask
        ys, xs = np.nonzero(inside)
        crop = p.b[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
        scores.append(mean_gradient(crop))
    assert all(x > y for x, y in zip(scores, scores[1:])), scores


def test_same_seed_same_bytes_other_seed_differs():
    d1 = load_dataset("synthetic:count=3,size=64,seed=11")
    d2 = load_dataset("synthetic:count=3,size=64,seed=11")
    d3 = load_dataset("synthetic:count=3,size=64,seed=12")
    for p1, p2 in zip(d1, d2):
        assert p1.id == p2.id
        assert p1.a.tobytes() == p2.a.tobytes() and p1.mask.tobytes() == p2.mask.tobytes()
        assert p1.content_hash() == p2.content_hash()
    assert d1[0].content_hash() != d3[0].content_hash()
    assert d1[0].a.tobytes() != d3[0].a.tobytes()


def test_parameters_change_the_output_and_the_hash():
    base = load_dataset("synthetic:count=1,size=64")[0]
    other = load_dataset("synthetic:count=1,size=64,sigma=3.0")[0]
    assert base.content_hash() != other.content_hash()
    assert not np.array_equal(base.b, other.b)


def test_pairs_pickle_without_arrays():
    p = load_dataset("synthetic:count=2,size=64")[1]
    blob = pickle.dumps(p)
    assert len(blob) < 5000  # recipe only, no decoded pixels
    q = pickle.loads(blob)
    assert np.array_equal(q.a, p.a) and q.content_hash() == p.content_hash()


def test_natural_source_uses_region_maps(shared_datasets):
    ds = load_dataset("synthetic:source=natural,count=3,size=128", data_dir=shared_datasets)
    assert len(ds) == 3
    for p in ds:
        assert p.a.shape == (128, 128, 3)
        assert 0.2 <= p.mask.mean() <= 0.6


def test_bad_options_are_reported():
    with pytest.raises(ParameterError, match="unknown option"):
        load_dataset("synthetic:colour=red")
    with pytest.raises(ParameterError, match="mask must be"):
        load_dataset("synthetic", mask="circles")
