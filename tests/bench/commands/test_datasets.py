"""``python -m bench datasets`` (list / show / fetch) through the CLI entry point."""

from __future__ import annotations

import pytest

from bench.cli import main


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("FUSEBENCH_DATA", raising=False)


def test_list_shows_presence_and_location(shared_datasets, capsys):
    assert main(["datasets", "--data-dir", str(shared_datasets)]) == 0
    out = capsys.readouterr().out
    lines = {
        ln.split()[0]: ln for ln in out.splitlines() if ln and not ln.startswith(("-", "name"))
    }
    assert {"lytro", "mfifb", "vifb", "mf-voc", "synthetic", "natural", "lytro-triple"} <= set(
        lines
    )
    assert " 105 " in lines["mfifb"] and " yes " in lines["mfifb"]
    assert str(shared_datasets / "vifb") in lines["vifb"] and "ir-visible" in lines["vifb"]


def test_list_without_data_says_absent(tmp_path, capsys):
    assert main(["datasets", "--data-dir", str(tmp_path)]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("lytro ")]
    assert lines and " no " in lines[0] and " 20 " in lines[0]


def test_show_prints_ids_sizes_modes(shared_datasets, capsys):
    assert main(["datasets", "show", "mfifb", "--data-dir", str(shared_datasets)]) == 0
    out = capsys.readouterr().out
    assert "mfifb: 105 pairs" in out
    row = next(ln for ln in out.splitlines() if ln.startswith("tsai_03 "))
    assert "1024x768" in row
    row = next(ln for ln in out.splitlines() if ln.startswith("aymaz_01 "))
    assert " L " in row


def test_show_synthetic_with_options(capsys):
    assert (
        main(["datasets", "show", "synthetic", "--option", "count=3", "--option", "size=32"]) == 0
    )
    out = capsys.readouterr().out
    assert "synthetic: 3 pairs" in out and out.count("32x32") == 3


def test_show_missing_dataset_is_one_clear_error(tmp_path, capsys):
    assert main(["datasets", "show", "lytro", "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "datasets fetch lytro" in err
