"""A small name -> object registry in the style of timm's model registry.

Both ``methods`` and ``metrics`` build on it::

    >>> reg = Registry("widget")
    >>> @reg.register("blue-widget")
    ... def make_blue(): ...
    >>> reg.names("blue*")
    ['blue-widget']

Names are lower-case and stable (results tables and caches use them).
``names()`` accepts shell-style wildcards and comma-separated lists.
An *alias* is a second name for a registered object (an old name kept
working): ``get``, ``in`` and an exact ``names()`` entry resolve it, while
listings and wildcards show only canonical names::

    >>> reg.add_alias("bluey", "blue-widget")
    >>> reg.names("bluey"), reg.canonical("bluey"), reg.aliases_of("blue-widget")
    (['blue-widget'], 'blue-widget', ['bluey'])

Third-party objects register through a ``importlib.metadata`` entry-point
group: loading the entry point imports the module, whose decorators register.

Discovery is lazy: a registry can be given discovery callables (for example
"import every module of this package", :func:`discover_submodules`) that
run once, on the first lookup (``get``, ``names``, ``in``, iteration,
``len``, ``items``), together with the entry points. Importing a package
that owns a registry therefore stays cheap (``import methods`` loads no
plugin, no pywt, no torch) until a name is looked up::

    >>> calls = []
    >>> lazy = Registry("gadget", discover=lambda: calls.append(1) or lazy.add("g1", 1))
    >>> calls
    []
    >>> lazy.names(), lazy.names(), calls
    (['g1'], ['g1'], [1])
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import importlib.metadata
import pkgutil
import re
import threading
import warnings
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from bench.errors import RegistrationError, RegistryError

T = TypeVar("T")

_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_.+-]*$")


class Registry(Generic[T]):
    """Ordered mapping of stable lower-case names to registered objects."""

    def __init__(
        self,
        kind: str,
        entry_point_group: str | None = None,
        discover: Callable[[], object] | None = None,
        order: Callable[[str, T], object] | None = None,
    ):
        self.kind = kind
        self.entry_point_group = entry_point_group
        self._items: dict[str, T] = {}
        self._aliases: dict[str, str] = {}
        self._entry_points_loaded = False
        self.entry_point_errors: dict[str, str] = {}
        self._discoverers: list[Callable[[], object]] = [discover] if discover else []
        self._discovered = not self._discoverers
        self._discovering = False
        self._lock = threading.RLock()
        #: After discovery, items are stably sorted by ``order(name, obj)`` (if given), so the
        #: listing order does not depend on which module happened to be imported first.
        self.order = order

    # -- lazy discovery -------------------------------------------------
    def add_discovery(self, fn: Callable[[], object]) -> None:
        """Run ``fn`` (which registers objects) once, before the next lookup."""
        with self._lock:
            self._discoverers.append(fn)
            self._discovered = False

    def discover(self) -> None:
        """Run the pending discovery callables and load the entry points (once; thread-safe).

        A lookup made while discovery runs (a plugin module looking up
        another at import time) sees what is registered so far. If a
        discovery callable raises, the error propagates and the next lookup
        tries again.
        """
        if self._discovered and self._entry_points_loaded:
            return
        with self._lock:
            if self._discovering:
                return
            self._discovering = True
            try:
                while not self._discovered:
                    pending, self._discoverers = self._discoverers, []
                    try:
                        while pending:
                            pending[0]()
                            pending.pop(0)
                    finally:  # on an error, what did not finish runs again at the next lookup
                        self._discoverers = pending + self._discoverers
                    self._discovered = not self._discoverers
                self.load_entry_points()
                if self.order is not None:
                    ranked = sorted(self._items.items(), key=lambda kv: self.order(*kv))
                    self._items = dict(ranked)
            finally:
                self._discovering = False

    # -- registration -------------------------------------------------
    def add(self, name: str, obj: T, *, replace: bool = False) -> T:
        if not _NAME_RE.match(name):
            raise RegistrationError(
                f"invalid {self.kind} name {name!r}: use lower-case letters, digits, '-', '_', '.'"
            )
        if name in self._items and not replace and self._items[name] is not obj:
            raise RegistrationError(f"{self.kind} {name!r} is already registered")
        self._items[name] = obj
        return obj

    def register(self, name: str, *, replace: bool = False) -> Callable[[T], T]:
        def deco(obj: T) -> T:
            return self.add(name, obj, replace=replace)

        return deco

    def add_alias(self, alias: str, name: str) -> None:
        """Make ``alias`` another name of ``name`` (an old name kept working)."""
        if not _NAME_RE.match(alias):
            raise RegistrationError(f"invalid {self.kind} alias {alias!r}")
        if alias in self._items or self._aliases.get(alias, name) != name:
            raise RegistrationError(f"{self.kind} alias {alias!r} is already taken")
        self._aliases[alias] = name

    def canonical(self, name: str) -> str:
        """The registered name behind ``name`` (itself unless it is an alias)."""
        key = name.strip().lower()
        return self._aliases.get(key, key)

    def aliases_of(self, name: str) -> list[str]:
        """The aliases that point at ``name``."""
        return [a for a, n in self._aliases.items() if n == name]

    def remove(self, name: str) -> None:
        self._items.pop(name, None)
        self._aliases = {a: n for a, n in self._aliases.items() if n != name}

    # -- lookup -------------------------------------------------------
    def load_entry_points(self) -> None:
        """Import every plugin advertised under the entry-point group (once).

        A plugin that fails to import is reported with a warning naming it and
        recorded in ``entry_point_errors``; the other plugins still load.
        """
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        if not self.entry_point_group:
            return
        for ep in importlib.metadata.entry_points(group=self.entry_point_group):
            try:
                loaded = ep.load()
            except Exception as exc:  # a broken plugin must not break the tool
                msg = f"{type(exc).__name__}: {exc}"
                self.entry_point_errors[ep.name] = msg
                warnings.warn(
                    f"{self.kind} plugin {ep.name!r} ({ep.value}) failed to load: {msg}",
                    stacklevel=2,
                )
                continue
            hook = getattr(loaded, "__fusebench_register__", None)
            if callable(hook):
                hook()

    def get(self, name: str) -> T:
        self.discover()
        key = self.canonical(name)
        try:
            return self._items[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(self._items), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise RegistryError(
                f"unknown {self.kind} {name!r}{hint} (known: {', '.join(self._items)})"
            ) from None

    def __contains__(self, name: object) -> bool:
        self.discover()
        return isinstance(name, str) and self.canonical(name) in self._items

    def __iter__(self):
        self.discover()
        return iter(list(self._items))

    def __len__(self) -> int:
        self.discover()
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        self.discover()
        return list(self._items.items())

    def names(self, pattern: str | Iterable[str] = "*", *, strict: bool = False) -> list[str]:
        """Registered names matching ``pattern``.

        ``pattern`` is a wildcard (``"q*"``), a comma-separated list
        (``"dwt,g*"``) or an iterable of those. Order follows registration
        order; duplicates are removed. With ``strict=True`` a plain name (no
        wildcard) that matches nothing raises ``RegistryError``.
        """
        self.discover()
        if isinstance(pattern, str):
            parts = [p.strip().lower() for p in pattern.split(",") if p.strip()]
        else:
            parts = [p.strip().lower() for p in pattern]
        out: list[str] = []
        for part in parts:
            hits = [n for n in self._items if fnmatch.fnmatchcase(n, part)]
            if not hits and self._aliases.get(part) in self._items:
                hits = [self._aliases[part]]
            if not hits and strict:
                if any(c in part for c in "*?["):
                    raise RegistryError(f"no {self.kind} matches {part!r}")
                self.get(part)  # raises with suggestions
            for h in hits:
                if h not in out:
                    out.append(h)
        return out


def import_submodules(package: str, exclude: Iterable[str] = ()) -> list:
    """Import every public submodule of ``package`` (sorted by name); return the modules.

    This is how built-in plugins register: a new metric family, method,
    dataset, validation target, trainer or subcommand is one new module file.
    Names starting with ``_`` and names in ``exclude`` are skipped.
    """
    pkg = importlib.import_module(package)
    skip = set(exclude)
    names = sorted(i.name for i in pkgutil.iter_modules(pkg.__path__))
    return [
        importlib.import_module(f"{package}.{name}")
        for name in names
        if not name.startswith("_") and name not in skip
    ]


def discover_submodules(package: str, exclude: Iterable[str] = ()) -> Callable[[], list]:
    """A discovery callable for :class:`Registry`: ``import_submodules(package, exclude)`` later.

    >>> fn = discover_submodules("bench.training")
    >>> "bench.training.checkpoint" in [m.__name__ for m in fn()]
    True
    """

    def discover() -> list:
        return import_submodules(package, exclude)

    discover.__qualname__ = f"discover_submodules({package!r})"
    return discover


def module_order(package: str) -> Callable[[str, object], int]:
    """An ``order`` for :class:`Registry`: rank objects by their module's place in ``package``.

    Built-in objects come in the order :func:`import_submodules` imports
    their modules (sorted by name), whatever was imported first; objects
    from elsewhere (entry points, plugin files) come after them.

    >>> rank = module_order("bench")
    >>> rank("a", Registry) == rank("b", module_order) < rank("c", object)
    True
    """
    pkg = importlib.import_module(package)
    names = sorted(i.name for i in pkgutil.iter_modules(pkg.__path__))
    rank = {name: i for i, name in enumerate(names)}
    prefix = package + "."

    def order(name: str, obj: object) -> int:
        module = getattr(obj, "__module__", None) or ""
        if not module.startswith(prefix):
            return len(rank)
        return rank.get(module[len(prefix):].split(".")[0], len(rank))

    return order
