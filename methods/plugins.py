"""Loading third-party method plugins that are not installed packages.

``load_plugin_file("my_method.py")`` imports a single file under a private
module name; its ``@register_method`` classes register as it runs.
"""

from __future__ import annotations

import hashlib
import importlib.util
import sys
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
