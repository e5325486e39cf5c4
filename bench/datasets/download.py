"""Downloading manifest datasets: streaming, resume/retry, sha256 check, atomic rename.

:func:`download_file` streams ``url`` into ``<dest>.part``; after a dropped
connection or a short read it retries (exponential back-off) and resumes
with an HTTP ``Range`` request (starting over if the server ignores it).
The finished ``.part`` file must have the manifest's sha256; only then is it
renamed onto ``dest`` (``os.replace``, atomic), so a half-written or corrupt
file never appears under its real name. A file whose hash is wrong is
downloaded afresh once more, then reported with both hashes.

:func:`fetch_dataset` does this for every file of a manifest, skipping
files already present and verified. Files come from their canonical URLs or
from a mirror (``--mirror URL`` or ``$FUSEBENCH_MIRROR``) laid out as
``<mirror>/<dataset>/<path>``. When the network is unreachable the error
says where to put the files by hand.

``fetch_dataset("lytro", data_dir="/data/fusion")`` returns a
:class:`FetchReport` (files downloaded, already present, bytes). Where each
file comes from:

    >>> entry = load_manifest("lytro").file("lytro-01-A.jpg")
    >>> file_url(entry, "lytro", mirror="https://mirror.example/fusion")
    'https://mirror.example/fusion/lytro/lytro-01-A.jpg'
    >>> file_url(entry, "lytro", mirror=None).startswith("https://raw.githubusercontent.com/")
    True
"""

from __future__ import annotations

import http.client
import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlparse

import bench
from bench.datasets.locate import resolve_data_dir
from bench.datasets.manifest import (
    ChecksumError,
    FileEntry,
    Manifest,
    is_verified,
    load_manifest,
    sha256_file,
    verify_file,
)
from bench.errors import DataError

log = logging.getLogger(__name__)

ENV_MIRROR = "FUSEBENCH_MIRROR"
CHUNK = 1 << 16
_TRANSIENT = (
    http.client.IncompleteRead,
    http.client.RemoteDisconnected,
    ConnectionError,
    socket.timeout,
    TimeoutError,
)


class OfflineError(DataError):
    """The download host cannot be reached at all."""


class _ShortRead(Exception):
    pass


def _open(url: str, offset: int, timeout: float):
    headers = {"User-Agent": f"fusebench/{bench.__version__}"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    return urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)


def _stream_once(url: str, part: Path, expected_size: int | None, timeout: float, on_bytes) -> None:
    """One request: append to (or restart) ``part``; raise ``_ShortRead`` if the body is cut."""
    offset = part.stat().st_size if part.exists() else 0
    if expected_size is not None and offset >= expected_size:
        if offset == expected_size:
            return
        part.unlink()
        offset = 0
    try:
        resp = _open(url, offset, timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # range beyond the end: start again
            part.unlink()
            raise _ShortRead("range not satisfiable") from None
        raise
    with resp:
        resumed = offset and resp.status == 206
        if offset and not resumed:
            on_bytes(-offset)
            offset = 0
        length = resp.headers.get("Content-Length")
        want = offset + int(length) if length is not None else expected_size
        with open(part, "ab" if resumed else "wb") as fh:
            got = offset
            while block := resp.read(CHUNK):
                fh.write(block)
                got += len(block)
                on_bytes(len(block))
    if want is not None and got < want:
        raise _ShortRead(f"connection closed after {got} of {want} bytes")


def download_file(
    url: str,
    dest: str | os.PathLike,
    sha256: str,
    *,
    size: int | None = None,
    retries: int = 4,
    timeout: float = 30.0,
    backoff: float = 1.0,
    on_bytes=lambda n: None,
) -> Path:
    """Download ``url`` to ``dest`` with resume/retry and a sha256 check; return ``dest``.

    Raises :class:`ChecksumError` (naming the file, expected and actual hash)
    if the content is wrong twice, :class:`OfflineError` if the host is
    unreachable, :class:`DataError` for HTTP errors such as 404.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    bad_hashes = 0
    attempt = 0
    while True:
        try:
            _stream_once(url, part, size, timeout, on_bytes)
            actual = sha256_file(part)
            if actual == sha256.lower():
                os.replace(part, dest)
                return dest
            part.unlink()
            bad_hashes += 1
            if bad_hashes >= 2:
                raise ChecksumError(
                    f"{dest}: downloaded from {url}, sha256 mismatch (expected {sha256.lower()}, "
                    f"actual {actual}); the server sends different bytes than the manifest records"
                )
            log.warning("%s: sha256 mismatch, downloading again", dest)
            continue
        except urllib.error.HTTPError as exc:
            if exc.code not in (408, 429, 500, 502, 503, 504) or attempt >= retries:
                raise DataError(
                    f"{dest}: download of {url} failed: HTTP {exc.code} {exc.reason}"
                ) from None
            reason = f"HTTP {exc.code}"
        except urllib.error.URLError as exc:
            # cannot connect at all (DNS, refused, no route): one quick retry, then report offline
            if attempt >= min(retries, 1):
                host = urlparse(url).netloc
                raise OfflineError(f"cannot reach {host} for {url} ({exc.reason})") from None
            reason = str(exc.reason)
        except (_ShortRead, *_TRANSIENT) as exc:
            if attempt >= retries:
                raise DataError(
                    f"{dest}: download of {url} kept failing after {retries} retries ({exc})"
                ) from None
            reason = str(exc) or type(exc).__name__
        attempt += 1
        log.info("%s: %s; retry %d/%d (resuming)", dest.name, reason, attempt, retries)
        time.sleep(backoff * 2 ** (attempt - 1))


@dataclass
class FetchReport:
    dataset: str
    root: Path
    downloaded: int = 0
    present: int = 0
    bytes: int = 0
    skipped: list[str] = field(default_factory=list)  # files with no URL (derived)

    def __str__(self) -> str:
        s = (
            f"{self.dataset}: {self.downloaded} file(s) downloaded ({self.bytes / 1e6:.1f} MB), "
            f"{self.present} already present and verified, in {self.root}"
        )
        if self.skipped:
            s += (
                f"; {len(self.skipped)} derived file(s) have no upstream URL (e.g. {self.skipped[0]}): "
                f"fetch them from a mirror (--mirror) or copy them by hand"
            )
        return s


def file_url(entry: FileEntry, dataset: str, mirror: str | None) -> str | None:
    """``<mirror>/<dataset>/<path>`` when a mirror is given, else the manifest URL (may be None)."""
    if mirror:
        return f"{mirror.rstrip('/')}/{quote(dataset)}/{quote(entry.path)}"
    return entry.url


def offline_help(manifest: Manifest, root: Path) -> str:
    example = manifest.files[0].path if manifest.files else "..."
    return (
        f"To install {manifest.name!r} by hand, download the files listed (with URLs and sha256) in "
        f"{manifest.origin} (source: {manifest.homepage}) and put them under {root}/ keeping their "
        f"relative paths (e.g. {root / example}); or point --data-dir / FUSEBENCH_DATA at a folder "
        f"that already holds {manifest.name}/. `python -m bench datasets show {manifest.name} --verify` then checks them."
    )


def fetch_dataset(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    mirror: str | None = None,
    groups: list[str] | None = None,
    jobs: int = 4,
    retries: int = 4,
    timeout: float = 30.0,
    backoff: float = 1.0,
    progress: bool = True,
) -> FetchReport:
    """Download the files of manifest ``name`` (optionally only ``groups``) under the data root.

    Every destination is confined to ``<data root>/<name>``: manifest paths
    with ``..`` or an absolute path are refused when the manifest is read, and
    a symlink leading out of the folder is refused before anything is written
    (:class:`DataError` naming the manifest and the entry).
    """
    manifest = load_manifest(name)
    root = resolve_data_dir(data_dir) / manifest.name
    mirror = mirror or os.environ.get(ENV_MIRROR) or None
    report = FetchReport(manifest.name, root)
    todo: list[tuple[FileEntry, str]] = []
    for entry in manifest.select(groups):
        dest = manifest.locate(root, entry.path)  # never outside the data root (symlinks too)
        manifest.locate(root, entry.path + ".part")
        if dest.is_file() and dest.stat().st_size == entry.size:
            try:
                verify_file(dest, entry.sha256)
                report.present += 1
                continue
            except ChecksumError:
                log.warning("%s: present but corrupt, downloading again", dest)
        url = file_url(entry, manifest.name, mirror)
        if url is None:
            report.skipped.append(entry.path)
        else:
            todo.append((entry, url))

    from tqdm import tqdm

    bar = tqdm(
        total=sum(e.size for e, _ in todo),
        unit="B",
        unit_scale=True,
        desc=f"fetch {manifest.name}",
        disable=not progress or not todo,
    )

    offline = threading.Event()

    def one(item: tuple[FileEntry, str]) -> int:
        if offline.is_set():
            return -1
        entry, url = item
        dest = manifest.locate(root, entry.path)  # again: a symlink may have appeared since
        try:
            download_file(
                url,
                dest,
                entry.sha256,
                size=entry.size,
                retries=retries,
                timeout=timeout,
                backoff=backoff,
                on_bytes=bar.update,
            )
        except OfflineError:
            offline.set()
            raise
        verify_file(dest, entry.sha256)  # records the verification (remembered-hash cache)
        return entry.size

    errors: list[str] = []
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            futures = [pool.submit(one, item) for item in todo]
            for fut in futures:
                try:
                    size = fut.result()
                    if size >= 0:
                        report.bytes += size
                        report.downloaded += 1
                except OfflineError as exc:
                    for f in futures:
                        f.cancel()
                    raise OfflineError(
                        f"{exc}. You appear to be offline. {offline_help(manifest, root)}"
                    ) from None
                except DataError as exc:
                    errors.append(str(exc))
    finally:
        bar.close()
    if errors:
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise DataError(
            f"fetch {manifest.name}: {len(errors)} of {len(todo)} file(s) failed: "
            + "; ".join(errors[:3])
            + more
        )
    return report


def check_present(name: str, data_dir=None, groups: list[str] | None = None) -> tuple[int, int]:
    """(files present with the right size, files expected): cheap, no hashing."""
    manifest = load_manifest(name)
    root = resolve_data_dir(data_dir) / manifest.name
    entries = manifest.select(groups)
    ok = 0
    for e in entries:
        p = manifest.locate(root, e.path)
        try:
            ok += p.stat().st_size == e.size
        except OSError:
            pass
    return ok, len(entries)


__all__ = [
    "OfflineError",
    "FetchReport",
    "download_file",
    "fetch_dataset",
    "check_present",
    "file_url",
    "is_verified",
]
