"""Per-image features shared by the metrics of one scoring session.

Many metrics start from the same intermediate images: BT.601 luma, integer
grey levels, Sobel strength and orientation, the VIFB/MEFB per-channel
views. :func:`memo` computes ``fn(*images, **params)`` once per session and
hands every later caller the same result, so scoring the paper's five
indices reduces each source to luma once, and scoring every method of a pair
(:func:`shared_features` around the loop) computes the sources' features
once per pair. Outside a session :func:`memo` simply calls ``fn``: the
metrics stay pure functions and the values are the same either way (the
cached value *is* the value ``fn`` returns).

Keys are the image's identity: its memory (data address, shape, strides,
dtype), so a channel view ``x[..., k]`` made twice is the same image. The
session keeps a reference to every keyed image, so no address is reused
while it is open. Images must not be modified in place while a session is
open (the runner's arrays are read-only).

Entries remember the *root* images they derive from (a channel of the fused
image, its luma, its Sobel maps all have the fused image as root);
:meth:`FeatureCache.keep_only` drops everything not derived from the given
images, which is how the runner keeps a pair's source features while
forgetting each method's fused image after scoring it.

    >>> import numpy as np
    >>> calls = []
    >>> def double(x):
    ...     calls.append(1)
    ...     return 2.0 * x
    >>> x = np.arange(4.0)
    >>> with shared_features() as fc:
    ...     y1, y2 = memo(double, x), memo(double, x)
    >>> y1 is y2, len(calls)
    (True, 1)
    >>> _ = memo(double, x); len(calls)   # no session: computed again
    2
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

_ACTIVE: contextvars.ContextVar[FeatureCache | None] = contextvars.ContextVar(
    "fusebench_feature_cache", default=None
)


def image_key(x: np.ndarray) -> tuple:
    """Identity of an image's pixels: (data address, shape, strides, dtype)."""
    return (x.__array_interface__["data"][0], x.shape, x.strides, x.dtype.str)


def _arrays(value: Any) -> list[np.ndarray]:
    if isinstance(value, np.ndarray):
        return [value]
    if isinstance(value, tuple):
        return [v for v in value if isinstance(v, np.ndarray)]
    return []


class FeatureCache:
    """Results of :func:`memo` for one scoring session (see the module docstring)."""

    def __init__(self) -> None:
        self._entries: dict[tuple, tuple[Any, frozenset, tuple]] = {}
        self._roots: dict[tuple, tuple] = {}  # image key -> key of the image it derives from
        self._kept: set[tuple] = set()  # roots that outlived a keep_only: shared by several triples
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def root(self, x: np.ndarray) -> tuple:
        k = image_key(x)
        return self._roots.get(k, k)

    def get(self, fn: Callable, images: tuple[np.ndarray, ...], params: dict) -> Any:
        keys = tuple(image_key(x) for x in images)
        key = (fn.__module__, fn.__qualname__, keys, tuple(sorted(params.items())))
        hit = self._entries.get(key)
        if hit is not None:
            self.hits += 1
            return hit[0]
        self.misses += 1
        value = fn(*images, **params)
        roots = frozenset(self._roots.get(k, k) for k in keys)
        if len(roots) == 1:
            (root,) = roots
            for arr in _arrays(value):
                self._roots.setdefault(image_key(arr), root)
        # the images (and the value's arrays) stay referenced: their addresses stay theirs
        self._entries[key] = (value, roots, images)
        return value

    def keep_only(self, *images: np.ndarray | None) -> None:
        """Forget every entry that does not derive from ``images`` alone."""
        keep = {self.root(x) for x in images if x is not None}
        self._kept = keep
        self._entries = {k: e for k, e in self._entries.items() if e[1] <= keep}
        self._roots = {k: r for k, r in self._roots.items() if r in keep}

    def clear(self) -> None:
        self._entries.clear()
        self._roots.clear()
        self._kept.clear()

    def shared(self, x: np.ndarray) -> bool:
        """True when ``x`` derives from an image kept by the last :meth:`keep_only`.

        Such an image (a pair's source, as the runner and :func:`metrics.compute_many`
        keep them between fused images) is scored with several fused images, so
        per-image maps of it are worth keeping; the fused kernels otherwise
        compute everything on the fly.
        """
        return self.root(x) in self._kept


def active() -> FeatureCache | None:
    """The session's cache, or None outside :func:`shared_features`."""
    return _ACTIVE.get()


@contextlib.contextmanager
def shared_features(cache: FeatureCache | None = None) -> Iterator[FeatureCache]:
    """Open a scoring session: :func:`memo` results are shared until it closes.

    Nested sessions reuse the outer one's cache unless ``cache`` is given.
    """
    if cache is None:
        cache = _ACTIVE.get()
    if cache is None:
        cache = FeatureCache()
    token = _ACTIVE.set(cache)
    try:
        yield cache
    finally:
        _ACTIVE.reset(token)


def shared(*images: np.ndarray) -> bool:
    """True inside a session when every image is kept across fused images (:meth:`FeatureCache.shared`)."""
    cache = _ACTIVE.get()
    return cache is not None and all(cache.shared(x) for x in images)


def memo(fn: Callable, *images: np.ndarray, **params) -> Any:
    """``fn(*images, **params)``, computed once per session for the same images and params.

    ``fn`` must be a pure function of its arguments (module-level, so its
    name identifies it); ``params`` must be hashable.
    """
    cache = _ACTIVE.get()
    if cache is None:
        return fn(*images, **params)
    return cache.get(fn, images, params)
