"""Contract every registered metric × convention must keep (timm style).

The cases are built from the registry, so a new metric (or convention) is
tested the moment it registers. Images are scikit-image's embedded photos: a
multi-focus pair made from a sharp crop (A sharp on the left, B sharp on the
right) whose ideal fusion is the crop itself. What a metric promises is
declared on it (``metrics.base.Metric`` / ``Convention``): ``identity``
(value at F = A = B), ``asymmetric`` (why not symmetric in A, B),
``blur_worse`` (on the metric), ``grey_as_rgb`` (why a grey image stored as RGB differs) and
``min_size``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from scipy import ndimage
from skimage import data

import metrics
from bench.errors import FusebenchError, ImageTooSmallError

CASES = [
    (name, conv)
    for name in metrics.list_metrics()
    for conv in metrics.get_metric(name).conventions
]
IDS = [f"{n}-{c}" for n, c in CASES]
_SLOW = {"qp", "fmi"}  # seconds per call at 333×517: checked on a smaller odd size


def _multifocus(sharp: np.ndarray, sigma: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """(A, B): each sharp on one half, blurred on the other (uint8 like the input)."""
    s = (sigma, sigma, 0)[: sharp.ndim]
    blur = np.rint(ndimage.gaussian_filter(sharp.astype(np.float64), s)).astype(np.uint8)
    half = sharp.shape[1] // 2
    a, b = sharp.copy(), sharp.copy()
    a[:, half:] = blur[:, half:]
    b[:, :half] = blur[:, :half]
    return a, b


_CAMERA = data.camera()  # 512×512 grey uint8
_ASTRONAUT = data.astronaut()  # 512×512×3 uint8
_COFFEE = data.coffee()  # 400×600×3 uint8


def _grey(h=96, w=96):
    return _CAMERA[100 : 100 + h, 150 : 150 + w]


def _colour(h=96, w=96):
    return _ASTRONAUT[40 : 40 + h, 180 : 180 + w]


def _triple(sharp):
    a, b = _multifocus(sharp)
    return a, b, sharp


def _extras(metric, fused):
    """Reference / decision map inputs the metric needs (mask: A's sharp half)."""
    kw = {}
    h, w = fused.shape[:2]
    if metric.needs_reference:
        kw["reference"] = fused
    if metric.needs_decision_map:
        mask = np.zeros((h, w))
        mask[:, : w // 2] = 1.0
        kw["mask"] = mask
        kw["decision_map"] = ndimage.gaussian_filter(mask, 2.0)
    return kw


def _score(name, conv, a, b, f, **kw):
    m = metrics.get_metric(name)
    extras = _extras(m, f)
    extras.update(kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return metrics.compute(name, a, b, f, convention=conv, **extras)


def _inputs(kind):
    if kind == "grey-uint8":
        return _triple(_grey())
    if kind == "colour-uint8":
        return _triple(_colour())
    if kind == "colour-uint16":
        return tuple(x.astype(np.uint16) * 257 for x in _triple(_colour()))
    if kind == "grey-float":
        return tuple(x.astype(np.float64) + 0.25 for x in _triple(_grey()))
    if kind == "odd-17x23":
        return _triple(_colour(17, 23))
    if kind == "odd-333x517":
        return _triple(np.rint(_COFFEE[:333, :517] @ [0.299, 0.587, 0.114]).astype(np.uint8))
    if kind == "odd-61x75":
        return _triple(_colour(61, 75))
    raise AssertionError(kind)


KINDS = ["grey-uint8", "colour-uint8", "colour-uint16", "grey-float", "odd-17x23", "odd-333x517"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("name", "conv"), CASES, ids=IDS)
def test_finite_on_every_input_kind(name, conv, kind):
    if kind == "odd-333x517" and name in _SLOW:
        kind = "odd-61x75"
    a, b, f = _inputs(kind)
    spec = metrics.get_metric(name).conventions[conv]
    if min(f.shape[:2]) < spec.min_size:
        with pytest.raises(ImageTooSmallError):
            _score(name, conv, a, b, f)
        return
    value = _score(name, conv, a, b, f)
    assert np.isfinite(value) or value == np.inf, f"{name} ({conv}) on {kind}: {value}"


@pytest.mark.parametrize(("name", "conv"), CASES, ids=IDS)
def test_uint16_scores_as_uint8(name, conv):
    """uint16 = uint8·257 is the same image: the same score, bit for bit."""
    assert _score(name, conv, *_inputs("colour-uint16")) == _score(name, conv, *_inputs("colour-uint8"))


SYMMETRIC = [(n, c) for n, c in CASES if not metrics.get_metric(n).conventions[c].asymmetric]


@pytest.mark.parametrize(("name", "conv"), SYMMETRIC, ids=[f"{n}-{c}" for n, c in SYMMETRIC])
@pytest.mark.parametrize("kind", ["grey-uint8", "colour-uint8"])
def test_symmetric_in_a_and_b(name, conv, kind):
    a, b, f = _inputs(kind)
    assert _score(name, conv, a, b, f) == pytest.approx(_score(name, conv, b, a, f), rel=1e-9, abs=1e-12)


def test_asymmetric_conventions_say_why():
    for name, conv in CASES:
        why = metrics.get_metric(name).conventions[conv].asymmetric
        assert isinstance(why, str)
        if why:
            assert len(why) > 20, f"{name} ({conv}): give the reason it is not symmetric in A and B"


IDENTITY = [(n, c) for n, c in CASES if metrics.get_metric(n).conventions[c].identity is not None]


@pytest.mark.parametrize(("name", "conv"), IDENTITY, ids=[f"{n}-{c}" for n, c in IDENTITY])
@pytest.mark.parametrize("kind", ["grey-uint8", "colour-uint8"])
def test_identity_gives_the_documented_value(name, conv, kind):
    x = _inputs(kind)[2]
    expected = metrics.get_metric(name).conventions[conv].identity
    value = _score(name, conv, x, x, x)
    if np.isinf(expected):
        assert value == expected
    else:
        assert value == pytest.approx(expected, rel=1e-9, abs=1e-12)


BLUR = [(n, c) for n, c in CASES if metrics.get_metric(n).blur_worse]


@pytest.mark.parametrize(("name", "conv"), BLUR, ids=[f"{n}-{c}" for n, c in BLUR])
@pytest.mark.parametrize("kind", ["grey-uint8", "colour-uint8"])
def test_blurred_fused_image_scores_worse(name, conv, kind):
    a, b, sharp = _inputs(kind)
    s = (2.0, 2.0, 0)[: sharp.ndim]
    blurred = np.rint(ndimage.gaussian_filter(sharp.astype(np.float64), s)).astype(np.uint8)
    m = metrics.get_metric(name)
    kw = _extras(m, sharp)  # the ground truth stays the sharp image
    good, bad = _score(name, conv, a, b, sharp, **kw), _score(name, conv, a, b, blurred, **kw)
    assert (good > bad) if m.higher_is_better else (good < bad), f"sharp {good}, blurred {bad}"


def _as_rgb(x):
    return np.repeat(np.asarray(x)[..., None], 3, axis=2)


GREY_AS_RGB = [(n, c) for n, c in CASES if not metrics.get_metric(n).conventions[c].grey_as_rgb]


@pytest.mark.parametrize(("name", "conv"), GREY_AS_RGB, ids=[f"{n}-{c}" for n, c in GREY_AS_RGB])
@pytest.mark.parametrize("stored_rgb", ["fused", "all"])
def test_grey_stored_as_rgb_scores_as_grey(name, conv, stored_rgb):
    """A grey image saved as three equal channels is the grey image (MFIFB's aymaz pairs).

    Exact for the ``luma`` rule; the toolkit rules average three equal
    per-channel scores, which may round in the last bit.
    """
    a, b, f = _inputs("grey-uint8")
    m = metrics.get_metric(name)
    kw = _extras(m, f)
    grey = _score(name, conv, a, b, f, **kw)
    if stored_rgb == "fused":
        rgb = _score(name, conv, a, b, _as_rgb(f), **kw)
    else:
        kw = {k: _as_rgb(v) if k == "reference" else v for k, v in kw.items()}
        rgb = _score(name, conv, _as_rgb(a), _as_rgb(b), _as_rgb(f), **kw)
    if m.conventions[conv].channels in ("luma", "as_is"):
        assert rgb == grey, f"{name} ({conv}): grey {grey!r}, grey stored as RGB {rgb!r}"
    else:
        assert rgb == pytest.approx(grey, rel=1e-12, abs=1e-15)


SMALL = [(n, c) for n, c in CASES if metrics.get_metric(n).conventions[c].min_size > 1]


@pytest.mark.parametrize(("name", "conv"), SMALL, ids=[f"{n}-{c}" for n, c in SMALL])
def test_too_small_image_raises_the_documented_error(name, conv):
    n = metrics.get_metric(name).conventions[conv].min_size
    a, b, f = _triple(_grey(n - 1, n + 4))
    with pytest.raises(ImageTooSmallError, match=f"'{name}'.*too small") as info:
        _score(name, conv, a, b, f)
    assert isinstance(info.value, FusebenchError)


@pytest.mark.parametrize(("name", "conv"), CASES, ids=IDS)
def test_smallest_accepted_size_does_not_crash(name, conv):
    """At ``min_size`` (or 2×2) the metric returns a number (NaN allowed: 0/0 conventions)."""
    n = max(metrics.get_metric(name).conventions[conv].min_size, 2)
    value = _score(name, conv, *_triple(_grey(n, n + 1)))
    assert isinstance(value, float)


def test_metadata_is_complete():
    for name in metrics.list_metrics():
        m = metrics.get_metric(name)
        assert m.version and m.family and m.description and m.citation, name
        assert m.module.startswith(f"metrics.{m.family}."), name
        assert next(iter(m.conventions)) == "default", name


def test_bad_registrations_are_registry_errors():
    from bench.errors import RegistrationError
    from metrics.base import Convention, register_metric

    def fn(a, b, f):
        return 0.0

    with pytest.raises(RegistrationError, match="'default' convention"):
        register_metric("x-test", higher_is_better=True, description="d", citation="c",
                        conventions={"vifb": Convention(fn)})
    with pytest.raises(RegistrationError, match="channel rule"):
        Convention(fn, "per_pixel")
    with pytest.raises(RegistrationError, match="already registered"):
        register_metric("qabf", higher_is_better=True, description="d", citation="c",
                        conventions={"default": Convention(fn)})
    assert "x-test" not in metrics.list_metrics()


def test_metrics_pickle_by_name():
    import pickle

    for name in metrics.list_metrics():
        m = metrics.get_metric(name)
        assert pickle.loads(pickle.dumps(m)) is m
