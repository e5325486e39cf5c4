"""Where dataset files live: ``--data-dir``, then ``FUSEBENCH_DATA``, then a user cache dir.

The data root holds one folder per dataset, named as the dataset
(``<root>/lytro/``, ``<root>/mfifb/``, ...), with the layout its manifest
describes. The first of these that is given wins (no silent fallback, so
the same command always reads the same files):

1. an explicit ``data_dir`` argument (the CLI's ``--data-dir``);
2. the ``FUSEBENCH_DATA`` environment variable;
3. the user cache dir: ``$XDG_CACHE_HOME/fusebench/datasets`` (default
   ``~/.cache/fusebench/datasets``; ``%LOCALAPPDATA%\\fusebench\\datasets`` on
   Windows, ``~/Library/Caches/fusebench/datasets`` on macOS).

    >>> str(resolve_data_dir("/data/fusion"))
    '/data/fusion'
    >>> str(dataset_dir("lytro", "/data/fusion"))
    '/data/fusion/lytro'
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_DATA = "FUSEBENCH_DATA"


def user_cache_dir() -> Path:
    """Per-user cache root for fusebench (``~/.cache/fusebench`` on Linux)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "fusebench"


def resolve_data_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """The data root: ``data_dir`` if given, else ``$FUSEBENCH_DATA``, else the user cache."""
    if data_dir:
        return Path(data_dir).expanduser()
    env = os.environ.get(ENV_DATA)
    if env:
        return Path(env).expanduser()
    return user_cache_dir() / "datasets"


def data_dir_source(data_dir: str | os.PathLike | None = None) -> str:
    """Which rule chose the data root: ``"--data-dir"``, ``"FUSEBENCH_DATA"`` or ``"user cache"``."""
    if data_dir:
        return "--data-dir"
    if os.environ.get(ENV_DATA):
        return ENV_DATA
    return "user cache"


def dataset_dir(name: str, data_dir: str | os.PathLike | None = None) -> Path:
    """Folder of dataset ``name`` under the resolved data root."""
    return resolve_data_dir(data_dir) / name
