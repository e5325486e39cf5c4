"""``mf-voc``: 400 synthetic multi-focus triplets (A, B, all-in-focus ground truth), 224×224.

Built from PASCAL VOC 2012 with the method of Guo et al., Neural Computation
30(7), 2018 (MF-VOC). Layout: ``sourceA/<id>.jpg`` (object sharp),
``sourceB/<id>.jpg`` (background sharp), ``groundtruth/<id>.jpg``.

The binary masks are not shipped, so ``pair.mask`` is derived (see
:func:`focus_map_from_ground_truth`): 1 where A matches the ground truth
better than B in a smoothed local absolute difference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from bench.color import luma
from bench.datasets.base import Dataset, register_dataset
from bench.datasets.manifest import (
    VerifiedImage,
    dataset_root,
    load_manifest,
    manifest_dataset,
    manifest_pair,
)
from bench.errors import DataError

_A = re.compile(r"^sourceA/(?P<id>[^/]+)\.jpg$")


def focus_map_from_ground_truth(
    a: np.ndarray, b: np.ndarray, gt: np.ndarray, window: int = 9
) -> np.ndarray:
    """Focus map of A (float H×W): 1 where A is closer to ``gt`` than B, 0 where B is, 0.5 on ties.

    ``d_X = box_window(|luma(X) − luma(gt)|)``; map = [d_A < d_B] + 0.5·[d_A = d_B].

    >>> gt = np.arange(16.0).reshape(4, 4) * 10
    >>> a = gt.copy(); a[:, 2:] = 75.0          # A sharp on the left half
    >>> b = gt.copy(); b[:, :2] = 75.0          # B sharp on the right half
    >>> focus_map_from_ground_truth(a, b, gt, window=1)[0].tolist()
    [1.0, 1.0, 0.0, 0.0]
    """
    g = luma(gt)
    da = ndimage.uniform_filter(np.abs(luma(a) - g), window, mode="nearest")
    db = ndimage.uniform_filter(np.abs(luma(b) - g), window, mode="nearest")
    out = (da < db).astype(np.float64)
    out[np.isclose(da, db, rtol=0, atol=1e-9)] = 0.5
    return out


@dataclass(frozen=True)
class DerivedFocusMap:
    """Picklable loader of the derived mask of one MF-VOC triplet."""

    a: VerifiedImage
    b: VerifiedImage
    gt: VerifiedImage

    def __call__(self) -> np.ndarray:
        return focus_map_from_ground_truth(self.a(), self.b(), self.gt())


@register_dataset("mf-voc")
def mf_voc(arg: str | None, data_dir=None, **options) -> Dataset:
    if arg:
        raise DataError(f"dataset 'mf-voc' takes no argument (got 'mf-voc:{arg}')")
    m = load_manifest("mf-voc")
    ids = [mt.group("id") for f in m.files if (mt := _A.match(f.path))]
    files = [f"{d}/{i}.jpg" for i in ids for d in ("sourceA", "sourceB", "groundtruth")]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = []
    for i in ids:
        pa, pb, pg = f"sourceA/{i}.jpg", f"sourceB/{i}.jpg", f"groundtruth/{i}.jpg"
        loaders = [m.image(root, p) for p in (pa, pb, pg)]
        pairs.append(
            manifest_pair(
                m,
                root,
                i,
                pa,
                pb,
                ground_truth=pg,
                load_mask=DerivedFocusMap(*loaders),
                meta={"mask": "derived from ground truth"},
            )
        )
    return manifest_dataset(
        m, "mf-voc", pairs, root, "MF-VOC: 400 synthetic pairs with ground truth"
    )


mf_voc.manifest_name = "mf-voc"  # type: ignore[attr-defined]
