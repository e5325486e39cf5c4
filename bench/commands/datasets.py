"""``fusebench datasets``: list datasets, show one's pairs, fetch (download) one.

python -m bench datasets                       # table of all datasets
python -m bench datasets show mfifb:lytro      # ids, sizes, modes of its pairs
python -m bench datasets show lytro --verify   # also check every file's sha256
python -m bench datasets fetch lytro --data-dir ~/fusion-data
"""

from __future__ import annotations

import argparse

from bench.commands._common import print_json, print_table

NAME = "datasets"
HELP = "list datasets, show a dataset's pairs, or download one (fetch)"
DESCRIPTION = (
    "Without an action: list the datasets (pairs, modality, where the data lives, whether it is "
    "present, citation). `show NAME` prints the pairs of a dataset; `fetch NAME` downloads it. "
    "Data root: --data-dir, else $FUSEBENCH_DATA, else the user cache dir."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", nargs="?", choices=("list", "show", "fetch"), default="list")
    p.add_argument(
        "name", nargs="?", help="dataset name, e.g. lytro, mfifb:lytro, synthetic:count=4"
    )
    p.add_argument(
        "--data-dir",
        help="data root holding one folder per dataset (default: $FUSEBENCH_DATA or the user cache)",
    )
    p.add_argument(
        "--option",
        action="append",
        metavar="KEY=VALUE",
        help="dataset option (repeatable), e.g. count=12",
    )
    p.add_argument(
        "--verify", action="store_true", help="show: re-hash every file and check its sha256"
    )
    p.add_argument(
        "--mirror", help="fetch: base URL of a mirror laid out as <mirror>/<dataset>/<path>"
    )
    p.add_argument(
        "--group", action="append", help="fetch: only this file group (repeatable), e.g. sources"
    )
    p.add_argument("--jobs", type=int, default=4, help="fetch: parallel downloads (default 4)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _options(items) -> dict[str, str]:
    from bench.errors import ParameterError

    out = {}
    for item in items or []:
        if "=" not in item:
            raise ParameterError(f"--option {item!r}: expected KEY=VALUE")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def _short(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def list_rows(data_dir=None) -> list[dict]:
    """One row per dataset (and per training corpus); decodes nothing, hashes nothing."""
    from bench.datasets import DATASETS, list_datasets, load_dataset
    from bench.datasets.download import check_present
    from bench.datasets.locate import resolve_data_dir
    from bench.datasets.manifest import available_manifests, load_manifest

    root = resolve_data_dir(data_dir)
    rows = []
    used = set()
    for name in list_datasets():
        factory = DATASETS.get(name)
        mname = getattr(factory, "manifest_name", None)
        if mname:
            used.add(mname)
            m = load_manifest(mname)
            ds = load_dataset(name, data_dir, require_files=False)
            ok, total = check_present(
                mname,
                data_dir,
                groups=[g for g in m.groups() if g in ("pairs", "sources", "triples")] or None,
            )
            present = "yes" if ok == total else ("no" if ok == 0 else f"partial {ok}/{total}")
            rows.append(
                {
                    "name": name,
                    "pairs": len(ds),
                    "modality": ds.modality,
                    "location": str(root / mname),
                    "present": present,
                    "citation": _short(m.citation),
                }
            )
        elif name == "synthetic":
            ds = load_dataset(name)
            rows.append(
                {
                    "name": "synthetic",
                    "pairs": f"{len(ds)} (count=N)",
                    "modality": ds.modality,
                    "location": "built in (scikit-image photos)",
                    "present": "yes",
                    "citation": "paper recipe: mask + k-fold 3x3 Gaussian blur",
                }
            )
        elif name == "folder":
            rows.append(
                {
                    "name": "folder:PATH",
                    "pairs": "-",
                    "modality": "any",
                    "location": "PATH",
                    "present": "-",
                    "citation": "your own pairs",
                }
            )
        else:
            rows.append(
                {
                    "name": name,
                    "pairs": "?",
                    "modality": "?",
                    "location": "?",
                    "present": "?",
                    "citation": "plugin",
                }
            )
    for mname in available_manifests():
        if mname not in used:
            m = load_manifest(mname)
            ok, total = check_present(mname, data_dir)
            present = "yes" if ok == total else ("no" if ok == 0 else f"partial {ok}/{total}")
            rows.append(
                {
                    "name": mname,
                    "pairs": f"{len([f for f in m.files if f.group == 'images'])} images (training)",
                    "modality": "-",
                    "location": str(root / mname),
                    "present": present,
                    "citation": _short(m.citation),
                }
            )
    return rows


def show_rows(ds) -> list[dict]:
    rows = []
    for p in ds:
        w, h, mode = p.meta.get("width"), p.meta.get("height"), p.meta.get("mode")
        if w is None and p.meta.get("files"):
            w, h, mode = _header(p)
        rows.append(
            {
                "id": p.id,
                "size": f"{w}x{h}" if w else "?",
                "mode": mode or "?",
                "sources": p.n_sources,
                "ground truth": "yes" if p.has_ground_truth else "",
                "mask": "yes" if p.has_mask else "",
                "modality": p.modality,
            }
        )
    return rows


def _header(pair) -> tuple:
    """Size and mode from the first file's header only (no pixel decoding)."""
    from pathlib import Path

    from bench.errors import ImageError
    from bench.io import open_checked

    path = Path(pair.load_a.path) if hasattr(pair.load_a, "path") else None
    if path is None:
        return None, None, None
    try:
        with open_checked(path) as im:
            return im.width, im.height, im.mode
    except (OSError, ImageError):
        return None, None, None


def run(args) -> int:
    from bench.datasets import load_dataset
    from bench.errors import ParameterError

    if args.action == "list":
        rows = list_rows(args.data_dir)
        if args.json:
            print_json(rows)
        else:
            print_table(rows)
        return 0
    if not args.name:
        raise ParameterError(
            f"`datasets {args.action}` needs a dataset NAME (see `python -m bench datasets`)"
        )
    if args.action == "fetch":
        from bench.datasets import list_datasets
        from bench.datasets.base import DATASETS
        from bench.datasets.download import fetch_dataset
        from bench.datasets.manifest import available_manifests
        from bench.errors import DataError

        name = args.name.partition(":")[0]
        if name in list_datasets():  # a dataset name: fetch its manifest (harvard: harvard-medical)
            name = getattr(DATASETS.get(name), "manifest_name", None) or name
        if name not in available_manifests():
            raise DataError(
                f"nothing to fetch for {args.name!r}: downloadable datasets are "
                f"{', '.join(available_manifests())} (synthetic and folder: need no download)"
            )
        report = fetch_dataset(
            name,
            args.data_dir,
            mirror=args.mirror,
            groups=args.group,
            jobs=args.jobs,
            progress=not args.json,
        )
        if args.json:
            print_json(report.__dict__)
        else:
            print(report)
        return 0
    ds = load_dataset(args.name, args.data_dir, **_options(args.option))
    verified = None
    if args.verify:
        verified = _verify(ds)
    rows = show_rows(ds)
    if args.json:
        print_json(
            {
                "name": ds.name,
                "pairs": len(ds),
                "modality": ds.modality,
                "location": ds.location,
                "citation": ds.citation,
                "verified_files": verified,
                "rows": rows,
            }
        )
        return 0
    print(f"{ds.name}: {len(ds)} pairs, {ds.modality}")
    print(f"location: {ds.location}")
    if ds.citation:
        print(f"citation: {ds.citation}")
    if verified is not None:
        print(f"sha256 verified: {verified} files")
    print_table(rows)
    return 0


def _verify(ds) -> int:
    from bench.datasets.manifest import VerifiedImage, verify_file

    n = 0
    for p in ds:
        for loader in (p.load_a, p.load_b, p.load_ground_truth, *p.load_more):
            if isinstance(loader, VerifiedImage):
                verify_file(loader.path, loader.sha256, use_cache=False)  # asked for: re-hash
                n += 1
    return n
