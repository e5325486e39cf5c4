"""The ``device`` parameter of the deep methods with published weights (ifcnn-*, sesf, densefuse,
dlf, resnet)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import methods
from bench.errors import ParameterError
from bench.runner.tasks import cache_key, needs_device
from methods.devices import torch_device

DEEP = ("ifcnn-max", "ifcnn-mean", "ifcnn-sum", "sesf", "densefuse", "dlf", "resnet")


def test_torch_device_parses_the_parameter():
    assert torch_device("cpu", "m") == torch.device("cpu")
    assert torch_device("auto", "m").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with pytest.raises(ParameterError, match="method 'm': invalid device 'tpu'"):
        torch_device("tpu", "m")


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the error raised without CUDA")
@pytest.mark.parametrize("name", DEEP)
def test_cuda_without_cuda_is_a_parameter_error_naming_the_method(name):
    x = np.zeros((16, 16))
    with pytest.raises(ParameterError, match=f"method '{name}': device='cuda'.*not available"):
        methods.get_method(name).fuse(x, x, device="cuda")


@pytest.mark.parametrize("name", DEEP)
def test_device_is_an_execution_parameter(name):
    cls = methods.METHODS.get(name)
    assert cls.make_params().device == "auto"
    assert needs_device([name])
    on_cpu = cls.describe_params(cls.make_params(device="cpu"))
    on_gpu = cls.describe_params(cls.make_params(device="cuda"))
    assert cache_key(name, cls.version, on_cpu, "h") == cache_key(name, cls.version, on_gpu, "h")


@pytest.mark.parametrize("name", ("ifcnn-max", "sesf"))
def test_cpu_and_auto_agree(shared_datasets, name):
    from bench.io import read_image

    root = shared_datasets / "mfifb" / "sources"
    a, _ = read_image(root / "lytro_01_A.jpg")
    b, _ = read_image(root / "lytro_01_B.jpg")
    a, b = a[200:264, 200:264], b[200:264, 200:264]
    m = methods.get_method(name)
    cpu = m.fuse(a, b, device="cpu").image
    assert cpu.std() > 1.0
    if not torch.cuda.is_available():  # auto is the CPU here: the very same output
        np.testing.assert_array_equal(cpu, m.fuse(a, b).image)
    else:  # on a GPU the convolutions round differently: a grey level at most, rarely
        gpu = m.fuse(a, b, device="cuda").image
        assert np.mean(np.abs(gpu - cpu) > 1) < 0.01
