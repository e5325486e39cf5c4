"""The patch dictionary learned by fusebench for the MST-SR methods (``dictionary='learned'``).

The method once registered here as ``mstsr`` is now ``lp-sr`` (alias
``mstsr``) in :mod:`methods.mst`, with the authors' released dictionary by
default; this package keeps the dictionary learned here from natural images
(``dictionary.npz``, :mod:`methods.mstsr.dictionary`, ``MODEL_CARD.md``).

    >>> import methods
    >>> methods.get_method("mstsr").name
    'lp-sr'
"""
