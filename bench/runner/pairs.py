"""Building :class:`~bench.datasets.Pair` objects from files or arrays.

The loaders are ``functools.partial`` objects over module-level functions, so
the pairs pickle cleanly into worker processes (the runner's pool, dask)
without relying on the caller's module being importable there.

    >>> import tempfile
    >>> from bench.io import write_image
    >>> d = tempfile.mkdtemp()
    >>> _ = write_image(f"{d}/a.png", np.zeros((80, 80))), write_image(f"{d}/b.png", np.ones((80, 80)))
    >>> p = file_pair("p1", f"{d}/a.png", f"{d}/b.png", crop=(0, 0, 64, 48))
    >>> p.a.shape
    (64, 48)
    >>> q = array_pair("toy", np.zeros((8, 8)), np.ones((8, 8)))
    >>> q.b.shape
    (8, 8)
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import numpy as np

from bench.datasets.base import Pair, files_hash
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


def _file_hash(files: tuple[tuple[str, str], ...], crop: Crop | None) -> str:
    return files_hash(dict(files), repr(crop))


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

    The mask file is read as grey 0..255 and scaled to 0..1. The content hash covers
    every file's bytes, tagged with its role (A, B, ground truth, mask), and the crop.
    """
    roles = {"a": a, "b": b, "ground_truth": ground_truth, "mask": mask}
    paths = tuple((role, str(p)) for role, p in roles.items() if p is not None)
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
    """A pair over in-memory float arrays (0..255; mask 0..1); its content hash covers
    A, B, ground truth and mask (see :meth:`Pair.content_hash`)."""
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
