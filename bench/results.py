"""The run directory: its one owner (format, writer, reader, lock, status).

::

    RUN_DIR/
      run.json        command line, versions, git revision, machine, device, methods +
                      parameters, metrics + versions, start/end, summary, ``status``
      run.lock        held (``flock``) by the run writing the directory; holds its pid
      scores.csv      dataset, pair, method, method_version, metric, convention, value
      timings.csv     dataset, pair, method, method_version, cached, fuse_seconds,
                      score_seconds, status, note
      failures.csv    dataset, pair, method, method_version, stage, metric, error, traceback
      images.csv      dataset, pair, method, file, key, sha256, kept, cache_path: every
                      image the run produced, its sha256, whether the run keeps a copy
      images/<pair folder>/A.png, B.png[, GT.png, mask.png]     the sources (copies)
      images/<pair folder>/<method>.png[, <method>.dm.png]      fused images (copies) of
                      the pairs chosen by ``--keep-images`` (:func:`kept_pairs`)
      report/         tables and figures (``bench report``)

``status`` in run.json is one of :data:`STATUSES`: ``running`` while a run writes,
then ``complete``, ``complete-with-failures`` (failures.csv has rows),
``interrupted`` (Ctrl-C / SIGTERM; re-run with ``--resume``) or ``failed`` (the run
itself could not go on, e.g. the disk is full; ``error`` says why). A directory
left ``running`` by a killed process is resumed like an interrupted one.

Rows are appended and fsync'ed as tasks finish, so a killed run keeps every finished
row; :meth:`RunStore.finalise` merges them with the rows already there (the newest row
per key wins, no other row is removed) and rewrites each CSV sorted, atomically.
Images are copies (reflinks where the file system can), never hard links into the
cache: editing a run's image cannot change the cache. The sources of every pair are
always kept; fused images and decision maps only for the pairs ``--keep-images``
chooses (default :data:`DEFAULT_KEEP_IMAGES`: the first pairs; ``all`` keeps every one),
which keeps a 35-method Lytro run folder under 100 MB. Every image, kept or not, has a
row in ``images.csv`` with its sha256; :func:`run_image` finds a run's image (its copy,
else the cache's file when that still has the recorded sha256), so reports draw every
pair's figures right after a run, and never from a changed file. Image folders are named by
:func:`pair_folder`, injective over pair ids (``sub/x`` and ``sub_x`` differ).

    >>> pair_folder("lytro-01"), pair_folder("sub/x") != pair_folder("sub_x")
    ('lytro-01', True)
    >>> STATUSES[0]
    'running'
"""

from __future__ import annotations

import contextlib
import csv
import errno
import fcntl
import hashlib
import io
import json
import logging
import os
import re
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from bench.errors import RunDirectoryError

log = logging.getLogger(__name__)

SCORE_COLUMNS = ["dataset", "pair", "method", "method_version", "metric", "convention", "value"]
TIMING_COLUMNS = [
    "dataset", "pair", "method", "method_version", "cached", "fuse_seconds", "score_seconds",
    "status", "note",
]
FAILURE_COLUMNS = [
    "dataset", "pair", "method", "method_version", "stage", "metric", "error", "traceback",
]
IMAGE_COLUMNS = ["dataset", "pair", "method", "file", "key", "sha256", "kept", "cache_path"]
FILES = {"scores": SCORE_COLUMNS, "timings": TIMING_COLUMNS, "failures": FAILURE_COLUMNS,
         "images": IMAGE_COLUMNS}
# the newest row per key wins when rows are merged
KEYS = {
    "scores": ("pair", "method", "metric", "convention"),
    "timings": ("pair", "method"),
    "failures": ("pair", "method", "stage", "metric"),
    "images": ("pair", "file"),
}
#: ``--keep-images`` default: fused images (and maps) of the first 3 pairs are copied into
#: the run; every pair's sources are. 3 pairs × 35 methods of 520×520 RGB ≈ 40 MB.
DEFAULT_KEEP_IMAGES = "3"
STATUSES = ("running", "complete", "complete-with-failures", "interrupted", "failed")
_TMP = re.compile(r"^\..+\.(\d+)\.tmp")


# -- files ----------------------------------------------------------------------
def temporary_path(path: Path) -> Path:
    """The temporary sibling a write of ``path`` goes through (``.<name>.<pid>.tmp``)."""
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(path)
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


_FICLONE = 0x40049409  # Linux ioctl: share the source's blocks (btrfs, xfs); else copy


def copy_file(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """Copy ``src`` to ``dst`` atomically (a reflink where possible, never a hard link)."""
    dst = Path(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = temporary_path(dst)
    try:
        with open(src, "rb") as fin, open(tmp, "wb") as fout:
            try:
                fcntl.ioctl(fout.fileno(), _FICLONE, fin.fileno())
            except OSError:
                shutil.copyfileobj(fin, fout, 1 << 20)
        os.replace(tmp, dst)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def remove_stray_temporaries(root: str | os.PathLike) -> int:
    """Delete ``.*.<pid>.tmp*`` files under ``root`` left by processes no longer running.

    Temporaries of live processes (another run sharing the cache) are kept. Returns the
    number removed.
    """
    removed = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            m = _TMP.match(name)
            if m and not _alive(int(m.group(1))):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(dirpath, name))
                    removed += 1
    if removed:
        log.info("removed %d stray temporary file(s) under %s", removed, root)
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def safe_name(text: str) -> str:
    """A file-name-safe form of a name (not injective; see :func:`pair_folder`).

    >>> safe_name("lytro / 01")
    'lytro_01'
    """
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", str(text)).strip("_") or "x"


def pair_folder(pair_id: str) -> str:
    """The image folder (and figure file stem) of a pair: its id when that is already a
    safe name, else the safe name plus a short hash of the id, so two ids never share one.

    >>> pair_folder("sub/x")
    'sub_x-86713588'
    """
    name = safe_name(pair_id)
    if name == pair_id:
        return name
    return f"{name}-{hashlib.sha256(str(pair_id).encode()).hexdigest()[:8]}"


def is_disk_error(exc: BaseException) -> bool:
    """Disk full, quota, read-only file system or permission: the run cannot go on."""
    return isinstance(exc, OSError) and exc.errno in (
        errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO,
    )


def sha256_file(path: str | os.PathLike) -> str:
    """Hex sha256 of a file (:func:`bench.datasets.manifest.sha256_file`, imported on use:
    this module stays light to import)."""
    from bench.datasets.manifest import sha256_file as digest

    return digest(path)


def kept_pairs(spec: str | int | None, pair_ids: list[str]) -> list[str]:
    """The pairs whose fused images a run copies, for a ``--keep-images`` value: ``all``,
    ``none``, a number N (the first N pairs) or a comma list of pair ids.

    >>> ids = ["p1", "p2", "p3"]
    >>> kept_pairs("all", ids), kept_pairs("none", ids), kept_pairs(2, ids), kept_pairs("p3,p1", ids)
    (['p1', 'p2', 'p3'], [], ['p1', 'p2'], ['p1', 'p3'])
    """
    from bench.errors import ParameterError

    text = DEFAULT_KEEP_IMAGES if spec is None else str(spec).strip()
    if text.lower() == "all":
        return list(pair_ids)
    if text.lower() == "none":
        return []
    if text.isdigit():
        return list(pair_ids[: int(text)])
    wanted = {t.strip() for t in text.split(",") if t.strip()}
    unknown = sorted(wanted - set(pair_ids))
    if unknown or not wanted:
        raise ParameterError(
            f"--keep-images {spec!r}: expected all, none, a number of pairs or pair ids of the "
            f"dataset (unknown: {', '.join(unknown) or 'none given'})")
    return [p for p in pair_ids if p in wanted]


def run_image(run_dir: str | os.PathLike, pair_id: str, filename: str,
              manifest: dict[tuple[str, str], dict[str, str]] | None = None) -> Path | None:
    """The file of image ``filename`` (``A.png``, ``gff.png``, ``gff.dm.png``) of a pair of a
    run: the run's copy if it has one, else the cache file it was copied from when that
    still has the sha256 recorded in ``images.csv``; None when neither (a warning says why
    for a changed cache file). ``manifest``: :func:`image_manifest` of the run, if read."""
    own = Path(run_dir) / "images" / pair_folder(pair_id) / filename
    if own.is_file():
        return own
    row = (manifest if manifest is not None else image_manifest(run_dir)).get((pair_id, filename))
    if not row or not row.get("cache_path"):
        return None
    cached = Path(row["cache_path"])
    if not cached.is_file():
        return None
    if sha256_file(cached) != row.get("sha256"):
        log.warning("%s of %s: the cache file %s no longer has the sha256 the run recorded; "
                    "not used", filename, pair_id, cached)
        return None
    return cached


def image_manifest(run_dir: str | os.PathLike) -> dict[tuple[str, str], dict[str, str]]:
    """``images.csv`` of a run keyed by (pair, file); {} for runs made before it existed."""
    return {(r["pair"], r["file"]): r for r in read_rows(run_dir, "images")}


# -- lock -------------------------------------------------------------------------
class RunLock:
    """An exclusive ``flock`` on ``RUN_DIR/run.lock``; the kernel drops it when its
    process dies, so a lock left by a killed run is stale and simply taken over."""

    def __init__(self, run_dir: str | os.PathLike):
        self.dir = Path(run_dir)
        self.path = self.dir / "run.lock"
        self._fh = None

    def acquire(self) -> RunLock:
        self.dir.mkdir(parents=True, exist_ok=True)
        fh = open(self.path, "a+", encoding="utf-8")
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().split()
            fh.close()
            pid = holder[0] if holder else "?"
            raise RunDirectoryError(
                f"run directory {self.dir} is in use by another run (pid {pid}, lock {self.path}); "
                "wait for it to finish or choose another --out"
            ) from None
        fh.seek(0)
        previous = fh.read().split()
        if previous:
            log.warning("run directory %s: taking over the stale lock of pid %s (no longer running)",
                        self.dir, previous[0])
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()} {socket.gethostname()} {time.time():.0f}\n")
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is None:
            return
        with contextlib.suppress(OSError):
            self._fh.seek(0)
            self._fh.truncate()
            self._fh.flush()
        fcntl.flock(self._fh, fcntl.LOCK_UN)
        self._fh.close()
        self._fh = None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# -- writer / reader ----------------------------------------------------------------
class RunStore:
    """Append-as-you-go writer (and reader) of one run directory.

    :meth:`open` starts a new run directory or, with ``resume``, continues one; the
    rows already there are kept and merged at :meth:`finalise`.
    """

    def __init__(self, run_dir: str | os.PathLike):
        self.dir = Path(run_dir)
        self._old: dict[str, list[dict[str, str]]] = {n: [] for n in FILES}
        self._new: dict[str, list[dict[str, Any]]] = {n: [] for n in FILES}
        self.previous: dict[str, Any] | None = None

    def path(self, name: str) -> Path:
        return self.dir / f"{name}.csv"

    @property
    def images_dir(self) -> Path:
        return self.dir / "images"

    def image_path(self, pair_id: str, filename: str) -> Path:
        return self.images_dir / pair_folder(pair_id) / filename

    # -- writing ------------------------------------------------------------
    def open(self, record: dict[str, Any], *, resume: bool = False) -> dict[str, Any]:
        """Create (or, with ``resume``, continue) the directory; write ``record`` as run.json.

        Returns the record actually written (merged with the previous one on resume).
        A directory that already holds a run is refused without ``resume``.
        """
        if self.dir.exists() and not self.dir.is_dir():
            raise RunDirectoryError(f"run directory {self.dir} is a file")
        if (self.dir / "run.json").is_file():
            self.previous = read_record(self.dir)
            if not resume:
                raise RunDirectoryError(
                    f"run directory {self.dir} already holds a run (status "
                    f"{self.previous.get('status', '?')}); pass --resume to add to it or choose "
                    "another --out"
                )
            before = self.previous.get("dataset", {}).get("name")
            now = record.get("dataset", {}).get("name")
            if before != now:
                raise RunDirectoryError(
                    f"run directory {self.dir} holds a run of dataset {before!r}, not {now!r}; "
                    "choose another --out"
                )
            record = merge_records(self.previous, record)
        self.dir.mkdir(parents=True, exist_ok=True)
        remove_stray_temporaries(self.dir)
        for name, cols in FILES.items():
            self._old[name] = _latest(self.read_rows(name), KEYS[name])
            atomic_write_text(self.path(name), _csv_text(self._old[name], cols))
        self.write_record(record)
        return record

    def write_record(self, record: dict[str, Any]) -> None:
        atomic_write_text(self.dir / "run.json", json.dumps(record, indent=2, default=str) + "\n")

    def append(self, name: str, rows: list[dict[str, Any]]) -> None:
        """Append rows to ``<name>.csv`` and flush them to disk."""
        if not rows:
            return
        with open(self.path(name), "a", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=FILES[name], extrasaction="ignore",
                                    lineterminator="\n")
            writer.writerows(rows)
            fh.flush()
            os.fsync(fh.fileno())
        self._new[name].extend({k: str(v) for k, v in r.items()} for r in rows)

    def copy_image(self, src: Path, pair_id: str, filename: str) -> None:
        copy_file(src, self.image_path(pair_id, filename))

    def record_image(self, src: Path, dataset: str, pair_id: str, method: str, filename: str,
                     key: str, keep: bool) -> dict[str, str]:
        """Copy ``src`` into the run (``keep``, or a copy from an earlier invocation is
        there) and return its ``images.csv`` row: sha256 of the copy, else of ``src``."""
        dst = self.image_path(pair_id, filename)
        keep = keep or dst.is_file()
        if keep:
            copy_file(src, dst)
        return {"dataset": dataset, "pair": pair_id, "method": method, "file": filename, "key": key,
                "sha256": sha256_file(dst if keep else src), "kept": str(keep).lower(),
                "cache_path": str(Path(src).resolve())}

    def finalise(self, order: dict[str, dict[str, int]]) -> int:
        """Merge the previous rows with this run's (newest per key wins; a task attempted
        now drops its older failure rows), rewrite each CSV sorted by pair then method
        order; return the number of failure rows left."""
        touched = {(r["pair"], r["method"]) for r in self._new["timings"]}
        left = 0
        for name, cols in FILES.items():
            old = self._old[name]
            if name == "failures":
                old = [r for r in old if (r["pair"], r["method"]) not in touched]
            rows = _latest(old + self._new[name], KEYS[name])

            def sort_key(r):
                return (
                    order.get("pair", {}).get(r["pair"], 1 << 30), r["pair"],
                    order.get("method", {}).get(r["method"], 1 << 30), r["method"],
                    r.get("metric", ""), r.get("stage", ""), r.get("file", ""),
                )

            rows.sort(key=sort_key)
            atomic_write_text(self.path(name), _csv_text(rows, cols))
            if name == "failures":
                left = len(rows)
        return left

    # -- reading ------------------------------------------------------------
    def read_rows(self, name: str) -> list[dict[str, str]]:
        return read_rows(self.dir, name)


def read_record(run_dir: str | os.PathLike) -> dict[str, Any]:
    """``run.json`` of ``run_dir`` as a dict."""
    path = Path(run_dir) / "run.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RunDirectoryError(f"{run_dir}: not a run directory (no run.json)") from None
    except json.JSONDecodeError as exc:
        raise RunDirectoryError(f"{path}: not valid JSON ({exc})") from None


def read_rows(run_dir: str | os.PathLike, name: str) -> list[dict[str, str]]:
    """Rows of ``<name>.csv`` (``scores``, ``timings``, ``failures``) as dicts of strings."""
    try:
        with open(Path(run_dir) / f"{name}.csv", newline="", encoding="utf-8") as fh:
            return [{k: (v or "") for k, v in r.items() if k is not None} for r in csv.DictReader(fh)]
    except FileNotFoundError:
        return []


def read_table(run_dir: str | os.PathLike, name: str):
    """``<name>.csv`` as a pandas DataFrame (ids as strings; ``value`` numeric, bad -> NaN)."""
    import pandas as pd

    path = Path(run_dir) / f"{name}.csv"
    if not path.is_file():
        raise RunDirectoryError(f"{run_dir}: not a run directory (no {name}.csv)")
    df = pd.read_csv(path, dtype={"pair": str, "method": str, "metric": str, "method_version": str})
    if "value" in df:
        df["value"] = pd.to_numeric(df["value"], errors="coerce")
    return df


def merge_records(previous: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The run.json of a resumed run: selections are unions (this run's entries win),
    earlier invocations are kept under ``history``."""
    merged = dict(record)
    for key in ("methods", "metrics"):
        merged[key] = {**previous.get(key, {}), **record.get(key, {})}
    pairs = list(previous.get("dataset", {}).get("pairs", []))
    pairs += [p for p in record.get("dataset", {}).get("pairs", []) if p not in pairs]
    merged["dataset"] = {**previous.get("dataset", {}), **record.get("dataset", {}), "pairs": pairs}
    if "kept_pairs" in record:  # images copied by earlier invocations stay
        kept = set(previous.get("kept_pairs", [])) | set(record["kept_pairs"])
        merged["kept_pairs"] = [p for p in pairs if p in kept]
    merged["history"] = [
        *previous.get("history", []),
        {k: previous.get(k) for k in ("command", "start", "end", "status", "summary")},
    ]
    merged["resumed"] = True
    return merged


def _latest(rows: list[dict[str, Any]], key: tuple[str, ...]) -> list[dict[str, Any]]:
    out: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        k = tuple(r.get(c, "") for c in key)
        out.pop(k, None)
        out[k] = r
    return list(out.values())


def _csv_text(rows: list[dict[str, Any]], cols: list[str]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()
