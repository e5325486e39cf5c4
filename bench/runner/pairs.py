"""Building :class:`~bench.datasets.Pair` objects from files or arrays.

The loaders are ``functools.partial`` objects over module-level functions, so
the pairs pickle cleanly into worker processes (loky, dask) without relying
on the caller's module being importable there.

    >>> p = file_pair("lytro-01", "lytro-01-A.jpg", "lytro-01-B.jpg",
    ...               crop=(0, 0, 64, 64))                       # doctest: +SKIP
    >>> p.a.shape                                               # doctest: +SKIP
    (64, 64, 3)
    >>> q = array_pair("toy", np.zeros((8, 8)), np.ones((8, 8)))
    >>> q.b.shape
    (8, 8)
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

import numpy as np

from bench.datasets.base import Pair
from bench.io import read_image

Crop = tuple[int, int, int, int]  # (top, left, height, width)


def _crop(x: np.ndarray, crop: Crop | None) -> np.ndarray:
    if crop is None:
        return x
    top, left, h, w = crop
    return x[top : top + h, left : left + w]


def _load_file(path: str, crop: Crop | None = None, scale: float = 1.0) -> np.ndarray:
    pixels, _ = read_image(path)
    return _crop(pixels, crop) * scale


def _load_mask(path: str, crop: Crop | None = None) -> np.ndarray:
    """A mask file as H×W in 0..1 (colour files reduced to luma)."""
    from bench.color import luma

    return luma(_load_file(path, crop)) / 255.0


def _return(x: np.ndarray) -> np.ndarray:
    return x


def _file_hash(paths: tuple[str, ...], crop: Crop | None) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(Path(p).read_bytes())
    h.update(repr(crop).encode())
    return h.hexdigest()


def file_pair(
    pair_id: str,
    a: str | Path,
    b: str | Path,
    *,
    ground_truth: str | Path | None = None,
    mask: str | Path | None = None,
    modality: str = "multi-focus",
    crop: Crop | None = None,
) -> Pair:
    """A pair read lazily from image files, optionally cropped to ``(top, left, h, w)``.

    The mask file is read as grey 0..255 and scaled to 0..1. The content hash is
    the SHA-256 of the files' bytes (and the crop), so listing is cheap.
    """
    paths = tuple(str(p) for p in (a, b, ground_truth, mask) if p is not None)
    return Pair(
        id=pair_id,
        modality=modality,
        load_a=partial(_load_file, str(a), crop),
        load_b=partial(_load_file, str(b), crop),
        load_ground_truth=partial(_load_file, str(ground_truth), crop) if ground_truth else None,
        load_mask=partial(_load_mask, str(mask), crop) if mask else None,
        hash_fn=partial(_file_hash, paths, crop),
    )


def array_pair(
    pair_id: str,
    a: np.ndarray,
    b: np.ndarray,
    *,
    ground_truth: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    modality: str = "multi-focus",
) -> Pair:
    """A pair over in-memory float arrays (0..255; mask 0..1)."""
    return Pair(
        id=pair_id,
        modality=modality,
        load_a=partial(_return, np.asarray(a, dtype=np.float64)),
        load_b=partial(_return, np.asarray(b, dtype=np.float64)),
        load_ground_truth=partial(_return, np.asarray(ground_truth, dtype=np.float64))
        if ground_truth is not None
        else None,
        load_mask=partial(_return, np.asarray(mask, dtype=np.float64)) if mask is not None else None,
    )
