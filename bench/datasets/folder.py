"""``folder:PATH``: pairs from any folder of images, with a configurable pairing rule.

A pairing rule is a set of path templates (relative to PATH, without the
file extension) in which ``{id}`` stands for the pair id. The default rules
are tried in order and the one that forms the most pairs wins:

=====================  ====================  ===========================
A                      B                     also
=====================  ====================  ===========================
``{id}-A``             ``{id}-B``            third source ``{id}-C``
``{id}_A``             ``{id}_B``            third source ``{id}_C``
``A/{id}``             ``B/{id}``            ground truth ``GT/{id}``
``VI/{id}``            ``IR/{id}``           modality ``ir-visible``
``sourceA/{id}``       ``sourceB/{id}``      ground truth ``groundtruth/{id}``
=====================  ====================  ===========================

Letters and folder names match case-insensitively. Give your own rule with
options ``a=``, ``b=`` (and optionally ``ground_truth=``, ``mask=``,
``modality=``), either as keyword arguments or after a ``?`` in the name::

    load_dataset("folder:/data/pairs", a="near/{id}", b="far/{id}")
    load_dataset("folder:/data/pairs?a=near/{id}&b=far/{id}")

Files that find no partner are ignored (logged). Nothing is decoded while
listing; ``pair.content_hash()`` hashes the files' bytes.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np

from bench.datasets.base import (
    MODALITIES,
    Dataset,
    Pair,
    canonical_task,
    files_hash,
    register_dataset,
)
from bench.errors import DataError
from bench.io import SUPPORTED_SUFFIXES

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairingRule:
    """Templates (``{id}`` = pair id) locating A, B and optional extras under a folder."""

    a: str
    b: str
    more: tuple[str, ...] = ()
    ground_truth: str | None = None
    mask: str | None = None
    modality: str = "multi-focus"

    def roles(self) -> dict[str, str]:
        r = {"a": self.a, "b": self.b}
        r.update({f"more{i}": t for i, t in enumerate(self.more)})
        if self.ground_truth:
            r["ground_truth"] = self.ground_truth
        if self.mask:
            r["mask"] = self.mask
        return r

    def describe(self) -> str:
        return f"A={self.a}, B={self.b}"


DEFAULT_RULES = (
    PairingRule("{id}-A", "{id}-B", more=("{id}-C",)),
    PairingRule("{id}_A", "{id}_B", more=("{id}_C",)),
    PairingRule("A/{id}", "B/{id}", ground_truth="GT/{id}"),
    PairingRule("VI/{id}", "IR/{id}", modality="ir-visible"),
    PairingRule("sourceA/{id}", "sourceB/{id}", ground_truth="groundtruth/{id}"),
)


def template_regex(template: str) -> re.Pattern:
    """``"VI/{id}"`` → a case-insensitive regex with group ``id``.

    >>> template_regex("{id}_A").match("lytro_01_a").group("id")
    'lytro_01'
    """
    if template.count("{id}") != 1:
        raise DataError(f"pairing template {template!r} must contain {{id}} exactly once")
    head, tail = template.split("{id}")
    return re.compile(f"^{re.escape(head)}(?P<id>.+){re.escape(tail)}$", re.IGNORECASE)


def match_rule(files: list[str], rule: PairingRule) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Group relative file paths by pair id under ``rule``.

    ``files`` are POSIX paths relative to the folder, with extensions.
    Returns ``({id: {role: path}}, unpaired_paths)``; only ids with both A and
    B are kept. Raises if one id has two files for the same role.
    """
    regexes = {role: template_regex(t) for role, t in rule.roles().items()}
    found: dict[str, dict[str, str]] = {}
    for path in files:
        stem = path.rsplit(".", 1)[0]
        for role, rx in regexes.items():
            m = rx.match(stem)
            if m:
                slot = found.setdefault(m.group("id"), {})
                if role in slot:
                    raise DataError(
                        f"ambiguous pairing: {slot[role]} and {path} both give pair {m.group('id')!r} role {role}"
                    )
                slot[role] = path
                break
    pairs = {k: v for k, v in sorted(found.items()) if "a" in v and "b" in v}
    used = {p for v in pairs.values() for p in v.values()}
    return pairs, [p for p in files if p not in used]


@dataclass(frozen=True)
class FileImage:
    """Picklable loader of an image file (float64 0..255)."""

    path: str

    def __call__(self) -> np.ndarray:
        from bench.io import read_image

        return read_image(self.path)[0]


@dataclass(frozen=True)
class FileMask:
    """Picklable loader of a focus-mask image, scaled to 0..1 (1 = A in focus)."""

    path: str

    def __call__(self) -> np.ndarray:
        from bench.color import luma
        from bench.io import read_image

        m = luma(read_image(self.path)[0])
        return m / 255.0 if m.max() > 1.0 else m


@dataclass(frozen=True)
class FileBytesHash:
    """Content hash over every role's file (sources, ground truth, mask), by role."""

    files: tuple[tuple[str, str], ...]

    def __call__(self) -> str:
        return files_hash(dict(self.files))


@dataclass
class FolderScan:
    rule: PairingRule
    pairs: dict[str, dict[str, str]]
    unpaired: list[str] = field(default_factory=list)


def scan_folder(folder: Path, rule: PairingRule | None = None) -> FolderScan:
    """Find the pairs in ``folder`` (with ``rule``, or the best default rule)."""
    if not folder.is_dir():
        raise DataError(f"folder dataset: {folder} is not a folder")
    files = sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
    )
    if not files:
        raise DataError(
            f"folder dataset: {folder} holds no images ({', '.join(SUPPORTED_SUFFIXES)})"
        )
    rules = [rule] if rule else list(DEFAULT_RULES)
    best = None
    for r in rules:
        pairs, unpaired = match_rule(files, r)
        if best is None or len(pairs) > len(best.pairs):
            best = FolderScan(r, pairs, unpaired)
    if not best.pairs:
        tried = "; ".join(r.describe() for r in rules)
        raise DataError(
            f"folder dataset: no pairs found in {folder} ({len(files)} images, e.g. {', '.join(files[:3])}); "
            f"tried rules {tried}. Give a rule: folder:{folder}?a=<template>&b=<template> with {{id}} in each"
        )
    if best.unpaired:
        log.info(
            "folder %s: %d file(s) without a partner ignored (e.g. %s)",
            folder,
            len(best.unpaired),
            best.unpaired[0],
        )
    return best


def _split_arg(arg: str) -> tuple[str, dict[str, str]]:
    path, sep, query = arg.partition("?")
    return path, dict(parse_qsl(query, keep_blank_values=False)) if sep else {}


def folder_dataset(path: str | Path, **options) -> Dataset:
    """Dataset of the pairs found in ``path``; options ``a``, ``b``, ``ground_truth``, ``mask``,
    ``modality``, ``more``, ``colour_space`` (``ycbcr``: a grey + colour pair is fused with the
    colour source's luma and keeps its chroma, as ``harvard:pet-mri`` does; ``ihs``: the same
    with the IHS intensity, keeping hue and saturation; default ``rgb``)."""
    folder = Path(path).expanduser()
    known = {"a", "b", "ground_truth", "mask", "modality", "more", "colour_space"}
    unknown = set(options) - known
    if unknown:
        raise DataError(
            f"folder dataset: unknown option(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
        )
    modality = options.get("modality")
    if modality:
        try:
            modality = canonical_task(modality)  # "ir-vis" is accepted for "ir-visible"
        except DataError:
            raise DataError(
                f"folder dataset: modality must be one of {', '.join(MODALITIES)}, got {modality!r}"
            ) from None
    colour_space = str(options.get("colour_space") or "rgb").lower()
    if colour_space not in ("rgb", "ycbcr", "ihs"):
        raise DataError(f"folder dataset: colour_space must be rgb, ycbcr or ihs, got {colour_space!r}")
    rule = None
    if "a" in options or "b" in options:
        if not ("a" in options and "b" in options):
            raise DataError(
                "folder dataset: give both a= and b= templates (e.g. a=near/{id}, b=far/{id})"
            )
        more = options.get("more") or ()
        rule = PairingRule(
            options["a"],
            options["b"],
            more=tuple(more.split(",")) if isinstance(more, str) else tuple(more),
            ground_truth=options.get("ground_truth"),
            mask=options.get("mask"),
            modality=modality or "multi-focus",
        )
    scan = scan_folder(folder, rule)
    modality = modality or scan.rule.modality
    pairs = []
    for pid, roles in scan.pairs.items():
        f = {k: str(folder / v) for k, v in roles.items()}
        more = tuple(FileImage(f[k]) for k in sorted(k for k in f if k.startswith("more")))
        pairs.append(
            Pair(
                id=pid,
                modality=modality,
                load_a=FileImage(f["a"]),
                load_b=FileImage(f["b"]),
                load_ground_truth=FileImage(f["ground_truth"]) if "ground_truth" in f else None,
                load_mask=FileMask(f["mask"]) if "mask" in f else None,
                hash_fn=FileBytesHash(tuple(sorted(f.items()))),
                load_more=more,
                meta={"files": list(roles.values()), "rule": scan.rule.describe(),
                      **({"colour_space": colour_space} if colour_space != "rgb" else {})},
            )
        )
    return Dataset(
        f"folder:{folder}",
        pairs,
        modality=modality,
        location=str(folder),
        description=f"{len(pairs)} pairs from {folder} (rule {scan.rule.describe()})",
    )


@register_dataset("folder")
def _factory(arg: str | None, data_dir=None, **options) -> Dataset:
    if not arg:
        raise DataError("folder dataset needs a path: folder:PATH (e.g. folder:./my_pairs)")
    path, query = _split_arg(arg)
    query.update(options)
    return folder_dataset(path, **query)
