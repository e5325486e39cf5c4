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
    from metrics.base import Convention, register_metric

    class Broken(FusionMethod):
        name = "broken-test-method"
        kind = "no-such-kind"

        @dataclasses.dataclass
        class Params:
            pass

    with pytest.raises(RegistrationError, match=r"method class .*Broken: kind 'no-such-kind'"):
        register_method(Broken)
    with pytest.raises(RegistrationError, match="metric 'broken-metric': a 'default' convention"):
        register_metric("broken-metric", higher_is_better=True, description="d", citation="c",
                        conventions={"vifb": Convention(lambda a, b, f: 0.0)})
    assert issubclass(RegistrationError, FusebenchError)


def test_discovery_runs_once_on_first_lookup_and_retries_after_a_failure():
    calls = []

    def discover():
        calls.append(len(calls))
        if len(calls) == 1:
            raise ImportError("plugin module broken")
        reg.add("late", 2)
        assert "early" in reg and reg.names() == ["early", "late"]  # lookups while discovering

    reg = Registry("widget", discover=discover)
    reg.add("early", 1)
    assert calls == []  # registering does not discover
    with pytest.raises(ImportError, match="plugin module broken"):
        reg.get("late")
    assert reg.get("late") == 2 and len(reg) == 2 and list(reg) == ["early", "late"]
    assert calls == [0, 1]
    reg.add_discovery(lambda: reg.add("later", 3))
    assert reg.names("l*") == ["late", "later"] and calls == [0, 1]


def test_discovery_is_thread_safe():
    import threading
    import time

    def discover():
        time.sleep(0.05)  # another thread looks up meanwhile: it must wait, not see a half registry
        for i in range(50):
            reg.add(f"w{i}", i)

    reg = Registry("widget", discover=discover)
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(len(reg.names()))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [50, 50, 50, 50]


IMPORT_CHECK = """
import sys
import methods, methods.base
heavy = sorted(m for m in ("torch", "pywt", "scipy", "skimage", "methods.gff") if m in sys.modules)
assert not heavy, f"import methods loaded {heavy}"
import methods.gff  # a plugin imported first must not change the listing order
names = methods.list_methods()
import importlib, pkgutil
for info in pkgutil.iter_modules(methods.__path__):
    importlib.import_module("methods." + info.name)  # everything, helpers and infrastructure too
assert methods.list_methods() == names, (names, methods.list_methods())
print(",".join(names))
"""


def test_import_methods_is_cheap_and_listing_finds_every_method():
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    out = subprocess.run([sys.executable, "-c", IMPORT_CHECK], cwd=repo, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    names = out.stdout.strip().split(",")
    assert {"average", "max-abs", "dwt", "gff", "mgff", "msvd", "tlnet", "cnn-patch"} <= set(names)
    assert names.index("cnn-patch") < names.index("dwt") < names.index("gff") < names.index("average")
