"""Content-addressed store of fused images, decision maps and their scores.

Layout under the cache root (default ``$FUSEBENCH_CACHE`` or
``~/.cache/fusebench``)::

    fused/<k[:2]>/<key>.png        fused image (lossless; 16-bit when the sources are)
    fused/<k[:2]>/<key>.dm.png     decision map (16-bit grey, 0..1 scaled to 0..65535)
    fused/<k[:2]>/<key>.json       method, version, parameters, pair, fuse seconds, scores
    pairs/<h[:2]>/<hash>/A.png ... the sources (A, B, GT, mask) for reports

``key`` is :func:`bench.runner.tasks.cache_key` (method + version +
parameters + the pair's content hash). Every write goes to a temporary file
then ``os.replace``, so a killed process leaves either the old entry or the
new one, never half a file. The JSON is written last: an entry without it is
"fused but not scored".

    >>> c = FusedCache("/tmp/fb-cache")                      # doctest: +SKIP
    >>> c.put_fused(key, image, decision_map=None, bit_depth=8, meta={...})  # doctest: +SKIP
    >>> c.load_fused(key)[0].shape                           # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from bench.io import read_image, write_image


def default_cache_dir() -> Path:
    """``$FUSEBENCH_CACHE`` if set, else ``$XDG_CACHE_HOME/fusebench`` or ``~/.cache/fusebench``."""
    env = os.environ.get("FUSEBENCH_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "fusebench"


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def link_or_copy(src: Path, dst: Path) -> None:
    """Hard-link ``src`` to ``dst`` (copy across file systems), replacing ``dst``."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.tmp")
    try:
        try:
            os.link(src, tmp)
        except OSError:
            shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
    finally:
        if tmp.exists():
            tmp.unlink()


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
    def has_fused(self, key: str) -> bool:
        return self.image_path(key).is_file()

    def put_fused(
        self,
        key: str,
        image: np.ndarray,
        decision_map: np.ndarray | None,
        bit_depth: int,
        meta: dict[str, Any],
    ) -> None:
        """Store a (quantised) fused image, its decision map and metadata (scores empty)."""
        if decision_map is not None:
            write_image(self.decision_map_path(key), np.asarray(decision_map) * 255.0, bit_depth=16)
        write_image(self.image_path(key), image, bit_depth=bit_depth)
        meta = dict(meta, has_decision_map=decision_map is not None, scores={})
        atomic_write_text(self.meta_path(key), json.dumps(meta, indent=1, sort_keys=True, default=str))

    def load_fused(self, key: str) -> tuple[np.ndarray, np.ndarray | None]:
        """(fused image float 0..255, decision map 0..1 or None)."""
        image, _ = read_image(self.image_path(key))
        dm_path = self.decision_map_path(key)
        dm = read_image(dm_path)[0] / 255.0 if dm_path.is_file() else None
        return image, dm

    def load_meta(self, key: str) -> dict[str, Any] | None:
        try:
            return json.loads(self.meta_path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def put_scores(self, key: str, meta: dict[str, Any], scores: dict[str, float]) -> None:
        """Merge ``scores`` (score-key -> value) into the entry's metadata, atomically."""
        merged = dict(meta)
        merged["scores"] = {**meta.get("scores", {}), **scores}
        atomic_write_text(self.meta_path(key), json.dumps(merged, indent=1, sort_keys=True, default=str))

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
                write_image(files[role], np.asarray(arr) * 255.0)
            else:
                write_image(files[role], arr, bit_depth=bit_depth)
