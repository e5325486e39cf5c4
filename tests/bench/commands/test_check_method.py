"""``bench check-method``: the contract checks without pytest, on a scaffolded plugin."""

from __future__ import annotations

from bench.cli import main
from bench.scaffold import scaffold
from methods.testing import CHECKS


def test_scaffolded_plugin_passes_and_a_broken_one_fails(tmp_path, capsys):
    good, _test = scaffold("chk-good", out_dir=tmp_path)
    assert main(["check-method", str(good)]) == 0
    out = capsys.readouterr().out
    n = len(CHECKS)
    assert f"{n}/{n} checks passed for chk-good" in out and "ok   chk-good: tiny" in out
    # the same plugin made impure: it writes into its input, and its output leaves 0..255
    bad = tmp_path / "chk_bad.py"
    text = good.read_text().replace('"chk-good"', '"chk-bad"').replace("ChkGood", "ChkBad")
    text = text.replace('        """Per pixel,', '        a *= 2.0\n        """Per pixel,')
    bad.write_text(text)
    assert main(["check-method", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "FAIL chk-bad: read_only_inputs" in out and "checks passed" in out


def test_unknown_method_is_a_user_error(capsys):
    assert main(["check-method", "no-such-method"]) == 2
    assert "no-such-method" in capsys.readouterr().err
