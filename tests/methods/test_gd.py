"""``gd``: gradient-domain fusion — integration, selection, reference-code agreement."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

import methods
from bench.color import luma
from bench.io import read_image
from methods.gd import forward_gradients, fuse_chroma, poisson_integrate


def test_poisson_integration_recovers_an_image_from_its_gradients(lytro_pair):
    y = luma(lytro_pair[0])[:97, :131]
    np.testing.assert_allclose(poisson_integrate(*forward_gradients(y), y.mean()), y, atol=1e-8)


def test_selection_map_follows_the_sharp_half(lytro_pair):
    x = luma(lytro_pair[1])[100:260, 100:300]
    blur = ndimage.gaussian_filter(x, 2.0)
    a, b = x.copy(), x.copy()
    a[:, :100], b[:, 100:] = blur[:, :100], blur[:, 100:]
    res = methods.get_method("gd").fuse(a, b, enhance=False)
    assert res.decision_map[:, 130:].mean() > 0.75  # A's gradients where A is sharp
    assert res.decision_map[:, :70].mean() < 0.25
    # the fused image is as sharp as the sharp halves
    lap = lambda im: np.abs(ndimage.laplace(im))[5:-5, 5:-5].mean()  # noqa: E731
    assert lap(res.image) > 0.9 * lap(x)


def test_chroma_weights_favour_the_colourful_source():
    ca, cb = np.array([[178.0, 128.0]]), np.array([[128.0, 128.0]])
    np.testing.assert_allclose(fuse_chroma(ca, cb), [[178.0, 128.0]])


def test_reference_mode_matches_the_authors_outputs(shared_datasets):
    """enhance=True reproduces Paul et al.'s code (studio YCbCr, gamma norm, CLAHE)."""
    import metrics
    from bench.validate.mfifb_outputs import psnr, save_like_matlab_jpeg

    root = shared_datasets / "mfifb"
    a, _ = read_image(root / "sources" / "lytro_05_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_05_B.jpg")
    theirs, _ = read_image(root / "fused" / "GD" / "lytro_05_GD.jpg")
    assert methods.get_method("gd").make_params().enhance  # the published method is the default
    ours = methods.get_method("gd").fuse(a, b).image
    assert psnr(np.rint(ours), theirs) > 38.0
    saved = save_like_matlab_jpeg(ours)
    dq = metrics.compute("qabf", a, b, saved) - metrics.compute("qabf", a, b, theirs)
    assert abs(dq) < 0.005


def test_identity_exemption_is_declared_and_only_applies_to_the_enhancement(lytro_pair):
    """gd declares why fuse(X, X) != X (CLAHE); without the enhancement X comes back."""
    from methods.gd import GradientDomain

    assert "CLAHE" in GradientDomain.identity_exempt
    x = lytro_pair[0][100:180, 120:220]
    m = methods.get_method("gd")
    np.testing.assert_allclose(m.fuse(x, x.copy(), enhance=False).image, x, atol=1.0)
    assert np.abs(m.fuse(x, x.copy()).image - x).max() > 5.0
