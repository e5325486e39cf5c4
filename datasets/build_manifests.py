"""Regenerate the dataset manifests in this folder from the shared MANIFEST.json files.

Usage (from the repository root)::

    python datasets/build_manifests.py ../shared/datasets [NAME ...]

For every dataset it copies the citation, licence note and per-file sha256
from ``<shared>/<name>/MANIFEST.json``, adds each file's size (from disk), a
download group, and the canonical URL: the raw GitHub URL of the file in the
source repository at the recorded commit. Files that were derived (converted
or tabulated) rather than copied have no upstream URL (``"url": null``): they
can only come from a mirror (``datasets fetch --mirror``) or be copied by hand.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from urllib.parse import quote

HERE = Path(__file__).resolve().parent

SPEC = {
    "lytro": {
        "title": "Lytro multi-focus dataset (Nejati et al. 2015): 20 colour pairs + 4 three-image series",
        "modality": "multi-focus",
        "layout": (
            "lytro-NN-A.jpg / lytro-NN-B.jpg: pair NN = 01..20 (A and B are the two differently "
            "focused shots; neither is consistently near or far focus). triple_series/lytro-0N-{A,B,C}.jpg: "
            "4 three-source series (repo folder 'Triple Series'; different scenes from the pairs). "
            "All 520x520 RGB JPEG."
        ),
        "group": lambda p: (
            "triples"
            if p.startswith("triple_series/")
            else ("docs" if p.endswith(".txt") else "pairs")
        ),
    },
    "mfifb": {
        "title": "MFIFB multi-focus benchmark: 105 source pairs (+ fused results of selected methods)",
        "modality": "multi-focus",
        "layout": (
            "sources/<pair>_A.<ext> and sources/<pair>_B.<ext> (split the pair id on the LAST underscore: "
            "lytro_01_A.jpg is pair lytro_01). Subsets are the id prefixes: aymaz, books, flower, lytro, mffw, "
            "newspaper, savic, stand, temple, tsai. Mixed formats (.jpg/.png/.bmp); 35 pairs are grey. "
            "fused/<METHOD>/<pair>_<METHOD>.<ext>: published fused results."
        ),
        "group": lambda p: p.split("/", 1)[0],
    },
    "vifb": {
        "title": "VIFB visible/infrared benchmark: 21 pairs (+ fused results of 25 methods and published metrics)",
        "modality": "ir-visible",
        "layout": (
            "sources/VI/<name>.jpg pairs with sources/IR/<name>.jpg (same name; A = visible, B = infrared). "
            "fused/<name>_<METHOD>.jpg: published fused results; published_metrics/: VIFB metric tables."
        ),
        "group": lambda p: {"sources": "sources", "fused": "fused"}.get(
            p.split("/", 1)[0], "metrics"
        ),
        "url_path": lambda f: (
            f.get("source_path")
            or (
                f"output/fused_images/{f['path'].split('/', 1)[1]}"
                if f["path"].startswith("fused/")
                else None
            )
        ),
    },
    "mf-voc": {
        "title": "MF-VOC subset: 400 synthetic multi-focus triplets with all-in-focus ground truth (224x224)",
        "modality": "multi-focus",
        "layout": (
            "sourceA/<voc_id>_<v>.jpg (object sharp), sourceB/<voc_id>_<v>.jpg (background sharp), "
            "groundtruth/<voc_id>_<v>.jpg (all in focus): the same file name in the three folders is one triplet."
        ),
        "group": lambda p: "pairs",
    },
    "roadscene": {
        "title": "RoadScene infrared/visible pairs (Xu et al. 2020): 221 aligned road scenes",
        "modality": "ir-visible",
        "layout": (
            "VI/<FLIR_NNNNN>.jpg (visible, RGB) pairs with IR/<FLIR_NNNNN>.jpg (infrared, grey, same "
            "stem and size; sizes vary by pair): A = visible, B = infrared. Split (bench.datasets."
            "roadscene): roadscene:train = the 200 lowest stems sorted by name, roadscene:test = the "
            "other 21."
        ),
        "group": lambda p: "pairs",
    },
    "harvard-medical": {
        "title": "Harvard Whole Brain Atlas (AANLIB) medical pairs: 184 CT-MRI, 269 PET-MRI, "
                 "357 SPECT-MRI (256x256)",
        "modality": "medical",
        "layout": (
            "<TASK>/MRI/<id>.png pairs with <TASK>/<CT|PET|SPECT>/<id>.png, TASK one of CT-MRI, "
            "PET-MRI, SPECT-MRI (MRI and CT grey; PET and SPECT pseudo-colour RGB): A = the CT/PET/"
            "SPECT image, B = the MRI."
        ),
        "group": lambda p: p.split("/", 1)[0].lower(),
    },
    "natural": {
        "title": "Natural-image training corpus: BSDS500 train+val, 300 photographs + region-label maps",
        "modality": "multi-focus",
        "layout": (
            "images/<id>.jpg: RGB photographs; masks/<id>.png: region-label map (labels 1..K, 8-bit grey), "
            "the BSDS annotation with the fewest regions, converted from the .mat ground truth. "
            "Training only: never an evaluation set."
        ),
        "group": lambda p: p.split("/", 1)[0],
    },
}


def build(shared: Path, name: str) -> dict:
    src = json.loads((shared / name / "MANIFEST.json").read_text())
    spec = SPEC[name]
    base = f"https://raw.githubusercontent.com/{src['source_repo']}/{src['source_commit']}/"
    url_path = spec.get("url_path", lambda f: None if "derived" in f else f.get("source_path"))
    files = []
    for f in src["files"]:
        path = shared / name / f["path"]
        rel = url_path(f)
        entry = {
            "path": f["path"],
            "sha256": f["sha256"],
            "size": path.stat().st_size,
            "group": spec["group"](f["path"]),
            "url": base + quote(rel) if rel else None,
        }
        for key in ("width", "height", "mode"):
            if f.get(key) is not None:
                entry[key] = f[key]
        files.append(entry)
    return {
        "format": 1,
        "name": name,
        "title": spec["title"],
        "modality": spec["modality"],
        "citation": src["citation"],
        "license_note": src["license_note"],
        "homepage": f"https://github.com/{src['source_repo']}",
        "source": {
            "repo": src["source_repo"],
            "commit": src["source_commit"],
            "paths": src["source_paths"],
        },
        "layout": spec["layout"],
        "files": files,
    }


def main(argv: list[str]) -> int:
    shared = Path(argv[0] if argv else HERE.parent.parent / "shared" / "datasets")
    only = argv[1:]  # optional dataset names: rebuild only these
    for name in only or SPEC:
        out = HERE / f"{name}.json"
        out.write_text(json.dumps(build(shared, name), indent=1) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
