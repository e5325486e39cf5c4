import numpy as np
import pytest

import methods
from bench.errors import MethodOutputError, ParameterError, RegistryError, ShapeMismatchError
from methods.base import FusionMethod, FusionResult, register_method


def test_list_methods_wildcards():
    assert "average" in methods.list_methods("*")
    assert methods.list_methods("av*") == ["average"]
    assert methods.list_methods("average,max-*") == ["average", "max-abs"]


def test_unknown_method_suggests():
    with pytest.raises(RegistryError, match="did you mean average"):
        methods.get_method("averge")


def test_size_mismatch_names_sizes():
    with pytest.raises(ShapeMismatchError, match="A is 4×5, B is 4×6"):
        methods.get_method("average").fuse(np.zeros((4, 5)), np.zeros((4, 6)))


def test_nan_output_is_rejected():
    class Bad(FusionMethod):
        name = "test-bad-nan"
        citation = "test"

        def run(self, a, b, params):
            out = a.copy()
            out[0, 0] = np.nan
            return FusionResult(image=out)

    register_method(Bad)
    try:
        with pytest.raises(MethodOutputError, match="test-bad-nan.*NaN"):
            methods.get_method("test-bad-nan").fuse(np.ones((3, 3)), np.ones((3, 3)))
    finally:
        methods.METHODS.remove("test-bad-nan")


def test_param_coercion_and_unknown_param():
    from dataclasses import dataclass

    class P(FusionMethod):
        name = "test-params"
        citation = "test"

        @dataclass
        class Params:
            r: int = 3
            eps: float = 0.1
            flag: bool = False

    p = P.make_params(r="7", eps="1e-3", flag="true")
    assert (p.r, p.eps, p.flag) == (7, 1e-3, True)
    with pytest.raises(ParameterError, match="no parameter 'radius'"):
        P.make_params(radius="3")
    with pytest.raises(ParameterError, match="not a valid int"):
        P.make_params(r="x")
