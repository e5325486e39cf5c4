"""``harvard``: registered brain slices of the Harvard Whole Brain Atlas (AANLIB), by task.

K. A. Johnson, J. A. Becker, The Whole Brain Atlas, Harvard Medical School;
pairs as collected in ``xianming-gu/Havard-Medical-Image-Fusion-Datasets``.
``harvard:ct-mri`` (184 pairs, both grey), ``harvard:pet-mri`` (269) and
``harvard:spect-mri`` (357: pseudo-colour RGB + grey MRI); ``harvard`` is all
810, ``harvard:pet-mri,spect-mri`` a union. 256×256 PNG, task ``medical``.

Order: **A = the functional / CT image (CT, PET or SPECT), B = the MRI.** Pair
ids are ``<task>-<slice id>`` (``pet-mri-25015``), unique over the three tasks.

Colour: a PET/SPECT pair is fused in YCbCr (``pair.meta["colour_space"] =
"ycbcr"``, :meth:`methods.base.FusionMethod.fuse`): the MRI is fused with the
colour image's BT.601 luma through the method's grey path and the colour
image's Cb, Cr are put back, so the fused image keeps the pseudo-colour, as
the medical fusion literature does.

    >>> from bench.datasets import load_dataset
    >>> pet = load_dataset("harvard:pet-mri", data_dir=data_dir)
    >>> p = pet[0]
    >>> len(pet), p.id, p.meta["colour_space"], p.a.shape, p.b.shape
    (269, 'pet-mri-25015', 'ycbcr', (256, 256, 3), (256, 256))
"""

from __future__ import annotations

import re

from bench.datasets.base import Dataset, register_dataset
from bench.datasets.manifest import dataset_root, load_manifest, manifest_dataset, manifest_pair
from bench.errors import DataError

#: task -> (folder, the functional / CT image's sub-folder)
TASKS = {"ct-mri": ("CT-MRI", "CT"), "pet-mri": ("PET-MRI", "PET"),
         "spect-mri": ("SPECT-MRI", "SPECT")}
_FILE = re.compile(r"^(?P<folder>[^/]+)/(?P<kind>[^/]+)/(?P<id>[^/]+)\.png$")


def _tasks(arg: str | None) -> list[str]:
    if not arg:
        return list(TASKS)
    wanted = [t.strip().lower() for t in arg.replace("+", ",").split(",") if t.strip()]
    unknown = [t for t in wanted if t not in TASKS]
    if unknown or not wanted:
        raise DataError(f"harvard has no task {', '.join(unknown) or repr(arg)} "
                        f"(tasks: {', '.join(TASKS)})")
    return list(dict.fromkeys(wanted))


def _sort_key(slice_id: str):
    return (0, int(slice_id), "") if slice_id.isdigit() else (1, 0, slice_id)


@register_dataset("harvard")
def harvard(arg: str | None, data_dir=None, **options) -> Dataset:
    m = load_manifest("harvard-medical")
    tasks = _tasks(arg)
    found: dict[tuple[str, str], set[str]] = {}
    for f in m.files:
        if mt := _FILE.match(f.path):
            found.setdefault((mt.group("folder"), mt.group("kind")), set()).add(mt.group("id"))
    plan = []  # (task, slice id, path A, path B)
    for task in tasks:
        folder, func = TASKS[task]
        ids = found.get((folder, func), set()) & found.get((folder, "MRI"), set())
        plan += [(task, i, f"{folder}/{func}/{i}.png", f"{folder}/MRI/{i}.png")
                 for i in sorted(ids, key=_sort_key)]
    files = [p for _, _, a, b in plan for p in (a, b)]
    root = dataset_root(m, data_dir, files, check=options.get("require_files", True))
    pairs = []
    for task, i, pa, pb in plan:
        meta = {"task": task, "slice": i}
        if m.file(pa).mode == "RGB" and m.file(pb).mode != "RGB":
            meta["colour_space"] = "ycbcr"
        pairs.append(manifest_pair(m, root, f"{task}-{i}", pa, pb, modality="medical", meta=meta))
    name = "harvard:" + ",".join(tasks) if arg else "harvard"
    return manifest_dataset(
        m, name, pairs, root,
        f"Harvard AANLIB medical pairs ({len(pairs)}; A = CT/PET/SPECT, B = MRI)",
    )


harvard.manifest_name = "harvard-medical"  # type: ignore[attr-defined]
