"""Edge-transfer metrics: how much of the sources' gradient (edge) information F keeps, loses or adds (qabf, qabf-petrovic, qlabf, qnabf, qnabf-petrovic, qg)."""

from bench.registry import import_submodules

import_submodules(__name__)
