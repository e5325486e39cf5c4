"""Saving and loading training checkpoints safely.

``torch.load`` unpickles: with ``weights_only=False`` a checkpoint planted in
``--out`` (or downloaded) runs arbitrary code when a run resumes. Every
checkpoint here is therefore loaded with ``weights_only=True``, which accepts
only tensors and plain Python values (dicts, lists, tuples, numbers,
strings, booleans, ``None``), so checkpoints must hold only those: numpy RNG
state is a dict of ints already, and configs are stored as ``asdict`` dicts.
A file holding anything else is refused with a :class:`CheckpointError`
naming it.

    >>> import tempfile
    >>> import torch
    >>> path = Path(tempfile.mkdtemp()) / "last.pt"
    >>> save_training_state({"epoch": 3, "w": torch.ones(2)}, path)
    >>> load_training_state(path)["epoch"]
    3
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from bench.errors import CheckpointError


def save_training_state(obj: dict, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it into place (atomic)."""
    import torch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        torch.save(obj, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def load_training_state(path: str | os.PathLike) -> dict:
    """``torch.load(path, weights_only=True)`` on the CPU; refuses anything but plain data.

    Raises :class:`CheckpointError` naming the file when it holds other
    objects (a pickled class or function: possibly planted code), is not a
    torch checkpoint, or is truncated.
    """
    import torch

    path = Path(path)
    try:
        ck = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise CheckpointError(
            f"{path}: refused to load: the checkpoint holds objects other than tensors and plain "
            f"Python values, and loading it could run code (weights_only=True). Delete it or "
            f"train into another --out if you did not write it ({detail})"
        ) from None
    except (OSError, RuntimeError, EOFError, ValueError) as exc:
        raise CheckpointError(f"{path}: not a readable torch checkpoint ({exc})") from None
    if not isinstance(ck, dict):
        raise CheckpointError(f"{path}: expected a checkpoint dict, found {type(ck).__name__}")
    return ck
