"""The method contract, as reusable checks.

The registry-wide test (tests/methods/test_contract.py) and every scaffolded
plugin test (``python -m bench new-method``) call these, so a method is held
to the same rules wherever it lives:

    >>> from methods.testing import CHECKS, example_pair
    >>> a, b = example_pair()
    >>> for check in CHECKS.values():
    ...     check("average", a, b)

Each check takes a method name and a colour source pair (float64 0..255,
at least 333×417) and raises AssertionError with a message naming the method.
A method whose defaults are too slow for these checks (``asr``: minutes per
image) declares ``contract_params``, keyword overrides used by every check;
one that cannot return X for fuse(X, X) by construction (``csr``: ℓ1-shrunk
detail) declares its bound as ``identity_atol`` (default 1 grey level).
"""

from __future__ import annotations

import numpy as np

from bench.color import luma


def example_pair(size: int = 420) -> tuple[np.ndarray, np.ndarray]:
    """A colour multi-focus pair built from scikit-image's astronaut photo:
    A is sharp on the left half, B on the right half."""
    from scipy.ndimage import gaussian_filter
    from skimage import data

    img = data.astronaut()[:size, :size].astype(np.float64)
    blurred = np.stack([gaussian_filter(img[..., c], 3.0) for c in range(3)], axis=-1)
    left = np.zeros(img.shape[:2], bool)
    left[:, : size // 2] = True
    m = left[..., None]
    return np.where(m, img, blurred), np.where(m, blurred, img)


def _fuse(name, a, b):
    import methods

    method = methods.get_method(name)
    return method.fuse(a, b, **method.contract_params)


def _check_output(name, res, shape):
    img = res.image
    assert img.shape == shape, f"{name}: output shape {img.shape}, expected {shape}"
    assert np.all(np.isfinite(img)), f"{name}: non-finite output"
    assert img.min() >= 0.0 and img.max() <= 255.0, f"{name}: output outside 0..255"
    if res.decision_map is not None:
        dm = res.decision_map
        assert dm.shape == shape[:2], f"{name}: decision map shape {dm.shape}"
        assert dm.min() >= 0.0 and dm.max() <= 1.0, f"{name}: decision map outside 0..1"


def _crop(name, h, w):
    """The checks' (h, w), capped by the method's declared ``contract_crop``."""
    import methods

    cap = methods.METHODS.get(name).contract_crop
    return (h, w) if cap is None else (min(h, cap[0]), min(w, cap[1]))


def check_colour_odd_size(name, a, b):
    h, w = _crop(name, 333, 417)
    a, b = a[:h, :w], b[:h, :w]
    res = _fuse(name, a, b)
    _check_output(name, res, a.shape)
    corr = np.corrcoef(luma(res.image).ravel(), luma((a + b) / 2).ravel())[0, 1]
    assert corr > 0.8, f"{name}: fused image barely correlates with the sources ({corr:.3f})"


def check_gray_uint8(name, a, b):
    h, w = _crop(name, 333, 255)
    a8, b8 = (np.rint(luma(x[:h, :w])).astype(np.uint8) for x in (a, b))
    _check_output(name, _fuse(name, a8, b8), a8.shape)


def check_tiny(name, a, b):
    a, b = a[200:217, 150:173], b[200:217, 150:173]
    _check_output(name, _fuse(name, a, b), a.shape)


def check_uint16_matches_uint8(name, a, b):
    a8, b8 = (np.rint(x[:64, :80]).astype(np.uint8) for x in (a, b))
    a16, b16 = (x.astype(np.uint16) * 257 for x in (a8, b8))
    r8, r16 = _fuse(name, a8, b8), _fuse(name, a16, b16)
    _check_output(name, r16, a8.shape)
    np.testing.assert_allclose(r16.image, r8.image, atol=1e-6, err_msg=f"{name}: 16-bit input differs")


def check_identical_inputs(name, a, b):
    """fuse(X, X) = X, or, for a method declaring ``identity_exempt`` (its reason), a valid
    image that still follows X closely (luma correlation > 0.9)."""
    import methods

    h, w = _crop(name, 80, 100)
    x = a[100:100 + h, 120:120 + w]
    res = _fuse(name, x, x.copy())
    cls = methods.METHODS.get(name)
    reason = cls.identity_exempt
    if not reason:
        # a method that cannot reproduce X exactly declares its documented bound (identity_atol)
        np.testing.assert_allclose(res.image, x, atol=cls.identity_atol,
                                   err_msg=f"{name}: fuse(X, X) != X")
        return
    assert len(reason.strip()) >= 20, f"{name}: identity_exempt must give a real reason"
    _check_output(name, res, x.shape)
    corr = np.corrcoef(luma(res.image).ravel(), luma(x).ravel())[0, 1]
    assert corr > 0.9, f"{name}: fuse(X, X) barely follows X ({corr:.3f}) despite its exemption"


def check_deterministic_and_pure(name, a, b):
    a, b = a[:48, :56].copy(), b[:48, :56].copy()
    a0, b0 = a.copy(), b.copy()
    r1, r2 = _fuse(name, a, b).image, _fuse(name, a, b).image
    np.testing.assert_array_equal(r1, r2, err_msg=f"{name}: two runs differ")
    assert np.array_equal(a, a0) and np.array_equal(b, b0), f"{name}: modified its inputs"


def check_read_only_inputs(name, a, b):
    """``run`` gets read-only arrays, and read-only caller arrays fuse like writable ones."""
    import methods

    method = methods.get_method(name)
    run, flags = method.run, []

    def spy(x, y, params):
        flags.append((x.flags.writeable, y.flags.writeable))
        return run(x, y, params)

    method.run = spy
    a, b = np.rint(a[:40, :52]).astype(np.uint8), b[:40, :52].copy()
    extra = method.contract_params
    expected = method.fuse(a, b, **extra).image
    a.setflags(write=False)
    b.setflags(write=False)
    got = method.fuse(a, b, **extra).image
    assert flags == [(False, False)] * 2, f"{name}: run() received writeable inputs {flags}"
    np.testing.assert_array_equal(got, expected, err_msg=f"{name}: read-only inputs fuse differently")


def check_grey_with_colour_ycbcr(name, a, b):
    """A colour A with a grey B under ``mixed_colour="ycbcr"`` (what ``harvard:pet-mri`` runs):
    colour output whose chroma is A's wherever no channel is clipped."""
    import methods
    from bench.color import rgb_to_ycbcr

    a, b = a[:64, :80], luma(b[:64, :80])
    method = methods.get_method(name)
    res = method.fuse(a, b, mixed_colour="ycbcr", **method.contract_params)
    _check_output(name, res, a.shape)
    inside = ((res.image > 0) & (res.image < 255)).all(axis=-1)
    lost = np.abs(rgb_to_ycbcr(res.image)[..., 1:] - rgb_to_ycbcr(a)[..., 1:])[inside]
    assert lost.size and lost.max() < 1e-6, f"{name}: ycbcr fusion changed the colour's chroma"


def check_declaration(name, a=None, b=None):
    import methods

    info = methods.METHODS.get(name).info()
    assert info["version"] and info["citation"], f"{name}: needs version and citation"
    assert info["kind"] in ("classic", "deep")
    assert set(info["modalities"]) <= {"multi-focus", "ir-visible", "medical"}
    from methods.base import GROUPS

    assert info["modalities"], f"{name}: declares no task (modalities)"
    assert set(info["groups"]) <= set(GROUPS), f"{name}: unknown groups {info['groups']}"
    assert info["kind"] in info["groups"], f"{name}: kind {info['kind']} missing from its groups"
    assert all(isinstance(k, str) and isinstance(v, str) and v
               for k, v in info["published_names"].items()), f"{name}: bad published_names"


CHECKS = {
    "colour_odd_size": check_colour_odd_size,
    "gray_uint8": check_gray_uint8,
    "tiny": check_tiny,
    "uint16_matches_uint8": check_uint16_matches_uint8,
    "identical_inputs": check_identical_inputs,
    "deterministic_and_pure": check_deterministic_and_pure,
    "read_only_inputs": check_read_only_inputs,
    "grey_with_colour_ycbcr": check_grey_with_colour_ycbcr,
    "declaration": check_declaration,
}
