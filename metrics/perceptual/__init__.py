"""Perceptual metrics: contrast sensitivity, visual information fidelity, phase congruency (qcb, qcv, viff, vifp, qp)."""

from bench.registry import import_submodules

import_submodules(__name__)
