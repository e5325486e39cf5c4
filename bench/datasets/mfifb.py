"""``mfifb``: the 105 source pairs of the MFIFB benchmark; ``mfifb:SUBSET`` selects a family.

X. Zhang, "Multi-focus Image Fusion: A Benchmark", arXiv:2005.01116.
Layout: ``sources/<pair>_A.<ext>`` + ``sources/<pair>_B.<ext>`` (the pair id
is everything before the LAST underscore, e.g. ``lytro_01``). Subsets are the
id families: aymaz (27), books, flower, lytro (20), mffw (13), newspaper,
savic (21), stand (8), temple, tsai (12). Grey pairs stay grey (H×W).
``pair.meta["published_fused"]`` maps method name → path of MFIFB's own fused
result for that pair (relative to the dataset folder).

    >>> from bench.datasets import load_dataset
    >>> len(load_dataset("mfifb:lytro", data_dir=data_dir))
    20
"""

from __future__ import annotations

import re

from bench.datasets.base import Dataset, register_dataset
from bench.datasets.manifest import dataset_root, load_manifest, manifest_dataset, manifest_pair
from bench.errors import DataError

_SOURCE = re.compile(r"^sources/(?P<pair>.+)_A\.(?P<ext>[a-z]+)$")
_FUSED = re.compile(r"^fused/(?P<method>[^/]+)/(?P<pair>.+)_(?P=method)\.[a-z]+$")


def subset_of(pair_id: str) -> str:
    """``"lytro_01"`` → ``"lytro"``; ``"books"`` → ``"books"``.

    >>> subset_of("lytro_01"), subset_of("temple")
    ('lytro', 'temple')
    """
    head, _, tail = pair_id.rpartition("_")
    return head if head and tail.isdigit() else pair_id


@register_dataset("mfifb")
def mfifb(arg: str | None, data_dir=None, **options) -> Dataset:
    m = load_manifest("mfifb")
    found = [
        (mt.group("pair"), mt.group("ext"))
        for f in m.select(["sources"])
        if (mt := _SOURCE.match(f.path))
    ]
    subsets = sorted({subset_of(p) for p, _ in found})
    if arg:
        wanted = {s.strip().lower() for s in arg.replace("+", ",").split(",") if s.strip()}
        unknown = wanted - set(subsets)
        if unknown:
            raise DataError(
                f"mfifb has no subset {', '.join(sorted(unknown))} (subsets: {', '.join(subsets)})"
            )
        found = [(p, e) for p, e in found if subset_of(p) in wanted]
    fused: dict[str, dict[str, str]] = {}
    for f in m.select(["fused"]):
        if mt := _FUSED.match(f.path):
            fused.setdefault(mt.group("pair"), {})[mt.group("method")] = f.path
    files = [f"sources/{p}_{x}.{e}" for p, e in found for x in "AB"]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = [
        manifest_pair(
            m,
            root,
            p,
            f"sources/{p}_A.{e}",
            f"sources/{p}_B.{e}",
            meta={"subset": subset_of(p), "published_fused": fused.get(p, {})},
        )
        for p, e in found
    ]
    name = f"mfifb:{arg}" if arg else "mfifb"
    return manifest_dataset(m, name, pairs, root, f"MFIFB multi-focus pairs ({len(pairs)})")


mfifb.manifest_name = "mfifb"  # type: ignore[attr-defined]
