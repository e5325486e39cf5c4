"""The natural-image corpus (BSDS500 train+val, 300 photos + region maps) for training data.

Layout under the data root (see ``datasets/natural.json``)::

    natural/images/<id>.jpg     RGB photographs
    natural/masks/<id>.png      region-label maps (labels 1..K), same size

These images are never an evaluation set: they feed the synthetic pair
recipe (:mod:`bench.datasets.synthesis`) and the training builders.

    >>> items = natural_images(data_dir)
    >>> len(items), items[0][0]
    (300, '100075')
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from bench.datasets.locate import dataset_dir
from bench.errors import DataError

NAME = "natural"


def natural_root(data_dir: str | os.PathLike | None = None) -> Path:
    """``<data root>/natural``, with an error saying how to get it when absent."""
    root = dataset_dir(NAME, data_dir)
    if not (root / "images").is_dir():
        raise DataError(
            f"natural-image corpus not found at {root} (expected images/ and masks/): "
            f"run `python -m bench datasets fetch natural` or pass --data-dir / set FUSEBENCH_DATA "
            f"to the folder that holds natural/"
        )
    return root


def natural_images(
    data_dir: str | os.PathLike | None = None,
) -> list[tuple[str, Path, Path | None]]:
    """Sorted ``(id, image_path, mask_path)`` for every corpus image.

    ``mask_path`` is ``None`` for an image without a region map. No image is
    decoded.
    """
    root = natural_root(data_dir)
    out = []
    for img in sorted((root / "images").glob("*.jpg")):
        mask = root / "masks" / f"{img.stem}.png"
        out.append((img.stem, img, mask if mask.is_file() else None))
    if not out:
        raise DataError(f"natural-image corpus at {root}: images/ holds no .jpg files")
    return out


def read_label_map(path: str | os.PathLike) -> np.ndarray:
    """Region-label map (int32 H×W) from a BSDS mask PNG (under the pixel-count guard)."""
    from bench.io import open_checked

    try:
        with open_checked(path) as im:
            return np.asarray(im, dtype=np.int32)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot read region-label map ({exc})") from exc


#: Datasets used for evaluation: training data must never come from them.
EVALUATION_SETS = ("lytro", "mfifb", "vifb", "mf-voc", "harvard-medical", "roadscene:test")


def evaluation_hashes() -> dict[str, str]:
    """sha256 → ``"<dataset>/<path>"`` for every file of the evaluation manifests (of
    RoadScene only its test split: its train split is training data)."""
    from bench.datasets.manifest import load_manifest

    out: dict[str, str] = {}
    for name in EVALUATION_SETS:
        manifest, _, split = name.partition(":")
        files = load_manifest(manifest).files
        if split:
            from bench.datasets.roadscene import split_stems

            stems = split_stems([f.path[3:-4] for f in files if f.path.startswith("VI/")])[split]
            wanted = {f"{d}/{s}.jpg" for s in stems for d in ("VI", "IR")}
            files = [f for f in files if f.path in wanted]
        for f in files:
            out.setdefault(f.sha256, f"{name}/{f.path}")
    return out


def check_not_evaluation_data(files) -> None:
    """Raise :class:`DataError` if any of ``files`` is a file of an evaluation set.

    Compares each file's sha256 with the Lytro, MFIFB, VIFB, MF-VOC and Harvard
    manifests and RoadScene's test split, so renamed or copied evaluation images are caught too. The
    training builders call this on their image list
    (:meth:`~bench.datasets.focus_pairs.FocusPairSource.from_folder` and
    ``.natural`` for tlnet, ``training_images`` for cnn-patch; 300 BSDS
    photos: ~0.2 s).

        >>> import tempfile
        >>> photo = Path(tempfile.mkdtemp()) / "mine.jpg"
        >>> _ = photo.write_bytes(b"not from an evaluation set")
        >>> check_not_evaluation_data([photo])  # passes silently
    """
    from bench.datasets.manifest import sha256_file

    known = evaluation_hashes()
    for f in files:
        hit = known.get(sha256_file(f))
        if hit:
            raise DataError(
                f"{f} is {hit} of an evaluation set: training data must never come from "
                f"{', '.join(EVALUATION_SETS)}"
            )
