"""The registry: one error type for bad declarations, lazy discovery of built-in plugins."""

from __future__ import annotations

import dataclasses

import pytest

from bench.errors import FusebenchError, RegistrationError, RegistryError
from bench.registry import Registry


def test_registration_errors_are_one_type():
    reg = Registry("widget")
    reg.add("a", 1)
    with pytest.raises(RegistrationError, match="widget 'a' is already registered"):
        reg.add("a", 2)
    with pytest.raises(RegistrationError, match="invalid widget name 'Bad Name'"):
        reg.add("Bad Name", 3)
    with pytest.raises(RegistryError, match="unknown widget 'b'") as info:
        reg.get("b")
    assert not isinstance(info.value, RegistrationError)  # a lookup is not a declaration


def test_bad_method_and_metric_declarations_raise_registration_error():
    from methods.base import FusionMethod, register_method
    from metrics.base import register_metric

    class Broken(FusionMethod):
        name = "broken-test-method"
        kind = "no-such-kind"

        @dataclasses.dataclass
        class Params:
            pass

    with pytest.raises(RegistrationError, match=r"method class .*Broken: kind 'no-such-kind'"):
        register_method(Broken)
    with pytest.raises(RegistrationError, match="metric 'broken-metric': the first convention"):
        register_metric("broken-metric", higher_is_better=True, conventions=("luma",))
    assert issubclass(RegistrationError, FusebenchError)
