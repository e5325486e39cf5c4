"""Synthetic multi-focus patch pairs for training the ``cnn-patch`` network.

Recipe of Liu et al. 2017 (spec ``cnn_patch.md``, "Training set"): each natural
photo is converted to grey; a Gaussian filter (σ = 2, truncated to 7×7) is
applied repeatedly to get 5 cumulative blur levels ``B_k = G * B_{k-1}``
(``B_0`` = the clear image). For every level, 16×16 patches are cut at the same
random position from the clear and the blurred image, skipping flat places
(variance of the clear patch < 25 on the 0..255 scale). Each (clear, blurred)
pair gives a positive example (clear first, label 1) and a negative one
(blurred first, label 0).

Only training photographs are read (the ``natural`` corpus, BSDS500); never an
evaluation set. Images are split into train / validation *by image*, so the
validation patches come from photos the network never saw.

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> img = rng.uniform(0, 255, (40, 50))
    >>> clear, blurred, level = sample_patch_pairs(img, per_level=3, rng=rng)
    >>> clear.shape, blurred.shape, sorted(set(level.tolist()))
    ((15, 16, 16), (15, 16, 16), [1, 2, 3, 4, 5])
    >>> ex = PatchPairs.from_pairs(clear, blurred, level)
    >>> len(ex), int(ex.labels[:15].min()), int(ex.labels[15:].max())
    (30, 1, 0)
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import ndimage

from bench.errors import DataError
from bench.matlab import gaussian_taps

PATCH = 16
LEVELS = 5
SIGMA = 2.0
KERNEL = 7  # 7×7 truncation of the Gaussian
MIN_VARIANCE = 25.0


def blur_levels(gray: np.ndarray, levels: int = LEVELS, sigma: float = SIGMA) -> np.ndarray:
    """Cumulative blurs ``(levels, H, W)``: level k is the clear image filtered k times.

    Borders are mirrored ('symmetric', as MATLAB ``imfilter(..., 'symmetric')``).

        >>> blur_levels(np.eye(8) * 255, levels=2).shape
        (2, 8, 8)
    """
    g = gaussian_taps(KERNEL, sigma)  # outer(g, g) = fspecial('gaussian', 7, sigma)
    out = np.empty((levels,) + gray.shape, dtype=np.float64)
    cur = np.asarray(gray, dtype=np.float64)
    for k in range(levels):
        cur = ndimage.correlate1d(cur, g, axis=0, mode="reflect")
        cur = ndimage.correlate1d(cur, g, axis=1, mode="reflect")
        out[k] = cur
    return out


def local_variance(gray: np.ndarray, size: int = PATCH) -> np.ndarray:
    """Variance of every ``size``×``size`` window, indexed by its top-left corner.

    Shape ``(H − size + 1, W − size + 1)``; computed with box sums (no loops).
    """
    x = np.asarray(gray, dtype=np.float64)
    c1 = np.pad(x.cumsum(0).cumsum(1), ((1, 0), (1, 0)))
    c2 = np.pad((x * x).cumsum(0).cumsum(1), ((1, 0), (1, 0)))

    def box(c: np.ndarray) -> np.ndarray:
        return c[size:, size:] - c[:-size, size:] - c[size:, :-size] + c[:-size, :-size]

    n = float(size * size)
    mean = box(c1) / n
    return np.maximum(box(c2) / n - mean * mean, 0.0)


def sample_patch_pairs(
    gray: np.ndarray,
    per_level: int,
    rng: np.random.Generator,
    *,
    levels: int = LEVELS,
    min_variance: float = MIN_VARIANCE,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``per_level`` (clear, blurred) 16×16 pairs for each blur level of one grey image.

    Returns ``(clear, blurred, level)``: uint8 arrays ``(n, 16, 16)`` ×2 and the
    blur level (1..levels) of each pair. Positions are drawn uniformly among the
    non-flat windows (variance ≥ ``min_variance``); an image with none gives 0 pairs.
    """
    gray = np.asarray(gray, dtype=np.float64)
    if gray.ndim != 2 or min(gray.shape) < PATCH:
        raise DataError(f"patch sampling needs a grey image of at least {PATCH}×{PATCH}, got {gray.shape}")
    ok = np.flatnonzero(local_variance(gray) >= min_variance)
    if ok.size == 0 or per_level <= 0:
        empty = np.zeros((0, PATCH, PATCH), np.uint8)
        return empty, empty.copy(), np.zeros(0, np.int64)
    n = per_level * levels
    pick = ok[rng.integers(0, ok.size, n)]
    ys, xs = np.unravel_index(pick, (gray.shape[0] - PATCH + 1, gray.shape[1] - PATCH + 1))
    level = np.repeat(np.arange(1, levels + 1), per_level)
    stack = np.concatenate([gray[None], blur_levels(gray, levels)])  # (levels+1, H, W)
    r = np.arange(PATCH)
    rows, cols = ys[:, None, None] + r[:, None], xs[:, None, None] + r[None, :]
    clear = stack[0][rows, cols]
    blurred = stack[level[:, None, None], rows, cols]
    to8 = lambda p: np.clip(np.rint(p), 0, 255).astype(np.uint8)  # noqa: E731
    return to8(clear), to8(blurred), level


@dataclass
class PatchPairs:
    """Training examples: first/second branch patches (uint8, N×16×16), labels (1: first is clear)."""

    first: np.ndarray
    second: np.ndarray
    labels: np.ndarray
    levels: np.ndarray

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @classmethod
    def from_pairs(cls, clear: np.ndarray, blurred: np.ndarray, level: np.ndarray) -> PatchPairs:
        """Each pair twice: (clear, blurred) label 1, then (blurred, clear) label 0."""
        n = clear.shape[0]
        return cls(
            first=np.concatenate([clear, blurred]),
            second=np.concatenate([blurred, clear]),
            labels=np.concatenate([np.ones(n, np.int64), np.zeros(n, np.int64)]),
            levels=np.concatenate([level, level]),
        )

    def save(self, path: str | os.PathLike) -> None:
        np.savez_compressed(path, first=self.first, second=self.second, labels=self.labels, levels=self.levels)

    @classmethod
    def load(cls, path: str | os.PathLike) -> PatchPairs:
        with np.load(path) as z:
            return cls(z["first"], z["second"], z["labels"], z["levels"])


def split_by_image(files: Sequence[Path], val_fraction: float = 0.1) -> tuple[list[Path], list[Path]]:
    """Deterministic train/validation split by file name hash (independent of listing order).

        >>> tr, va = split_by_image([Path(f"{i}.jpg") for i in range(100)], 0.1)
        >>> len(tr) + len(va), 0 < len(va) < 25
        (100, True)
    """
    def bucket(p: Path) -> float:
        return int(hashlib.sha1(p.name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    val = [p for p in files if bucket(p) < val_fraction]
    train = [p for p in files if bucket(p) >= val_fraction]
    if not val or not train:  # tiny folders: still hold one image out
        val, train = list(files[-1:]), list(files[:-1])
    return train, val


def build_patch_pairs(
    files: Iterable[Path],
    n_examples: int,
    seed: int,
    *,
    progress: bool = False,
    min_variance: float = MIN_VARIANCE,
) -> PatchPairs:
    """About ``n_examples`` examples (half positive) spread evenly over ``files`` and the 5 levels.

    Deterministic for a given file list, ``n_examples`` and ``seed``.
    """
    from bench.color import luma
    from bench.io import read_image

    files = list(files)
    if not files:
        raise DataError("no training images given")
    per_level = max(1, int(np.ceil(n_examples / (2 * LEVELS * len(files)))))
    rng = np.random.default_rng(seed)
    clears, blurs, levels = [], [], []
    it = files
    if progress:
        from tqdm import tqdm

        it = tqdm(files, desc="patch pairs", unit="img", leave=False)
    for path in it:
        pixels, _ = read_image(path)
        c, b, lv = sample_patch_pairs(luma(pixels), per_level, rng, min_variance=min_variance)
        clears.append(c)
        blurs.append(b)
        levels.append(lv)
    clear, blurred, level = np.concatenate(clears), np.concatenate(blurs), np.concatenate(levels)
    if clear.shape[0] == 0:
        raise DataError("no textured patches found in the training images (all flat?)")
    keep = rng.permutation(clear.shape[0])[: max(1, n_examples // 2)]
    keep.sort()
    return PatchPairs.from_pairs(clear[keep], blurred[keep], level[keep])
