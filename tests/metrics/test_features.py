"""Shared per-image features (metrics.features) and compute_many: same values, less work."""

from __future__ import annotations

import numpy as np
import pytest

import metrics
from bench.color import luma
from bench.io import write_image
from metrics.features import FeatureCache, memo, shared_features

EDGE_AND_HIST = ("qabf", "qag", "qlabf", "qmi", "qsf", "qnabf", "qabf-petrovic", "en", "ce", "qnmi", "ei", "qg")


@pytest.fixture(scope="module")
def triple(shared_datasets):
    """Real 96×120 Lytro crops and two different fused images (RGB)."""
    from bench.io import read_image

    d = shared_datasets / "lytro"
    a = read_image(d / "lytro-02-A.jpg")[0][100:196, 150:270]
    b = read_image(d / "lytro-02-B.jpg")[0][100:196, 150:270]
    f1 = (a + b) / 2
    f2 = np.where(a.mean(axis=2, keepdims=True) > b.mean(axis=2, keepdims=True), a, b)
    return a, b, f1, f2


@pytest.mark.parametrize("convention", ["default", "vifb", "mefb"])
def test_compute_many_equals_compute_bit_for_bit(triple, convention):
    a, b, f1, f2 = triple
    names = [n for n in EDGE_AND_HIST if convention in metrics.get_metric(n).conventions]
    many = metrics.compute_many(names, a, b, [f1, f2], convention)
    for f, got in zip((f1, f2), many):
        for n in names:
            assert got[n] == metrics.compute(n, a, b, f, convention), (n, convention)
    # the two fused images really score differently (nothing was shared that should not be)
    assert many[0]["qabf"] != many[1]["qabf"]


def test_grey_and_mixed_inputs_share_features_safely(triple):
    a, b, f1, _ = triple
    ga = luma(a)
    for conv in ("default", "vifb", "mefb"):
        names = [n for n in EDGE_AND_HIST if conv in metrics.get_metric(n).conventions]
        with shared_features():
            got = {n: metrics.compute(n, ga, b, f1, conv) for n in names}
            grey_f = {n: metrics.compute(n, a, b, luma(f1), conv) for n in names}
        for n in names:
            assert got[n] == metrics.compute(n, ga, b, f1, conv), (n, conv)
            assert grey_f[n] == metrics.compute(n, a, b, luma(f1), conv), (n, conv)


def test_uint8_inputs_are_converted_once_and_score_as_float(triple):
    a, b, f1, _ = triple
    a8, b8, f8 = (np.rint(x).astype(np.uint8) for x in (a, b, f1))
    with shared_features() as fc:
        v = metrics.compute_many(["qabf", "qmi"], a8, b8, f8)
        converted = fc.misses
        metrics.compute("qabf", a8, b8, f8)
        assert fc.misses == converted  # a second metric call reuses conversion, luma and Sobel maps
    assert v["qabf"] == metrics.compute("qabf", *(x.astype(float) for x in (a8, b8, f8)))


def test_sources_features_are_computed_once_for_all_fused_images(triple, monkeypatch):
    monkeypatch.setenv("FUSEBENCH_NUMBA", "0")  # the numpy code's per-image Sobel maps (the kernel has none)
    a, b, f1, f2 = triple
    from metrics.edge import qabf as qabf_module

    calls = []
    real = qabf_module.strength_orientation

    def counting(x):
        calls.append(x.shape)
        return real(x)

    counting.__module__, counting.__qualname__ = real.__module__, real.__qualname__
    qabf_module.strength_orientation = counting
    try:
        metrics.compute_many(["qabf"], a, b, [f1, f2, (f1 + f2) / 2])
    finally:
        qabf_module.strength_orientation = real
    assert len(calls) == 2 + 3  # A and B once, each fused image once


def test_channel_views_are_one_image_and_keep_only_forgets_the_fused_image(triple):
    a, b, f1, _ = triple
    seen = []

    def mean_of(x):
        seen.append(1)
        return float(x.mean())

    fc = FeatureCache()
    with shared_features(fc):
        for _ in range(2):
            from metrics.channels import channel

            memo(mean_of, channel(a, 1))
            memo(mean_of, a[..., 1])  # a fresh view of the same pixels: the same key
            memo(mean_of, channel(f1, 1))
    assert len(seen) == 2
    fc.keep_only(a, b)
    assert len(fc) == 2  # a's channel view and its mean stay, f1's are gone
    with shared_features(fc):
        memo(mean_of, channel(a, 1))
        memo(mean_of, channel(f1, 1))
    assert len(seen) == 3


def test_cache_pngs_at_a_fast_level_stay_lossless(tmp_path, triple):
    from bench.io import read_image
    from bench.runner.cache import PNG_LEVEL

    a = np.rint(triple[0])
    for depth, img in ((8, a), (16, a + 0.25)):
        fast = write_image(tmp_path / f"fast{depth}.png", img, depth, compress_level=PNG_LEVEL)
        slow = write_image(tmp_path / f"slow{depth}.png", img, depth)
        assert np.array_equal(read_image(fast)[0], read_image(slow)[0])
        assert np.abs(read_image(fast)[0] - np.clip(img, 0, 255)).max() <= (0.0 if depth == 8 else 0.5 / 257)
    assert PNG_LEVEL < 6
