"""``roadscene``: 221 aligned visible/infrared road scenes, with a fixed train/test split.

H. Xu, J. Ma, Z. Le, J. Jiang, X. Guo, "FusionDN: A Unified Densely Connected
Network for Image Fusion", AAAI 2020 (the training set of FusionDN, U2Fusion and
many later infrared/visible networks). Layout: ``VI/<FLIR_NNNNN>.jpg`` (visible,
RGB) pairs with ``IR/<FLIR_NNNNN>.jpg`` (infrared, grey), same stem and size;
A = visible, B = infrared; task ``ir-visible``.

The split is fixed and documented (docs/datasets.md): ``roadscene:train`` is
the :data:`TRAIN_SIZE` (200) lowest stems sorted by name, ``roadscene:test``
the other 21, ``roadscene`` all 221. Training code uses ``roadscene:train``
only; the evaluation set for this task stays ``vifb``.

A grey infrared image beside a colour visible one is fused in YCbCr
(``pair.meta["colour_space"] = "ycbcr"``: the infrared image with the visible
image's luma, the visible chroma put back), as the RoadScene networks do.

    >>> from bench.datasets import load_dataset
    >>> train = load_dataset("roadscene:train", data_dir=data_dir)
    >>> test = load_dataset("roadscene:test", data_dir=data_dir)
    >>> len(train), len(test), max(train.ids()) < min(test.ids())
    (200, 21, True)
"""

from __future__ import annotations

import re

from bench.datasets.base import Dataset, register_dataset
from bench.datasets.manifest import dataset_root, load_manifest, manifest_dataset, manifest_pair
from bench.errors import DataError

#: Pairs in ``roadscene:train`` (the lowest stems by name); the rest are ``roadscene:test``.
TRAIN_SIZE = 200
SPLITS = ("train", "test")
_VI = re.compile(r"^VI/(?P<stem>[^/]+)\.jpg$")


def split_stems(stems: list[str]) -> dict[str, list[str]]:
    """``{"train": the TRAIN_SIZE lowest stems by name, "test": the rest}`` (both sorted).

    >>> s = split_stems([f"FLIR_{i:05d}" for i in range(205, -1, -1)])
    >>> len(s["train"]), s["test"][:2]
    (200, ['FLIR_00200', 'FLIR_00201'])
    """
    ordered = sorted(stems)
    return {"train": ordered[:TRAIN_SIZE], "test": ordered[TRAIN_SIZE:]}


@register_dataset("roadscene")
def roadscene(arg: str | None, data_dir=None, **options) -> Dataset:
    m = load_manifest("roadscene")
    stems = [mt.group("stem") for f in m.files if (mt := _VI.match(f.path))]
    stems = [s for s in stems if f"IR/{s}.jpg" in m]
    if arg:
        split = arg.strip().lower()
        if split not in SPLITS:
            raise DataError(f"roadscene has no split {arg!r} (splits: {', '.join(SPLITS)}; "
                            "'roadscene' alone is all pairs)")
        stems = split_stems(stems)[split]
    else:
        stems = sorted(stems)
    files = [f"{d}/{s}.jpg" for s in stems for d in ("VI", "IR")]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = [
        manifest_pair(m, root, s, f"VI/{s}.jpg", f"IR/{s}.jpg", modality="ir-visible",
                      meta={"colour_space": "ycbcr", "split": _split_of(s, stems, arg)})
        for s in stems
    ]
    name = f"roadscene:{arg.strip().lower()}" if arg else "roadscene"
    return manifest_dataset(
        m, name, pairs, root,
        f"RoadScene visible/infrared pairs ({len(pairs)}; A = visible, B = infrared)",
    )


def _split_of(stem: str, stems: list[str], arg: str | None) -> str:
    if arg:
        return arg.strip().lower()
    return "train" if stems.index(stem) < TRAIN_SIZE else "test"


roadscene.manifest_name = "roadscene"  # type: ignore[attr-defined]
