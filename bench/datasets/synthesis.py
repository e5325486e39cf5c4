"""The paper's recipe for synthetic multi-focus pairs, as pure functions.

Recipe (``../shared/spec/tlnet.md``, "Training data"): take a clear natural
image ``I`` and a binary mask ``M`` (1 = region kept sharp in source A). Blur
the whole image with a ``kernel``×``kernel`` Gaussian of standard deviation
``sigma``, ``k`` times (level ``k`` = ``k`` repeated filterings, so level k
is blurrier than level k−1). Then

    A = M·I + (1−M)·blur_k(I)        B = M·blur_k(I) + (1−M)·I

so ``A·M + B·(1−M) = I`` (the ground truth) and the true focus map of A is
``M`` (its unfocused map is ``1−M``).

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> img = rng.uniform(0, 255, (32, 48))
    >>> levels = blur_levels(img, levels=3)
    >>> len(levels), levels[0].shape
    (3, (32, 48))
    >>> mask = blob_mask(img.shape, rng)
    >>> a, b = make_pair(img, mask, levels[1])
    >>> bool(np.allclose(a * mask + b * (1 - mask), img))
    True

All images are float64 (0..255), H×W or H×W×3; masks are bool or float in
0..1 and H×W. Every random choice draws from the ``rng`` you pass
(``numpy.random.Generator``), so a seed fixes the result.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from bench.errors import ParameterError
from bench.matlab import gaussian_taps

__all__ = [
    "gaussian_blur",
    "blur_levels",
    "region_mask",
    "blob_mask",
    "slic_mask",
    "make_pair",
    "focus_labels",
    "mean_gradient",
]


def gaussian_blur(img: np.ndarray, kernel: int = 3, sigma: float = 2.0) -> np.ndarray:
    """One pass of a separable ``kernel``×``kernel`` Gaussian, border replicated.

    Only the two spatial axes are filtered; colour channels stay separate.
    """
    if kernel < 1 or kernel % 2 == 0:
        raise ParameterError(f"Gaussian kernel size must be a positive odd integer, got {kernel}")
    img = np.asarray(img, dtype=np.float64)
    g = gaussian_taps(kernel, sigma)
    out = ndimage.convolve1d(img, g, axis=0, mode="nearest")
    return ndimage.convolve1d(out, g, axis=1, mode="nearest")


def blur_levels(
    img: np.ndarray, levels: int = 5, kernel: int = 3, sigma: float = 2.0
) -> list[np.ndarray]:
    """``[blur_1, ..., blur_levels]``: level k is the Gaussian applied k times.

    >>> img = np.zeros((9, 9)); img[4, 4] = 255.0
    >>> peaks = [float(x.max()) for x in blur_levels(img, 3)]
    >>> peaks[0] > peaks[1] > peaks[2]
    True
    """
    if levels < 1:
        raise ValueError(f"levels must be >= 1, got {levels}")
    out = []
    cur = np.asarray(img, dtype=np.float64)
    for _ in range(levels):
        cur = gaussian_blur(cur, kernel, sigma)
        out.append(cur)
    return out


def _coverage_ok(frac: float, lo: float, hi: float) -> bool:
    return lo <= frac <= hi


def region_mask(
    label_map: np.ndarray,
    rng: np.random.Generator,
    lo: float = 0.2,
    hi: float = 0.6,
    tries: int = 64,
) -> np.ndarray:
    """Union of labelled regions covering between ``lo`` and ``hi`` of the image.

    ``label_map`` is an integer H×W region map (e.g. a BSDS segmentation or
    SLIC superpixels). Regions are visited in random order and added while
    the covered fraction stays ≤ ``hi``, until it reaches ``lo``; if one
    order fails another is tried, and the complement of a union (also a
    union of regions) is accepted too. Returns a bool H×W mask.
    Raises ``ValueError`` when no union fits (e.g. one region covers 90 %).

    >>> labels = np.repeat(np.arange(10), 10).reshape(10, 10)   # 10 stripes
    >>> m = region_mask(labels, np.random.default_rng(0))
    >>> bool(0.2 <= m.mean() <= 0.6)
    True
    """
    labels = np.asarray(label_map)
    if labels.ndim != 2:
        raise ValueError(f"label map must be H×W, got shape {labels.shape}")
    ids, inverse, counts = np.unique(labels.ravel(), return_inverse=True, return_counts=True)
    total = labels.size
    fracs = counts / total
    for _ in range(tries):
        order = rng.permutation(len(ids))
        chosen = np.zeros(len(ids), dtype=bool)
        cover = 0.0
        for i in order:
            if cover + fracs[i] <= hi:
                chosen[i] = True
                cover += fracs[i]
                if cover >= lo:
                    break
        for sel in (chosen, ~chosen):
            frac = float(fracs[sel].sum())
            if _coverage_ok(frac, lo, hi):
                return sel[inverse].reshape(labels.shape)
    raise ValueError(
        f"no union of the {len(ids)} regions covers {lo:.0%}..{hi:.0%} of the image "
        f"(largest region covers {fracs.max():.0%})"
    )


def blob_mask(
    shape: tuple[int, ...],
    rng: np.random.Generator,
    lo: float = 0.2,
    hi: float = 0.6,
    smoothness: float = 0.12,
) -> np.ndarray:
    """Smooth random blobs: thresholded, Gaussian-smoothed white noise.

    The noise is smoothed with σ = ``smoothness``·min(H, W) (bigger → fewer,
    rounder blobs) and thresholded at the quantile that makes the mask cover
    a fraction drawn uniformly from [``lo``, ``hi``]. Returns bool H×W.

    >>> m = blob_mask((64, 80), np.random.default_rng(1))
    >>> m.shape, bool(0.2 <= m.mean() <= 0.6)
    ((64, 80), True)
    """
    h, w = int(shape[0]), int(shape[1])
    if not 0.0 < lo <= hi < 1.0:
        raise ValueError(f"need 0 < lo <= hi < 1, got lo={lo}, hi={hi}")
    noise = rng.standard_normal((h, w))
    field = ndimage.gaussian_filter(noise, sigma=max(1.0, smoothness * min(h, w)), mode="wrap")
    target = rng.uniform(lo, hi)
    thresh = np.quantile(field, 1.0 - target)
    return field > thresh


def slic_mask(
    image: np.ndarray,
    rng: np.random.Generator,
    lo: float = 0.2,
    hi: float = 0.6,
    n_segments: int = 40,
) -> np.ndarray:
    """Union of SLIC superpixels of ``image`` covering ``lo``..``hi`` (bool H×W).

    Boundaries follow image edges, like an object mask would. SLIC itself is
    deterministic; the random choice of superpixels uses ``rng``.
    """
    from skimage.segmentation import slic

    img = np.asarray(image, dtype=np.float64) / 255.0
    labels = slic(
        img,
        n_segments=n_segments,
        compactness=10.0 if img.ndim == 3 else 0.1,
        start_label=0,
        channel_axis=-1 if img.ndim == 3 else None,
    )
    return region_mask(labels, rng, lo, hi)


def _mask_for(mask: np.ndarray, img: np.ndarray) -> np.ndarray:
    m = np.asarray(mask, dtype=np.float64)
    if m.shape != img.shape[:2]:
        raise ValueError(f"mask shape {m.shape} does not match image size {img.shape[:2]}")
    return m[..., None] if img.ndim == 3 else m


def make_pair(
    clear: np.ndarray, mask: np.ndarray, blurred: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``A = M·clear + (1−M)·blurred``, ``B = M·blurred + (1−M)·clear``.

    ``mask`` is H×W (bool or 0..1); colour images are blended per channel.

    >>> c, bl = np.full((2, 2), 200.0), np.full((2, 2), 100.0)
    >>> a, b = make_pair(c, np.array([[1, 0], [0, 1]]), bl)
    >>> a.tolist(), b.tolist()
    ([[200.0, 100.0], [100.0, 200.0]], [[100.0, 200.0], [200.0, 100.0]])
    """
    clear = np.asarray(clear, dtype=np.float64)
    blurred = np.asarray(blurred, dtype=np.float64)
    if clear.shape != blurred.shape:
        raise ValueError(f"clear {clear.shape} and blurred {blurred.shape} differ in shape")
    m = _mask_for(mask, clear)
    a = m * clear + (1.0 - m) * blurred
    b = m * blurred + (1.0 - m) * clear
    return a, b


def focus_labels(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unfocused maps ``(1−M, M)`` of sources A and B (the tlnet training labels)."""
    m = np.asarray(mask, dtype=np.float64)
    return 1.0 - m, m


def mean_gradient(img: np.ndarray) -> float:
    """Mean gradient magnitude (a sharpness score): mean of sqrt((dx² + dy²)/2).

    Computed on forward differences over the common (H−1)×(W−1) grid, all
    channels averaged. Blurring lowers it.

    >>> mean_gradient(np.zeros((4, 4)))
    0.0
    """
    x = np.asarray(img, dtype=np.float64)
    dx = np.diff(x, axis=1)[:-1, ...]
    dy = np.diff(x, axis=0)[:, :-1, ...]
    return float(np.mean(np.sqrt((dx**2 + dy**2) / 2.0)))
