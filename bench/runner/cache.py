"""Content-addressed store of fused images, decision maps and their scores, verified on read.

Layout under the cache root (default ``$FUSEBENCH_CACHE`` or
``~/.cache/fusebench``)::

    fused/<k[:2]>/<key>.png        fused image (lossless; 16-bit when the sources are)
    fused/<k[:2]>/<key>.dm.png     decision map (16-bit grey, 0..1 scaled to 0..65535)
    fused/<k[:2]>/<key>.json       method, version, parameters, pair, fuse seconds, the
                                   sha256 of each PNG, scores and the sha256 of the scores
    pairs/<h[:2]>/<hash>/A.png ... the sources (A, B, GT, mask) for reports

``key`` is :func:`bench.runner.tasks.cache_key`. Every write goes to a temporary file
then ``os.replace``, so a killed process leaves either the old entry or the new one;
the JSON is written last. :meth:`FusedCache.lookup` is the one reader: it verifies the
PNGs' sha256 and the scores' checksum (and that every score is a finite number), and
reports what is wrong, so the runner recomputes and says so instead of serving a
truncated image or a hand-edited score.

    >>> import numpy as np, tempfile
    >>> c = FusedCache(tempfile.mkdtemp())
    >>> c.put_fused("ab" * 32, np.full((4, 4), 7.0), None, 8, {"method": "x"})["has_decision_map"]
    False
    >>> hit = c.lookup("ab" * 32)
    >>> hit.problem, float(hit.load()[0][0, 0])
    ('', 7.0)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bench.io import read_image, write_image
from bench.results import atomic_write_text

# zlib level of the cache PNGs: lossless at every level; 1 encodes several times faster
# than the default 6 for files about 10-20 % larger (docs/performance.md).
PNG_LEVEL = 1


def default_cache_dir() -> Path:
    """``$FUSEBENCH_CACHE`` if set, else ``$XDG_CACHE_HOME/fusebench`` or ``~/.cache/fusebench``."""
    env = os.environ.get("FUSEBENCH_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "fusebench"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def scores_checksum(scores: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of a score dict (what a hand edit changes)."""
    return hashlib.sha256(json.dumps(scores, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass
class Entry:
    """A verified cache entry: its metadata and valid scores; ``problem`` says what was
    wrong ('' when nothing; a bad image means the entry is unusable, a bad score block
    only that the scores were dropped)."""

    cache: FusedCache
    key: str
    meta: dict[str, Any]
    scores: dict[str, float] = field(default_factory=dict)
    problem: str = ""
    image_ok: bool = True

    @property
    def has_decision_map(self) -> bool:
        return bool(self.meta.get("has_decision_map"))

    @property
    def fuse_seconds(self) -> float:
        return float(self.meta.get("fuse_seconds", float("nan")))

    def load(self) -> tuple[np.ndarray, np.ndarray | None]:
        """(fused image float 0..255, decision map 0..1 or None)."""
        image, _ = read_image(self.cache.image_path(self.key))
        dm = None
        if self.has_decision_map:
            dm = read_image(self.cache.decision_map_path(self.key))[0] / 255.0
        return image, dm


class FusedCache:
    """Fused images and scores by cache key; sources by pair content hash."""

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root).expanduser() if root is not None else default_cache_dir()

    # -- paths ----------------------------------------------------------
    def _stem(self, key: str) -> Path:
        return self.root / "fused" / key[:2] / key

    def image_path(self, key: str) -> Path:
        return self._stem(key).with_suffix(".png")

    def decision_map_path(self, key: str) -> Path:
        return self._stem(key).with_suffix(".dm.png")

    def meta_path(self, key: str) -> Path:
        return self._stem(key).with_suffix(".json")

    def pair_dir(self, pair_hash: str) -> Path:
        return self.root / "pairs" / pair_hash[:2] / pair_hash

    # -- fused images -----------------------------------------------------
    def put_fused(
        self,
        key: str,
        image: np.ndarray,
        decision_map: np.ndarray | None,
        bit_depth: int,
        meta: dict[str, Any],
    ) -> dict[str, Any]:
        """Store a (quantised) fused image, its decision map and metadata (no scores yet);
        return the metadata written."""
        dm_sha = None
        if decision_map is not None:
            write_image(self.decision_map_path(key), np.asarray(decision_map) * 255.0, bit_depth=16,
                        compress_level=PNG_LEVEL)
            dm_sha = _sha256(self.decision_map_path(key))
        write_image(self.image_path(key), image, bit_depth=bit_depth, compress_level=PNG_LEVEL)
        meta = dict(meta, has_decision_map=decision_map is not None, image_sha256=_sha256(self.image_path(key)),
                    dm_sha256=dm_sha, scores={}, scores_sha256=scores_checksum({}))
        atomic_write_text(self.meta_path(key), json.dumps(meta, indent=1, sort_keys=True, default=str))
        return meta

    def lookup(self, key: str) -> Entry | None:
        """The verified entry of ``key``; None when absent. An entry whose image or map
        fails its checksum (truncated, overwritten) comes back with ``problem`` set and
        must be recomputed; bad scores are dropped (``problem`` says so)."""
        try:
            text = self.meta_path(key).read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            meta = json.loads(text)
            if not isinstance(meta, dict):
                raise ValueError("not an object")
        except ValueError as exc:
            return Entry(self, key, {}, problem=f"cache metadata unreadable ({exc})", image_ok=False)
        entry = Entry(self, key, meta)
        image = self.image_path(key)
        dm = self.decision_map_path(key)
        if not image.is_file():
            entry.problem = "cached image missing"
        elif meta.get("image_sha256") != _sha256(image):
            entry.problem = "cached image fails its sha256 (truncated or overwritten)"
        elif entry.has_decision_map and (not dm.is_file() or meta.get("dm_sha256") != _sha256(dm)):
            entry.problem = "cached decision map missing or fails its sha256"
        if entry.problem:
            entry.image_ok = False
            return entry
        scores = meta.get("scores")
        if not isinstance(scores, dict) or meta.get("scores_sha256") != scores_checksum(scores):
            entry.problem = "cached scores fail their checksum (edited?); scores dropped"
        elif not all(_finite_number(v) for v in scores.values()):
            entry.problem = "cached scores hold a non-numeric value; scores dropped"
        else:
            entry.scores = {k: float(v) for k, v in scores.items()}
        return entry

    def put_scores(self, entry_meta: dict[str, Any], key: str, scores: dict[str, float]) -> dict[str, Any]:
        """Store ``scores`` (score-key -> value) with the entry's other valid ``scores``
        already merged in by the caller; return the metadata written."""
        merged = dict(entry_meta, scores=dict(scores), scores_sha256=scores_checksum(dict(scores)))
        atomic_write_text(self.meta_path(key), json.dumps(merged, indent=1, sort_keys=True, default=str))
        return merged

    # -- sources ------------------------------------------------------------
    def pair_files(self, pair_hash: str) -> dict[str, Path]:
        d = self.pair_dir(pair_hash)
        return {role: d / f"{role}.png" for role in ("A", "B", "GT", "mask")}

    def has_sources(self, pair_hash: str, has_gt: bool) -> bool:
        files = self.pair_files(pair_hash)
        return files["A"].is_file() and files["B"].is_file() and (not has_gt or files["GT"].is_file())

    def put_sources(self, pair_hash: str, images: dict[str, np.ndarray | None], bit_depth: int) -> None:
        files = self.pair_files(pair_hash)
        for role, arr in images.items():
            if arr is None or files[role].is_file():
                continue
            if role == "mask":
                write_image(files[role], np.asarray(arr) * 255.0, compress_level=PNG_LEVEL)
            else:
                write_image(files[role], arr, bit_depth=bit_depth, compress_level=PNG_LEVEL)


def _finite_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
