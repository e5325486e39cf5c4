"""Registry-wide contract test: every registered method, built-in or plugin.

A new method is covered the moment it registers. Inputs are crops of a real
Lytro pair (colour and grey, odd and tiny sizes, 8 and 16 bit).
"""

from __future__ import annotations

import numpy as np
import pytest

import methods
from bench.color import luma
from bench.io import read_image

ALL = methods.list_methods("*")


@pytest.fixture(scope="module")
def real_pair(shared_datasets):
    a, _ = read_image(shared_datasets / "lytro" / "lytro-05-A.jpg")
    b, _ = read_image(shared_datasets / "lytro" / "lytro-05-B.jpg")
    return a, b


def _check(res, shape):
    img = res.image
    assert img.shape == shape
    assert np.all(np.isfinite(img))
    assert img.min() >= 0.0 and img.max() <= 255.0
    if res.decision_map is not None:
        assert res.decision_map.shape == shape[:2]
        assert res.decision_map.min() >= 0.0 and res.decision_map.max() <= 1.0


@pytest.mark.parametrize("name", ALL)
def test_colour_odd_size(name, real_pair):
    a, b = (x[60:60 + 333, 1:1 + 517 - 100] for x in real_pair)  # 333×417 colour
    res = methods.get_method(name).fuse(a, b)
    _check(res, a.shape)
    # A fused image must look like its sources: correlated with their mean.
    corr = np.corrcoef(luma(res.image).ravel(), luma((a + b) / 2).ravel())[0, 1]
    assert corr > 0.8, f"{name}: fused image barely correlates with the sources ({corr:.3f})"


@pytest.mark.parametrize("name", ALL)
def test_gray_uint8_odd(name, real_pair):
    a, b = (np.rint(luma(x[:333, :255])).astype(np.uint8) for x in real_pair)
    res = methods.get_method(name).fuse(a, b)
    _check(res, a.shape)


@pytest.mark.parametrize("name", ALL)
def test_tiny(name, real_pair):
    a, b = (x[200:217, 300:323] for x in real_pair)
    res = methods.get_method(name).fuse(a, b)
    _check(res, a.shape)


@pytest.mark.parametrize("name", ALL)
def test_uint16_matches_scaled_uint8(name, real_pair):
    a8, b8 = (np.rint(x[:64, :80]).astype(np.uint8) for x in real_pair)
    a16, b16 = (x.astype(np.uint16) * 257 for x in (a8, b8))
    r8 = methods.get_method(name).fuse(a8, b8).image
    r16 = methods.get_method(name).fuse(a16, b16).image
    _check(methods.get_method(name).fuse(a16, b16), a8.shape)
    np.testing.assert_allclose(r16, r8, atol=1e-6)


@pytest.mark.parametrize("name", ALL)
def test_identical_inputs_give_input(name, real_pair):
    a = real_pair[0][100:180, 120:220]
    res = methods.get_method(name).fuse(a, a.copy())
    np.testing.assert_allclose(res.image, a, atol=1.0)


@pytest.mark.parametrize("name", ALL)
def test_deterministic_and_pure(name, real_pair):
    a, b = (x[:48, :56].copy() for x in real_pair)
    a0, b0 = a.copy(), b.copy()
    m = methods.get_method(name)
    r1, r2 = m.fuse(a, b).image, m.fuse(a, b).image
    np.testing.assert_array_equal(r1, r2)
    np.testing.assert_array_equal(a, a0)  # inputs untouched
    np.testing.assert_array_equal(b, b0)


@pytest.mark.parametrize("name", ALL)
def test_declaration(name):
    cls = methods.METHODS.get(name)
    info = cls.info()
    assert info["version"] and info["citation"]
    assert info["kind"] in ("classic", "deep")
    assert set(info["modalities"]) <= {"multi-focus", "ir-visible", "medical"}
