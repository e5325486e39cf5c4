"""Method declarations for task-aware runs: groups, published names, tasks (issue 15)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import methods
from bench.errors import RegistrationError
from methods.base import FusionMethod, FusionResult, register_method

# Membership lists from the issue (the methods registered on this branch; other helpers add
# their own methods to these groups in their classes).
PAPER = {"asr", "csr", "dwt", "msvd", "gd", "lp-sr", "mgff", "pca", "tlnet"}
MFIFB = {"asr", "cnn-patch", "csr", "gd", "gff", "msvd", "ifcnn-max", "mgff", "lp-sr",
         "nsct-sr", "rp-sr", "sesf"}
VIFB_CLASSIC = {"lp-sr", "nsct-sr", "rp-sr", "msvd", "gff", "mgff"}


def test_groups_hold_the_declared_methods():
    assert set(methods.list_methods(group="paper")) == PAPER
    assert MFIFB <= set(methods.list_methods(group="mfifb"))
    assert VIFB_CLASSIC <= set(methods.list_methods(group="vifb-classic"))
    assert set(methods.list_methods(group="deep")) == set(methods.list_methods(kind="deep"))
    assert "tlnet" not in methods.list_methods(group="mfifb")


def test_mfifb_published_names_are_mfifbs_result_folders(shared_datasets):
    """Every mfifb-group method's MFIFB name is a folder of MFIFB's published fused results."""
    folders = {p.name for p in (shared_datasets / "mfifb" / "fused").iterdir()}
    for name in methods.list_methods(group="mfifb"):
        assert methods.published_name(name, "mfifb") in folders, name


def test_vifb_published_names_are_vifb_result_names(shared_datasets):
    fused = {p.stem.split("_", 1)[1] for p in (shared_datasets / "vifb" / "fused").glob("*.jpg")}
    for name in methods.list_methods(group="vifb-classic"):
        assert methods.published_name(name, "vifb") in fused, name


def test_published_name_falls_back_to_our_name():
    assert methods.published_name("lp-sr", "mfifb") == "MST_SR"
    assert methods.published_name("mstsr", "vifb") == "LP_SR"  # aliases resolve
    assert methods.published_name("lp", "vifb") == "lp"


def test_tasks_filter():
    mf_only = set(methods.list_methods(task="multi-focus")) - set(methods.list_methods(task="medical"))
    assert {"cnn-patch", "sesf", "tlnet"} <= mf_only


def _declare(**attrs):
    @dataclass
    class P:
        pass

    body = {"name": "tmp-groups-test", "citation": "test", "Params": P,
            "run": lambda self, a, b, p: FusionResult(image=a), **attrs}
    return type("Tmp", (FusionMethod,), body)


@pytest.mark.parametrize("attrs, message", [
    ({"groups": ("vifb",)}, "unknown groups"),
    ({"groups": ("deep",)}, "contradict kind"),
    ({"published_names": {"vifb": 3}}, "published_names"),
])
def test_registration_refuses_bad_declarations(attrs, message):
    with pytest.raises(RegistrationError, match=message):
        register_method(_declare(**attrs))
    assert "tmp-groups-test" not in methods.METHODS


def test_methods_command_filters_by_task_and_group(capsys):
    import json

    from bench.cli import main

    assert main(["methods", "--group", "paper", "--task", "ir-vis", "--json"]) == 0
    infos = json.loads(capsys.readouterr().out)
    assert {i["name"] for i in infos} == PAPER - {"tlnet"}
    assert all("paper" in i["groups"] and "ir-visible" in i["modalities"] for i in infos)
    assert main(["methods", "--group", "mfifb"]) == 0
    table = capsys.readouterr().out
    assert "groups" in table.splitlines()[0] and "sesf" in table and "pca " not in table
