"""``vifb``: 21 visible/infrared pairs of the VIFB benchmark (A = visible, B = infrared).

X. Zhang, P. Ye, G. Xiao, "VIFB: A Visible and Infrared Image Fusion
Benchmark", CVPR Workshops 2020. Layout: ``sources/VI/<name>.jpg`` pairs with
``sources/IR/<name>.jpg``. ``pair.meta["published_fused"]`` maps VIFB's
method names to their fused result ``fused/<name>_<METHOD>.jpg``.

    >>> from bench.datasets import load_dataset
    >>> load_dataset("vifb", data_dir=data_dir)["kettle"].modality
    'ir-visible'
"""

from __future__ import annotations

import re

from bench.datasets.base import Dataset, register_dataset
from bench.datasets.manifest import dataset_root, load_manifest, manifest_dataset, manifest_pair
from bench.errors import DataError

_VI = re.compile(r"^sources/VI/(?P<name>[^/]+)\.jpg$")
_FUSED = re.compile(r"^fused/(?P<name>[^_/]+)_(?P<method>.+)\.jpg$")


@register_dataset("vifb")
def vifb(arg: str | None, data_dir=None, **options) -> Dataset:
    if arg:
        raise DataError(f"dataset 'vifb' takes no argument (got 'vifb:{arg}')")
    m = load_manifest("vifb")
    names = [mt.group("name") for f in m.select(["sources"]) if (mt := _VI.match(f.path))]
    fused: dict[str, dict[str, str]] = {}
    for f in m.select(["fused"]):
        if mt := _FUSED.match(f.path):
            fused.setdefault(mt.group("name"), {})[mt.group("method")] = f.path
    files = [f"sources/{d}/{n}.jpg" for n in names for d in ("VI", "IR")]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = [
        manifest_pair(
            m,
            root,
            n,
            f"sources/VI/{n}.jpg",
            f"sources/IR/{n}.jpg",
            modality="ir-visible",
            meta={"published_fused": fused.get(n, {})},
        )
        for n in names
    ]
    return manifest_dataset(
        m, "vifb", pairs, root, "VIFB visible/infrared pairs (A = visible, B = infrared)"
    )


vifb.manifest_name = "vifb"  # type: ignore[attr-defined]
