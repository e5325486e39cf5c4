"""Registry-wide contract test: every registered method, built-in or plugin.

A new method is covered the moment it registers. Inputs are crops of a real
Lytro pair (colour and grey, odd and tiny sizes, 8 and 16 bit); the checks
themselves live in :mod:`methods.testing` so plugin authors run the same.
"""

from __future__ import annotations

import pytest

import methods
from bench.io import read_image
from methods.testing import CHECKS

ALL = methods.list_methods("*")


@pytest.fixture(scope="module")
def real_pair(shared_datasets):
    a, _ = read_image(shared_datasets / "lytro" / "lytro-05-A.jpg")
    b, _ = read_image(shared_datasets / "lytro" / "lytro-05-B.jpg")
    return a, b


@pytest.mark.parametrize("check", list(CHECKS))
@pytest.mark.parametrize("name", ALL)
def test_contract(name, check, real_pair):
    CHECKS[check](name, *real_pair)


def test_example_pair_is_a_multifocus_pair():
    import numpy as np

    from methods.testing import example_pair

    a, b = example_pair()
    assert a.shape == b.shape == (420, 420, 3)
    # A is sharper on the left, B on the right
    def energy(x):
        return float(np.mean(np.abs(np.diff(x, axis=1))))

    assert energy(a[:, :200]) > 1.5 * energy(b[:, :200])
    assert energy(b[:, 220:]) > 1.5 * energy(a[:, 220:])
