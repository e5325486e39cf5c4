"""Published model weights and dictionaries: one way to find, verify and download them.

A method that runs on its authors' released file (IFCNN's state dicts, Liu
2017's ``cnnmodel.mat``, SESF-Fuse's parameters, ...) declares it once as a
:class:`PublishedFile` (relative path, sha256, size, source repository @ commit
and path) and calls :func:`locate`. The file is looked for, in order:

1. ``path``: an explicit path given by the user (a method parameter);
2. ``$<env>``: the file's own environment variable (e.g. ``FUSEBENCH_IFCNN_MAX``);
3. ``$FUSEBENCH_WEIGHTS/<relpath>``: a folder laid out like ``../shared/weights``;
4. ``<cache>/weights/<relpath>`` with ``<cache>`` = ``$FUSEBENCH_CACHE`` or
   ``$XDG_CACHE_HOME/fusebench`` or ``~/.cache/fusebench``;
5. a download of the raw GitHub URL into that cache
   (:func:`bench.datasets.download.download_file`: resume, retry, sha256 check,
   atomic rename), unless ``download=False`` or ``$FUSEBENCH_OFFLINE`` is set.

Every file found is checked against its sha256 (cached per path, size and
mtime); a wrong file is refused with a :class:`WeightsError` naming it. When
the file cannot be found or fetched, the error names the file, the
environment variable, the folder and the URL.

    >>> spec = PublishedFile("demo/w.bin", "0" * 64, 3, "owner/repo", "c" * 40, "w.bin",
    ...                      env="FUSEBENCH_DEMO_W", method="demo")
    >>> spec.url
    'https://raw.githubusercontent.com/owner/repo/cccccccccccccccccccccccccccccccccccccccc/w.bin'
    >>> try:
    ...     locate(spec, download=False)
    ... except WeightsError as exc:
    ...     print(str(exc)[:45])
    method 'demo' needs demo/w.bin (3 bytes, from
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from bench.errors import FusebenchError

ENV_DIR = "FUSEBENCH_WEIGHTS"
ENV_OFFLINE = "FUSEBENCH_OFFLINE"

_VERIFIED: dict[tuple[str, int, int], str] = {}
_LOCK = threading.Lock()


class WeightsError(FusebenchError):
    """A weights file is missing, cannot be downloaded, has the wrong hash or does not fit."""


@dataclass(frozen=True)
class PublishedFile:
    """One released file: where it lives upstream and what it must hash to."""

    relpath: str  # path under the weights folder, e.g. "ifcnn/IFCNN-MAX.pth"
    sha256: str
    size: int
    repo: str  # "owner/name" on GitHub
    commit: str
    source_path: str  # path inside the repository
    env: str  # environment variable holding a path to this file
    method: str  # the method that needs it (for messages)

    @property
    def url(self) -> str:
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{self.source_path}"


_DECLARED: dict[str, PublishedFile] = {}


def declare(relpath: str, sha256: str, size: int, source: str, *, env: str, method: str) -> PublishedFile:
    """Declare a released file (``source`` = ``"owner/repo@commit:path"``) and record it.

    :func:`declared` lists every file declared so far (the methods' modules declare theirs
    at import), so tests can check them against the weights folder's manifests.
    """
    repo, rest = source.split("@", 1)
    commit, source_path = rest.split(":", 1)
    spec = PublishedFile(relpath, sha256.lower(), int(size), repo, commit, source_path, env, method)
    _DECLARED[relpath] = spec
    return spec


def declared() -> list[PublishedFile]:
    """Every file declared with :func:`declare`, sorted by path."""
    return [_DECLARED[k] for k in sorted(_DECLARED)]


def cache_dir() -> Path:
    """``$FUSEBENCH_CACHE/weights`` (default ``~/.cache/fusebench/weights``)."""
    env = os.environ.get("FUSEBENCH_CACHE")
    if env:
        base = Path(env).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "fusebench"
    return base / "weights"


def sha256_of(path: str | os.PathLike) -> str:
    """Hex sha256 of a file, remembered per (path, size, mtime)."""
    p = Path(path)
    st = p.stat()
    key = (str(p.resolve()), st.st_size, st.st_mtime_ns)
    with _LOCK:
        if key in _VERIFIED:
            return _VERIFIED[key]
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        while block := fh.read(1 << 20):
            h.update(block)
    digest = h.hexdigest()
    with _LOCK:
        _VERIFIED[key] = digest
    return digest


def verify(spec: PublishedFile, path: str | os.PathLike, origin: str = "") -> Path:
    """``path`` if its sha256 is the published one; else :class:`WeightsError` naming it."""
    p = Path(path)
    digest = sha256_of(p)
    if digest != spec.sha256.lower():
        where = f" ({origin})" if origin else ""
        raise WeightsError(
            f"method {spec.method!r}: {p}{where} is not the published {spec.relpath}: sha256 "
            f"{digest[:16]}…, expected {spec.sha256[:16]}… (source {spec.repo} @ "
            f"{spec.commit[:8]}, {spec.source_path}); replace it with the file from {spec.url}"
        )
    return p


def candidates(spec: PublishedFile, path: str | os.PathLike | None = None) -> list[tuple[Path, str]]:
    """Where :func:`locate` looks, in order, as (path, origin) pairs."""
    out: list[tuple[Path, str]] = []
    if path:
        out.append((Path(path).expanduser(), "given path"))
    if os.environ.get(spec.env):
        out.append((Path(os.environ[spec.env]).expanduser(), f"${spec.env}"))
    if os.environ.get(ENV_DIR):
        out.append((Path(os.environ[ENV_DIR]).expanduser() / spec.relpath, f"${ENV_DIR}"))
    out.append((cache_dir() / spec.relpath, "cache"))
    return out


def how_to_provide(spec: PublishedFile) -> str:
    return (
        f"Provide it by setting {spec.env}=PATH, or {ENV_DIR}=DIR holding {spec.relpath}, or "
        f"copying it to {cache_dir() / spec.relpath}; it is downloaded from {spec.url} "
        f"(sha256 {spec.sha256}) when the network allows."
    )


def locate(spec: PublishedFile, path: str | os.PathLike | None = None, *,
           download: bool | None = None) -> Path:
    """The verified local copy of ``spec`` (see the module docstring for the search order).

    An explicit ``path`` or ``$env`` that does not exist is an error (a typo should
    not silently fall back to another copy). ``download``: None = unless
    ``$FUSEBENCH_OFFLINE`` is set.
    """
    for cand, origin in candidates(spec, path):
        if cand.is_file():
            return verify(spec, cand, origin)
        if origin in ("given path", f"${spec.env}"):
            raise WeightsError(f"method {spec.method!r}: weights file {cand} ({origin}) not found")
    if download is None:
        download = not os.environ.get(ENV_OFFLINE)
    head = f"method {spec.method!r} needs {spec.relpath} ({spec.size} bytes, from {spec.repo})"
    if not download:
        return _missing(spec, f"{head}, which is not here and downloads are off. ")
    from bench.datasets.download import download_file
    from bench.errors import DataError

    dest = cache_dir() / spec.relpath
    try:
        download_file(spec.url, dest, spec.sha256, size=spec.size, retries=2, timeout=30.0)
    except DataError as exc:  # offline, HTTP error, checksum mismatch
        return _missing(spec, f"{head}; it is not here and the download failed ({exc}). ")
    return verify(spec, dest, "downloaded")


def _missing(spec: PublishedFile, msg: str) -> Path:
    raise WeightsError(msg + how_to_provide(spec))


__all__ = [
    "ENV_DIR", "PublishedFile", "WeightsError", "cache_dir", "declare", "declared", "locate",
    "sha256_of", "verify",
]
