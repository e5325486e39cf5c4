"""Loading third-party method plugins that are not installed packages.

``load_plugin_file("my_method.py")`` imports a single file under a private
module name; its ``@register_method`` classes register as it runs.

:func:`source_digest` is what the runner adds to a method's cache key for code that is
neither part of fusebench nor an installed package (a ``--plugin`` file, a module on
``PYTHONPATH``): the sha256 of its source file, so editing such a file recomputes its
results even when ``version`` was not bumped. Built-in and installed methods are keyed
by their declared ``version`` only.

    >>> import methods
    >>> source_digest(methods.METHODS.get("average")) is None
    True
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
import sysconfig
from pathlib import Path

from bench.errors import FusebenchError


def load_plugin_file(path: str) -> list[str]:
    """Import a plugin file; return the names of the methods it registered."""
    from methods.base import METHODS

    p = Path(path).resolve()
    if not p.is_file():
        raise FusebenchError(f"plugin file {path}: not found")
    METHODS.discover()  # built-ins first (discovery is lazy): a plugin reusing a name fails here
    before = set(METHODS._items)
    modname = "fusebench_plugin_" + hashlib.sha1(str(p).encode()).hexdigest()[:12]
    if modname in sys.modules:
        return [n for n, c in METHODS.items() if getattr(c, "__module__", None) == modname]
    spec = importlib.util.spec_from_file_location(modname, p)
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[modname]
        raise FusebenchError(f"plugin file {path} failed to import: {type(exc).__name__}: {exc}") from exc
    return sorted(set(METHODS._items) - before)


def _installed_roots() -> list[Path]:
    import methods

    roots = {Path(methods.__file__).resolve().parent}
    for key in ("purelib", "platlib", "stdlib"):
        with_key = sysconfig.get_paths().get(key)
        if with_key:
            roots.add(Path(with_key).resolve())
    roots.update(Path(p).resolve() for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    return sorted(roots)


def source_digest(cls: type) -> str | None:
    """sha256 (16 hex) of the file defining method class ``cls`` when that file is plugin
    code (not under fusebench's ``methods`` package nor an installed package); else None."""
    try:
        src = inspect.getsourcefile(cls)
    except TypeError:
        return None
    if not src:
        return None
    path = Path(src).resolve()
    if any(path.is_relative_to(root) for root in _installed_roots()) or not path.is_file():
        return None
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
