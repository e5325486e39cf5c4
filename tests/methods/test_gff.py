"""``gff``: agreement with the authors' outputs (MFIFB) and focus selection."""

from __future__ import annotations

import numpy as np
from scipy import ndimage

import methods
from bench.io import read_image


def _blurred_pair(x, sigma=3.0):
    """A: right half sharp; B: left half sharp (the rest Gaussian-blurred)."""
    blur = ndimage.gaussian_filter(x, (sigma, sigma, 0) if x.ndim == 3 else sigma)
    a, b = x.copy(), x.copy()
    w = x.shape[1] // 2
    a[:, :w], b[:, w:] = blur[:, :w], blur[:, w:]
    return a, b


def _psnr(x, y):
    return 10 * np.log10(255.0**2 / np.mean((x - y) ** 2))


def test_matches_original_implementation(shared_datasets):
    root = shared_datasets / "mfifb"
    for pair in ("lytro_03", "lytro_11"):
        a, _ = read_image(root / "sources" / f"{pair}_A.jpg")
        b, _ = read_image(root / "sources" / f"{pair}_B.jpg")
        theirs, _ = read_image(root / "fused" / "GFF" / f"{pair}_GFF.jpg")
        ours = np.rint(methods.get_method("gff").fuse(a, b).image)
        assert _psnr(ours, theirs) > 42.0, pair  # their JPEG q75 caps this near 50 dB


def test_decision_map_picks_the_sharp_half(lytro_pair):
    x = lytro_pair[0][100:260, 100:300]
    a, b = _blurred_pair(x)
    res = methods.get_method("gff").fuse(a, b)
    w = x.shape[1] // 2
    dm = res.decision_map
    assert dm[:, w + 30:].mean() > 0.8  # A is sharp on the right
    assert dm[:, : w - 30].mean() < 0.2
    assert _psnr(res.image, x) > _psnr((a + b) / 2, x) + 3


def test_parameters_change_the_result(lytro_pair):
    a, b = _blurred_pair(lytro_pair[0][100:220, 100:260])
    m = methods.get_method("gff")
    assert not np.allclose(m.fuse(a, b).image, m.fuse(a, b, r1=5).image)
