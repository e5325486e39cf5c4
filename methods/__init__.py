"""Fusion method plugins.

    >>> import methods
    >>> methods.list_methods("average,max-abs")
    ['average', 'max-abs']
    >>> import numpy as np
    >>> a, b = np.zeros((4, 4)), np.full((4, 4), 10.0)
    >>> float(methods.get_method("average").fuse(a, b).image.mean())
    5.0
    >>> methods.list_methods(group="paper")[:3], methods.published_name("lp-sr", "mfifb")
    (['asr', 'csr', 'dwt'], 'MST_SR')
    >>> "tlnet" in methods.list_methods(task="medical")
    False

Discovery is lazy: ``import methods`` (or ``methods.base`` or a helper
module) imports no plugin, so neither pywt nor torch. The first lookup in
``METHODS`` (``get_method``, ``list_methods``, ``METHODS.names()``,
``in``, iteration) imports every public module (or subpackage) of this
package, so its methods register, then the plugins advertised under the
entry-point group ``fusebench.methods``. The rule for which modules are
imported: every module whose name does not start with ``_``, except the
infrastructure below (``base``, ``plugins``, ``testing``); helper modules
(filters, pyramids, colour, ...) are imported too and simply register
nothing. Listing order is by module name, then registration order inside a
module, whatever was imported first.
"""

from bench.registry import discover_submodules, module_order
from methods.base import (
    METHODS,
    FusionMethod,
    FusionResult,
    get_method,
    list_methods,
    method_groups,
    published_name,
    register_method,
)

#: Modules of this package that are infrastructure, not plugins (never imported by discovery).
NOT_PLUGINS = frozenset({"base", "plugins", "testing"})

METHODS.add_discovery(discover_submodules(__name__, exclude=NOT_PLUGINS))
METHODS.order = module_order(__name__)

__all__ = [
    "METHODS",
    "FusionMethod",
    "FusionResult",
    "get_method",
    "list_methods",
    "method_groups",
    "published_name",
    "register_method",
]
