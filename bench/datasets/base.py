"""Pair and Dataset types and the dataset registry.

A :class:`Pair` knows how to load its images but does not decode them until
``pair.a`` / ``pair.b`` is read, so listing pairs is cheap.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bench.errors import DataError
from bench.registry import Registry, import_submodules

MODALITIES = ("multi-focus", "ir-visible", "medical")
#: Other spellings accepted in user input (``--task``, ``modality=``) for the tasks above.
TASK_ALIASES = {"ir-vis": "ir-visible", "irvis": "ir-visible", "ir": "ir-visible",
                "visible-infrared": "ir-visible", "mf": "multi-focus", "multifocus": "multi-focus"}


def canonical_task(task: str) -> str:
    """The canonical task (modality) name for user input ``task``; aliases such as
    ``ir-vis`` are accepted, anything else is a :class:`DataError` listing the tasks.

    >>> canonical_task("ir-vis"), canonical_task("Medical")
    ('ir-visible', 'medical')
    """
    key = str(task).strip().lower()
    key = TASK_ALIASES.get(key, key)
    if key not in MODALITIES:
        raise DataError(
            f"unknown task {task!r} (tasks: {', '.join(MODALITIES)}; also accepted: "
            f"{', '.join(TASK_ALIASES)})"
        )
    return key


@dataclass(eq=False)
class Pair:
    """Two source images (and optional ground truth) of one scene.

    ``load_a`` / ``load_b`` / ``load_ground_truth`` / ``load_mask`` are
    zero-argument callables returning float64 arrays (0..255 for images, 0..1
    for the mask: 1 where source A is in focus). ``content_hash`` is a stable
    hex digest of the pair's content (used in cache keys). ``load_more`` holds
    loaders of further sources (C, D, ...) of multi-source sets such as
    ``lytro-triple``; ``pair.sources`` returns all of them, A and B first.
    ``meta`` carries cheap facts known without decoding (``width``,
    ``height``, ``mode``, ``files`` ...).
    """

    id: str
    modality: str
    load_a: Callable[[], np.ndarray]
    load_b: Callable[[], np.ndarray]
    load_ground_truth: Callable[[], np.ndarray] | None = None
    load_mask: Callable[[], np.ndarray] | None = None
    hash_fn: Callable[[], str] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    load_more: tuple[Callable[[], np.ndarray], ...] = ()

    @property
    def a(self) -> np.ndarray:
        return self.load_a()

    @property
    def b(self) -> np.ndarray:
        return self.load_b()

    @property
    def ground_truth(self) -> np.ndarray | None:
        return self.load_ground_truth() if self.load_ground_truth else None

    @property
    def mask(self) -> np.ndarray | None:
        return self.load_mask() if self.load_mask else None

    @property
    def sources(self) -> list[np.ndarray]:
        """All source images: ``[a, b, *more]``."""
        return [self.a, self.b, *(f() for f in self.load_more)]

    @property
    def n_sources(self) -> int:
        return 2 + len(self.load_more)

    @property
    def has_ground_truth(self) -> bool:
        return self.load_ground_truth is not None

    @property
    def has_mask(self) -> bool:
        return self.load_mask is not None

    def content_hash(self) -> str:
        """Digest of everything a result depends on: A, B, further sources, ground truth
        and mask. ``hash_fn`` (cheap: file bytes, manifest sha256, a recipe) must cover
        all of them; without it the decoded arrays are hashed, each tagged with its role.

        >>> z = np.zeros((2, 2))
        >>> p = Pair("p", "multi-focus", lambda: z, lambda: z)
        >>> q = Pair("p", "multi-focus", lambda: z, lambda: z, load_ground_truth=lambda: z)
        >>> p.content_hash() != q.content_hash()
        True
        """
        if self.hash_fn is not None:
            return self.hash_fn()
        h = hashlib.sha256()
        roles = [("A", self.load_a), ("B", self.load_b),
                 *((f"more{i}", f) for i, f in enumerate(self.load_more)),
                 ("GT", self.load_ground_truth), ("mask", self.load_mask)]
        for role, load in roles:
            if load is None:
                continue
            arr = np.asarray(load())
            h.update(f"{role}:{arr.dtype.str}:{arr.shape}:".encode())
            h.update(np.ascontiguousarray(arr).tobytes())
        return h.hexdigest()


def files_hash(files: dict[str, str | None], extra: str = "") -> str:
    """Content hash of a pair read from files: each role's file bytes, tagged with the
    role (``a``, ``b``, ``ground_truth``, ``mask``, ``more1`` ...), plus ``extra`` (a crop).
    The files are read every time (no size/mtime shortcut)."""
    h = hashlib.sha256()
    for role in sorted(files):
        path = files[role]
        if path is None:
            continue
        with open(path, "rb") as fh:
            digest = hashlib.file_digest(fh, "sha256").hexdigest()
        h.update(f"{role}:{digest}\n".encode())
    h.update(extra.encode())
    return h.hexdigest()


class Dataset:
    """An ordered collection of pairs with lookup by id."""

    def __init__(
        self,
        name: str,
        pairs: list[Pair],
        *,
        modality: str = "multi-focus",
        citation: str = "",
        location: str = "",
        description: str = "",
    ):
        self.name = name
        self.pairs = list(pairs)
        self.modality = modality
        self.citation = citation
        self.location = location
        self.description = description
        self._index = {p.id: p for p in self.pairs}

    def __len__(self) -> int:
        return len(self.pairs)

    def __iter__(self) -> Iterator[Pair]:
        return iter(self.pairs)

    def __getitem__(self, key: str | int) -> Pair:
        if isinstance(key, int):
            return self.pairs[key]
        try:
            return self._index[key]
        except KeyError:
            raise DataError(f"dataset {self.name!r} has no pair {key!r}") from None

    def ids(self) -> list[str]:
        return [p.id for p in self.pairs]

    def head(self, n: int) -> Dataset:
        """The same dataset limited to its first ``n`` pairs (``bench run --count``).

        >>> z = np.zeros((2, 2))
        >>> ds = Dataset("d", [Pair(f"p{i}", "medical", lambda: z, lambda: z) for i in range(3)])
        >>> ds.head(2).ids(), ds.head(2).modality
        (['p0', 'p1'], 'multi-focus')
        """
        if n < 1:
            raise DataError(f"--count {n}: expected at least one pair")
        return Dataset(self.name, self.pairs[:n], modality=self.modality, citation=self.citation,
                       location=self.location, description=self.description)

    @property
    def has_ground_truth(self) -> bool:
        return any(p.has_ground_truth for p in self.pairs)

    @property
    def modalities(self) -> tuple[str, ...]:
        """The tasks of its pairs, in order of first appearance (the dataset's own
        ``modality`` when it has no pairs)."""
        return tuple(dict.fromkeys(p.modality for p in self.pairs)) or (self.modality,)

    def __repr__(self) -> str:
        return f"Dataset({self.name!r}, {len(self)} pairs)"


# Factory signature: factory(arg: str | None, data_dir: str | None, **options) -> Dataset
DATASETS: Registry[Callable[..., Dataset]] = Registry("dataset")


def register_dataset(name: str):
    """Decorator for a dataset factory ``f(arg, data_dir, **options) -> Dataset``."""
    return DATASETS.register(name)


def list_datasets() -> list[str]:
    _ensure_builtin()
    return DATASETS.names("*")


def load_dataset(name: str, data_dir: str | None = None, **options) -> Dataset:
    """Load dataset ``name`` (``"lytro"``, ``"mfifb:lytro"``, ``"folder:PATH"``, ...)."""
    _ensure_builtin()
    base, _, arg = name.partition(":")
    factory = DATASETS.get(base)
    return factory(arg or None, data_dir, **options)


def _ensure_builtin() -> None:
    import_submodules("bench.datasets", exclude={"base"})
