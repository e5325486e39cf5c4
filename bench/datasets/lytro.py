"""``lytro`` (20 colour multi-focus pairs) and ``lytro-triple`` (4 three-source series).

Nejati, Samavi, Shirani, "Multi-focus image fusion using dictionary-based
sparse representation", Information Fusion 25, 2015. Files and checksums:
``datasets/lytro.json``; layout ``lytro-NN-{A,B}.jpg`` and
``triple_series/lytro-0N-{A,B,C}.jpg`` (520×520 RGB JPEG).

    >>> from bench.datasets import load_dataset
    >>> ds = load_dataset("lytro", data_dir=data_dir)
    >>> len(ds), ds["lytro-01"].meta["width"]
    (20, 520)
"""

from __future__ import annotations

import re

from bench.datasets.base import Dataset, register_dataset
from bench.datasets.manifest import dataset_root, load_manifest, manifest_dataset, manifest_pair
from bench.errors import DataError

_PAIR = re.compile(r"^(lytro-\d+)-A\.jpg$")
_TRIPLE = re.compile(r"^triple_series/(lytro-\d+)-A\.jpg$")


def _collect(rx: re.Pattern, group: str):
    m = load_manifest("lytro")
    stems = [rx.match(f.path).group(1) for f in m.select([group]) if rx.match(f.path)]
    return m, stems


@register_dataset("lytro")
def lytro(arg: str | None, data_dir=None, **options) -> Dataset:
    if arg:
        raise DataError(
            f"dataset 'lytro' takes no argument (got 'lytro:{arg}'); see also 'mfifb:lytro'"
        )
    m, stems = _collect(_PAIR, "pairs")
    files = [f"{s}-{x}.jpg" for s in stems for x in "AB"]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = [manifest_pair(m, root, s, f"{s}-A.jpg", f"{s}-B.jpg") for s in stems]
    return manifest_dataset(m, "lytro", pairs, root, "Lytro: 20 colour multi-focus pairs (520x520)")


@register_dataset("lytro-triple")
def lytro_triple(arg: str | None, data_dir=None, **options) -> Dataset:
    """The 4 three-source series: ``pair.a``, ``pair.b`` and ``pair.sources[2]`` (C)."""
    if arg:
        raise DataError(f"dataset 'lytro-triple' takes no argument (got 'lytro-triple:{arg}')")
    m, stems = _collect(_TRIPLE, "triples")
    d = "triple_series"
    files = [f"{d}/{s}-{x}.jpg" for s in stems for x in "ABC"]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = [
        manifest_pair(
            m, root, f"triple-{s}", f"{d}/{s}-A.jpg", f"{d}/{s}-B.jpg", more=(f"{d}/{s}-C.jpg",)
        )
        for s in stems
    ]
    return manifest_dataset(
        m, "lytro-triple", pairs, root, "Lytro: 4 three-source multi-focus series"
    )


lytro.manifest_name = "lytro"  # type: ignore[attr-defined]
lytro_triple.manifest_name = "lytro"  # type: ignore[attr-defined]
