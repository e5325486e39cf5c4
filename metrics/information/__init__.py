"""Information metrics from grey-level histograms and feature pdfs (en, ce, qmi, qnmi, qncie, te, fmi)."""

from bench.registry import import_submodules

import_submodules(__name__)
