"""Dataset manifests (``datasets/<name>.json``) and sha256 verification with a remembered-hash cache.

A manifest records, per dataset: title, modality, citation, licence note,
source repository and commit, the layout/naming rule, and for every file
its relative ``path``, ``sha256``, ``size``, download ``group`` and
canonical ``url`` (``null`` for derived files that exist only on mirrors).

Manifests are found (first hit wins) in ``$FUSEBENCH_MANIFESTS``, in
``datasets/`` at the root of a source checkout / editable install, and in
``<sys.prefix>/share/fusebench/datasets`` where a wheel installs them
(``[tool.setuptools.data-files]`` in pyproject.toml).

Before a file's pixels are used, :func:`verify_file` checks its sha256. A
verified file is remembered in a tiny record under ``<user cache>/verified/``,
so a repeat costs one ``stat``. The record is keyed by size, ``mtime_ns``,
inode **and** ``ctime_ns``: size and mtime alone can be restored after an
edit (``os.utime``, ``touch -r``, ``cp -p``, ``rsync -t``), but the ctime
(inode status-change time) is set by the kernel on every write, rename or
``utime`` and an unprivileged process cannot set it back; the inode changes
when a file is replaced by another. A file changed less than
:data:`RACY_WINDOW_NS` (1 s) before it was hashed is never trusted from the
record (ctime ticks are coarse), so a change in the same tick is caught too.
What is not covered: root changing the system clock or writing the block
device, and filesystems without a real ctime (then every check re-hashes
only if the stamp differs; ``verify_file(..., use_cache=False)`` always
re-hashes).

    >>> m = parse_manifest({"name": "demo", "files": [
    ...     {"path": "a.png", "sha256": "AB12", "size": 3, "group": "pairs"}]}, "demo.json")
    >>> m.file("a.png").sha256, m.groups()
    ('ab12', ['pairs'])
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.datasets.locate import data_dir_source, resolve_data_dir, user_cache_dir
from bench.errors import DataError

ENV_MANIFESTS = "FUSEBENCH_MANIFESTS"


class ChecksumError(DataError):
    """A file's sha256 differs from its manifest entry."""


# -- finding and reading manifests ------------------------------------------


def manifest_dirs() -> list[Path]:
    """Folders searched for ``<name>.json`` manifests, in order."""
    dirs = []
    env = os.environ.get(ENV_MANIFESTS)
    if env:
        dirs.append(Path(env))
    dirs.append(Path(__file__).resolve().parents[2] / "datasets")  # source checkout / editable
    dirs.append(Path(sys.prefix) / "share" / "fusebench" / "datasets")  # wheel data-files
    return dirs


def manifest_path(name: str) -> Path:
    for d in manifest_dirs():
        p = d / f"{name}.json"
        if p.is_file():
            return p
    raise DataError(
        f"no manifest for dataset {name!r} (looked for {name}.json in "
        f"{', '.join(str(d) for d in manifest_dirs())})"
    )


def available_manifests() -> list[str]:
    """Names of all manifests found (first folder wins on duplicates)."""
    names: list[str] = []
    for d in manifest_dirs():
        if d.is_dir():
            for p in sorted(d.glob("*.json")):
                if p.stem not in names:
                    names.append(p.stem)
    return names


@dataclass(frozen=True)
class FileEntry:
    path: str
    sha256: str
    size: int
    group: str = "default"
    url: str | None = None
    width: int | None = None
    height: int | None = None
    mode: str | None = None


@dataclass
class Manifest:
    name: str
    title: str
    modality: str
    citation: str
    license_note: str
    homepage: str
    layout: str
    files: list[FileEntry]
    source: dict = field(default_factory=dict)
    origin: str = ""

    def __post_init__(self):
        self._by_path = {f.path: f for f in self.files}

    def file(self, path: str) -> FileEntry:
        try:
            return self._by_path[path]
        except KeyError:
            raise DataError(
                f"manifest {self.origin or self.name}: no entry for file {path!r}"
            ) from None

    def __contains__(self, path: str) -> bool:
        return path in self._by_path

    def where(self) -> str:
        """``manifest <file>`` for error messages."""
        return f"manifest {self.origin or self.name + '.json'}"

    def locate(self, root: str | os.PathLike, path: str) -> Path:
        """Where entry ``path`` lives under ``root`` (:func:`confined_path`: never outside it)."""
        return confined_path(root, path, self.where())

    def image(self, root: str | os.PathLike, path: str) -> VerifiedImage:
        """Loader of entry ``path`` under ``root``: confined, sha256-verified, then decoded."""
        return VerifiedImage(str(Path(root) / path), self.file(path).sha256, str(root), self.where())

    def groups(self) -> list[str]:
        return list(dict.fromkeys(f.group for f in self.files))

    def select(self, groups: list[str] | None = None) -> list[FileEntry]:
        if not groups:
            return list(self.files)
        unknown = set(groups) - set(self.groups())
        if unknown:
            raise DataError(
                f"dataset {self.name!r} has no file group(s) {sorted(unknown)} (groups: {self.groups()})"
            )
        return [f for f in self.files if f.group in groups]


def check_entry_path(path: str, origin: str) -> str:
    """Return ``path`` if it is a plain relative path inside the dataset folder, else raise.

    Refused (:class:`DataError` naming the manifest and the entry): empty paths,
    absolute paths (``/x``, ``C:\\x``, ``\\\\host\\x``), any ``..`` part, backslashes
    and NUL characters. Symlinks are checked where the path meets the disk
    (:func:`confined_path`).

    >>> check_entry_path("sourceA/01.jpg", "demo.json")
    'sourceA/01.jpg'
    >>> check_entry_path("../../x", "demo.json")
    Traceback (most recent call last):
    bench.errors.DataError: manifest demo.json: entry '../../x' ...
    """
    from pathlib import PurePosixPath, PureWindowsPath

    why = None
    if not isinstance(path, str) or not path.strip():
        why = "is empty"
    elif "\0" in path or "\\" in path:
        why = "contains a NUL or backslash"
    elif PurePosixPath(path).is_absolute() or PureWindowsPath(path).anchor:
        why = "is absolute"
    elif ".." in PurePosixPath(path).parts:
        why = "contains '..'"
    if why:
        raise DataError(
            f"manifest {origin}: entry {path!r} {why}; file paths must be relative paths inside "
            f"the dataset folder (refused: nothing is read or written outside the data root)"
        )
    return path


def confined_path(root: str | os.PathLike, path: str, where: str) -> Path:
    """``root / path``, refusing a result that leaves ``root`` once symlinks are followed.

    ``where`` names the manifest and entry for the :class:`DataError`.

    >>> confined_path("/data/lytro", "x/a.jpg", "manifest lytro.json")
    PosixPath('/data/lytro/x/a.jpg')
    """
    root = Path(root)
    joined = root / check_entry_path(path, where)
    real, real_root = os.path.realpath(joined), os.path.realpath(root)
    if os.path.commonpath([real, real_root]) != real_root:
        raise DataError(
            f"{where}: entry {path!r} resolves to {real}, outside the dataset folder {real_root} "
            f"(a symlink leads out of it); refused"
        )
    return joined


def parse_manifest(data: dict, origin: str = "") -> Manifest:
    """Build a :class:`Manifest` from its JSON object, with errors naming ``origin``.

    Every file path must be relative and stay inside the dataset folder
    (:func:`check_entry_path`).
    """
    try:
        files = [
            FileEntry(
                path=check_entry_path(f["path"], origin),
                sha256=f["sha256"].lower(),
                size=int(f["size"]),
                group=f.get("group", "default"),
                url=f.get("url"),
                width=f.get("width"),
                height=f.get("height"),
                mode=f.get("mode"),
            )
            for f in data["files"]
        ]
        return Manifest(
            name=data["name"],
            title=data.get("title", data["name"]),
            modality=data.get("modality", "multi-focus"),
            citation=data.get("citation", ""),
            license_note=data.get("license_note", ""),
            homepage=data.get("homepage", ""),
            layout=data.get("layout", ""),
            files=files,
            source=data.get("source", {}),
            origin=origin,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"manifest {origin}: malformed ({type(exc).__name__}: {exc})") from None


@functools.cache
def load_manifest(name: str) -> Manifest:
    path = manifest_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataError(f"manifest {path}: cannot read ({exc})") from None
    return parse_manifest(data, str(path))


# -- locating a manifest dataset on disk -------------------------------------


def how_to_get(manifest: Manifest, root: Path, explicit_dir: bool = True) -> str:
    """Instructions for a dataset that is absent or incomplete at ``root``."""
    return (
        f"get it with `python -m bench datasets fetch {manifest.name}"
        f"{' --data-dir ' + str(root.parent) if explicit_dir else ''}`, or download the files listed in "
        f"{manifest.origin or manifest.name + '.json'} (source: {manifest.homepage}) by hand and put them "
        f"under {root}/ keeping their relative paths (layout: {manifest.layout}); "
        f"if you already have it elsewhere, pass --data-dir FOLDER or set $FUSEBENCH_DATA=FOLDER, "
        f"FOLDER being the one that holds {manifest.name}/ (the data root is --data-dir, else "
        f"$FUSEBENCH_DATA, else the user cache)"
    )


def dataset_root(
    manifest: Manifest, data_dir=None, required: list[str] | None = None, check: bool = True
) -> Path:
    """``<data root>/<name>``, checking that the ``required`` files exist (no hashing here).

    ``check=False`` skips the checks (to describe a dataset that is not downloaded).
    """
    root = resolve_data_dir(data_dir) / manifest.name
    if not check:
        return root
    where = f"data root {root.parent} from {data_dir_source(data_dir)}"
    if not root.is_dir():
        raise DataError(
            f"dataset {manifest.name!r} not found at {root} ({where}): {how_to_get(manifest, root, bool(data_dir))}"
        )
    missing = [p for p in (required or []) if not manifest.locate(root, p).is_file()]
    if missing:
        raise DataError(
            f"dataset {manifest.name!r} at {root} is incomplete: {len(missing)} of {len(required)} files "
            f"missing (e.g. {', '.join(missing[:3])}); {how_to_get(manifest, root, bool(data_dir))}"
        )
    return root


# -- sha256 verification ----------------------------------------------------


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _record_path(path: Path) -> Path:
    key = hashlib.sha1(str(path).encode("utf-8", "surrogateescape")).hexdigest()
    return user_cache_dir() / "verified" / key[:2] / key


#: A file whose status changed less than this long before it was hashed is never trusted from
#: the record (git's "racy clean" rule): the filesystem's ctime clock is coarse (a few ms), so a
#: change made in the same tick as the verification could otherwise keep the same stamp.
RACY_WINDOW_NS = 1_000_000_000

_MEMO: dict[str, tuple] = {}


@dataclass(frozen=True)
class _Stamp:
    """What must be unchanged for a remembered hash to stand (see the module docstring)."""

    size: int
    mtime_ns: int
    inode: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> _Stamp:
        st = path.stat()
        return cls(st.st_size, st.st_mtime_ns, st.st_ino, st.st_ctime_ns)


def is_verified(path: str | os.PathLike, sha256: str) -> bool:
    """True if ``path`` was verified against ``sha256`` and has not changed since.

    "Not changed" means the same size, mtime, inode and ctime (the status-change
    time, which every write, rename onto the path or ``os.utime`` moves forward
    and which an unprivileged user cannot set back), and the file's last change
    came more than :data:`RACY_WINDOW_NS` before it was hashed.
    """
    p = Path(path).resolve()
    try:
        now = _Stamp.of(p)
    except OSError:
        return False
    record = _MEMO.get(str(p))
    if record is None:
        try:
            parts = _record_path(p).read_text().split()
            if len(parts) != 6:
                return False  # an older record format: hash again
            *numbers, digest = parts
            size, mtime, inode, ctime, hashed_at = map(int, numbers)
        except (OSError, ValueError):
            return False
        record = (_Stamp(size, mtime, inode, ctime), hashed_at, digest)
    stamp, hashed_at, digest = record
    if stamp != now or digest != sha256.lower() or now.ctime_ns >= hashed_at - RACY_WINDOW_NS:
        return False
    _MEMO[str(p)] = record
    return True


def _remember(p: Path, stamp: _Stamp, hashed_at: int, digest: str) -> None:
    _MEMO[str(p)] = (stamp, hashed_at, digest)
    rec = _record_path(p)
    try:
        rec.parent.mkdir(parents=True, exist_ok=True)
        tmp = rec.with_name(f"{rec.name}.{os.getpid()}.tmp")
        tmp.write_text(
            f"{stamp.size} {stamp.mtime_ns} {stamp.inode} {stamp.ctime_ns} {hashed_at} {digest}\n"
        )
        os.replace(tmp, rec)
    except OSError:
        pass  # a read-only cache only costs a re-hash next time


def verify_file(path: str | os.PathLike, sha256: str, *, use_cache: bool = True) -> None:
    """Raise :class:`ChecksumError` naming the file and both hashes unless sha256 matches.

    A verified file is remembered by its :class:`_Stamp` (size, mtime, inode,
    ctime), so verifying it again costs one ``stat`` until anything about it changes.
    """
    p = Path(path).resolve()
    expected = sha256.lower()
    if use_cache and is_verified(p, expected):
        return
    if not p.is_file():
        raise DataError(f"{p}: file not found")
    hashed_at = time.time_ns()  # before the stat: a change during hashing changes the stamp
    stamp = _Stamp.of(p)
    actual = sha256_file(p)
    if actual != expected:
        raise ChecksumError(
            f"{p}: sha256 mismatch (expected {expected}, actual {actual}); the file is corrupt or "
            f"was replaced: delete it and fetch it again"
        )
    _remember(p, stamp, hashed_at, actual)


# -- lazy, verified loaders for pairs ---------------------------------------


@dataclass(frozen=True)
class VerifiedImage:
    """Picklable loader: verify ``path`` against ``sha256``, then decode it (float64, 0..255).

    With ``root``, the path is first checked to stay inside it (symlinks
    followed); ``where`` names the manifest in that error.
    """

    path: str
    sha256: str
    root: str | None = None
    where: str = ""

    def __call__(self) -> np.ndarray:
        from bench.io import read_image

        if self.root is not None:
            confined_path(self.root, os.path.relpath(self.path, self.root), self.where or "manifest")
        verify_file(self.path, self.sha256)
        return read_image(self.path)[0]


@dataclass(frozen=True)
class ShaHash:
    """Content hash of a pair from its files' manifest sha256 values (no file is read)."""

    digests: tuple[str, ...]

    def __call__(self) -> str:
        return hashlib.sha256("\n".join(self.digests).encode()).hexdigest()


def manifest_pair(
    manifest: Manifest,
    root: Path,
    pair_id: str,
    path_a: str,
    path_b: str,
    *,
    ground_truth: str | None = None,
    more: tuple[str, ...] = (),
    modality: str | None = None,
    load_mask=None,
    meta: dict | None = None,
):
    """A :class:`~bench.datasets.base.Pair` whose images are verified manifest files."""
    from bench.datasets.base import Pair

    paths = [path_a, path_b, *more] + ([ground_truth] if ground_truth else [])
    entries = [manifest.file(p) for p in paths]
    ea = entries[0]
    info = {
        "files": paths,
        "width": ea.width,
        "height": ea.height,
        "mode": ea.mode,
        "bytes": sum(e.size for e in entries),
    }
    info.update(meta or {})
    return Pair(
        id=pair_id,
        modality=modality or manifest.modality,
        load_a=manifest.image(root, path_a),
        load_b=manifest.image(root, path_b),
        load_ground_truth=manifest.image(root, ground_truth) if ground_truth else None,
        load_mask=load_mask,
        hash_fn=ShaHash(tuple(e.sha256 for e in entries)),
        load_more=tuple(manifest.image(root, p) for p in more),
        meta=info,
    )


def manifest_dataset(manifest: Manifest, name: str, pairs: list, root: Path, description: str = ""):
    from bench.datasets.base import Dataset

    return Dataset(
        name,
        pairs,
        modality=manifest.modality,
        citation=manifest.citation,
        location=str(root),
        description=description or manifest.title,
    )
