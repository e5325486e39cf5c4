"""The fused-image cache stores losslessly and scores are computed on what is stored."""

from __future__ import annotations

import numpy as np

from bench.runner.cache import FusedCache
from bench.runner.execute import quantise, quantise_map, source_bit_depth
from bench.runner.pairs import array_pair


def test_round_trip_is_exact_for_8_and_16_bit(tmp_path, lytro_pair):
    a, b = lytro_pair
    fused = (a[:40, :40] * 0.3 + b[:40, :40] * 0.7)  # fractional values
    dm = np.linspace(0, 1, 40 * 40).reshape(40, 40)
    cache = FusedCache(tmp_path)
    for depth in (8, 16):
        key = f"{depth:02d}" + "ab" * 31
        q = quantise(fused, depth)
        cache.put_fused(key, q, quantise_map(dm), depth, {"method": "x"})
        entry = cache.lookup(key)
        img, m = entry.load()
        assert np.array_equal(img, q) and np.array_equal(m, quantise_map(dm))
        assert np.abs(q - fused).max() <= (0.5 if depth == 8 else 0.5 / 257 + 1e-9)
        assert entry.has_decision_map is True and entry.problem == ""
    cache.put_scores(entry.meta, key, {"qsf|default|v1": 1.5})
    assert cache.lookup(key).scores == {"qsf|default|v1": 1.5}


def test_bit_depth_follows_the_sources(lytro_pair):
    a, b = lytro_pair
    assert source_bit_depth(array_pair("p", a, b), a, b) == 8
    a16 = np.rint(a * 257) / 257 + 1 / 257  # not whole 8-bit values
    assert source_bit_depth(array_pair("p", a16, b), a16, b) == 16


def test_no_partial_files_after_writes(tmp_path, lytro_pair):
    cache = FusedCache(tmp_path)
    cache.put_fused("cd" * 32, lytro_pair[0], None, 8, {})
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert sorted(names) == sorted(["cd" * 32 + ".png", "cd" * 32 + ".json"])
