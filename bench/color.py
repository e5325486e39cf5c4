"""Colour conversions and per-channel helpers shared by methods and metrics (float64, 0..255).

BT.601 luma: Y = 0.299 R + 0.587 G + 0.114 B (the ``default`` metric colour
rule; MATLAB's ``rgb2gray``, with its rounded weights, is
:func:`bench.matlab.rgb2gray`). A grey pixel (R = G = B) has luma exactly R: in floating point the weights sum to 0.9999999999999999
and the weighted sum of three equal values can miss R by an ulp, which
exact-equality tests in the edge metrics amplify, so :func:`luma` returns
grey pixels unchanged.

    >>> import numpy as np
    >>> float(luma(np.array([[[255.0, 255.0, 255.0]]]))[0, 0])
    255.0
    >>> grey = np.full((1, 1, 3), 4.0)
    >>> float((grey @ BT601)[0, 0]), float(luma(grey)[0, 0])
    (3.9999999999999996, 4.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

BT601 = np.array([0.299, 0.587, 0.114])


def luma(x: np.ndarray) -> np.ndarray:
    """BT.601 luma of an H×W×3 image; grey H×W images and grey pixels (R = G = B) unchanged."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 2:
        return x
    y = x @ BT601
    r, g, b = x[..., 0], x[..., 1], x[..., 2]
    grey = (r == g) & (g == b)
    y[grey] = r[grey]
    return y


def rgb_to_ycbcr(x: np.ndarray) -> np.ndarray:
    """Full-range BT.601 YCbCr (JPEG convention), 0..255, for luma+chroma fusion."""
    x = np.asarray(x, dtype=np.float64)
    y = x @ BT601
    cb = 128.0 + (x[..., 2] - y) * (0.5 / (1.0 - 0.114))
    cr = 128.0 + (x[..., 0] - y) * (0.5 / (1.0 - 0.299))
    return np.stack([y, cb, cr], axis=-1)


def ycbcr_to_rgb(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_ycbcr`."""
    x = np.asarray(x, dtype=np.float64)
    y, cb, cr = x[..., 0], x[..., 1] - 128.0, x[..., 2] - 128.0
    r = y + cr * (2.0 * (1.0 - 0.299))
    b = y + cb * (2.0 * (1.0 - 0.114))
    g = (y - 0.299 * r - 0.114 * b) / 0.587
    return np.stack([r, g, b], axis=-1)


#: linear IHS (Tu et al., "A new look at IHS-like image fusion methods", Information Fusion
#: 2(3):177-186, 2001): I = (R + G + B)/3 and two chroma axes v1, v2, whose angle is the hue
#: H = atan2(v2, v1) and whose length the saturation S = sqrt(v1² + v2²).
IHS = np.array([[1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
                [-np.sqrt(2.0) / 6.0, -np.sqrt(2.0) / 6.0, 2.0 * np.sqrt(2.0) / 6.0],
                [1.0 / np.sqrt(2.0), -1.0 / np.sqrt(2.0), 0.0]])
#: its inverse, in closed form: R = I − v1/√2 + v2/√2, G = I − v1/√2 − v2/√2, B = I + √2 v1
IHS_INVERSE = np.array([[1.0, -1.0 / np.sqrt(2.0), 1.0 / np.sqrt(2.0)],
                        [1.0, -1.0 / np.sqrt(2.0), -1.0 / np.sqrt(2.0)],
                        [1.0, np.sqrt(2.0), 0.0]])


def rgb_to_ihs(x: np.ndarray) -> np.ndarray:
    """Linear IHS (:data:`IHS`): channels I (0..255), v1, v2 (chroma, about ±150).

        >>> np.round(rgb_to_ihs(np.array([[[90.0, 30.0, 60.0]]]))[0, 0], 6).tolist()
        [60.0, -0.0, 42.426407]
        >>> round(hue_saturation(rgb_to_ihs(np.full((1, 1, 3), 50.0)))[1].item(), 9)  # grey: S = 0
        0.0
    """
    return np.asarray(x, dtype=np.float64) @ IHS.T


def ihs_to_rgb(x: np.ndarray) -> np.ndarray:
    """Inverse of :func:`rgb_to_ihs`."""
    return np.asarray(x, dtype=np.float64) @ IHS_INVERSE.T


def hue_saturation(ihs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(H in radians, S) of an IHS image: the colour an intensity substitution keeps."""
    v1, v2 = ihs[..., 1], ihs[..., 2]
    return np.arctan2(v2, v1), np.hypot(v1, v2)


#: mixed-colour space -> (RGB -> (intensity, c1, c2), inverse)
COLOUR_SPACES: dict[str, tuple[Callable[[np.ndarray], np.ndarray],
                               Callable[[np.ndarray], np.ndarray]]] = {
    "ycbcr": (lambda x: rgb_to_ycbcr(x), lambda x: ycbcr_to_rgb(x)),
    "ihs": (lambda x: rgb_to_ihs(x), lambda x: ihs_to_rgb(x)),
}


def per_channel(fn: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray,
                b: np.ndarray) -> np.ndarray:
    """Apply a grey fusion rule ``fn(a2d, b2d) -> f2d`` to each channel of H×W×C inputs.

        >>> per_channel(np.maximum, np.zeros((2, 2, 3)), np.ones((2, 2, 3))).shape
        (2, 2, 3)
    """
    if a.ndim == 2:
        return fn(a, b)
    return np.stack([fn(a[..., c], b[..., c]) for c in range(a.shape[2])], axis=-1)


def weighted_blend(w: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """w·A + (1−w)·B with an H×W weight broadcast over colour channels.

        >>> weighted_blend(np.array([[1.0, 0.0]]), np.full((1, 2, 3), 9.0), np.zeros((1, 2, 3)))[..., 0]
        array([[9., 0.]])
    """
    w = np.asarray(w, dtype=np.float64)
    if a.ndim == 3 and w.ndim == 2:
        w = w[..., None]
    return w * a + (1.0 - w) * b


def fuse_luma_restore_chroma(fuse_grey: Callable[[np.ndarray, np.ndarray], Any],
                             a: np.ndarray, b: np.ndarray, space: str = "ycbcr") -> Any:
    """Fuse a grey and a colour source in YCbCr: ``fuse_grey`` (a grey fusion returning an
    object with an ``image``, e.g. a FusionResult) fuses the grey source with the colour
    source's BT.601 luma Y (A/B order kept), then the colour source's Cb and Cr are put
    back and the image converted to RGB (clipped to 0..255). This is how the medical
    literature fuses pseudo-colour PET/SPECT with MRI, so the fused image keeps the
    functional image's colour; the result's ``image`` is replaced, the rest is kept.
    ``space="ihs"`` does the same in linear IHS (:func:`rgb_to_ihs`): the grey source is
    fused with the intensity I = (R+G+B)/3 and the colour source's hue and saturation
    (v1, v2) are put back (the "fast IHS" substitution of Tu et al. 2001).

        >>> from types import SimpleNamespace
        >>> pet = np.zeros((2, 2, 3)); pet[..., 0] = 200.0          # red
        >>> mri = np.full((2, 2), 90.0)
        >>> out = fuse_luma_restore_chroma(
        ...     lambda x, y: SimpleNamespace(image=np.maximum(x, y)), pet, mri).image
        >>> np.round(rgb_to_ycbcr(out)[0, 0], 3)                       # Y = max(59.8, 90)
        array([ 90.   ,  94.253, 228.   ])
        >>> np.round(rgb_to_ycbcr(pet)[0, 0, 1:], 3)                    # the PET's chroma
        array([ 94.253, 228.   ])
    """
    colour_is_a = a.ndim == 3
    colour = a if colour_is_a else b
    if colour.ndim != 3 or (a.ndim == 3) == (b.ndim == 3):
        raise ValueError("fuse_luma_restore_chroma needs one grey (H×W) and one colour source")
    if space not in COLOUR_SPACES:
        raise ValueError(f"colour space {space!r} not in {tuple(COLOUR_SPACES)}")
    forward, inverse = COLOUR_SPACES[space]
    ycc = forward(colour)
    y = np.clip(ycc[..., 0], 0.0, 255.0)
    res = fuse_grey(y, b) if colour_is_a else fuse_grey(a, y)
    fused = np.asarray(res.image, dtype=np.float64)
    res.image = np.clip(inverse(np.stack([fused, ycc[..., 1], ycc[..., 2]], axis=-1)),
                        0.0, 255.0)
    return res
