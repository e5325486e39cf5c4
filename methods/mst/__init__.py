"""The MST / MST-SR family of Liu, Liu & Wang 2015: transforms, rules, SR low-pass, methods.

Modules: :mod:`.lp`, :mod:`.rp`, :mod:`.dwt`, :mod:`.dtcwt`, :mod:`.nsct`, :mod:`.cvt` (transforms, each ``forward`` /
``inverse``), :mod:`.rules` (high-pass and averaging rules), :mod:`.sr` (the
sparse-representation low-pass rule and its dictionary), :mod:`.fusion` (the
registered methods ``lp-mst``, ``lp-sr`` (alias ``mstsr``), ``rp-mst``,
``rp-sr``, ``dwt-mst``, ``dwt-sr``, ``dtcwt-mst``, ``dtcwt-sr``, ``nsct-mst``, ``nsct-sr``,
``cvt-mst``, ``cvt-sr``). Importing the package registers them.
"""

from methods.mst import fusion  # noqa: F401  (registers the methods)
