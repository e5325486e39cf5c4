"""The CLI's error contract: user errors are one line on stderr, a closed pipe exits quietly."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from bench.cli import main
from bench.io import write_image

REPO = Path(__file__).resolve().parents[2]


def test_user_error_is_one_line_without_traceback(tmp_path, capsys):
    write_image(tmp_path / "a.png", np.zeros((8, 8)))
    (tmp_path / "b.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    rc = main(["fuse", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "-m", "average",
               "-o", str(tmp_path / "f.png")])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.count("\n") == 1 and err.startswith("error: ") and "b.png" in err
    assert "Traceback" not in err


def test_oversized_image_is_a_one_line_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("FUSEBENCH_MAX_PIXELS", "50")
    for name in ("a.png", "b.png"):
        write_image(tmp_path / name, np.zeros((8, 8)))
    rc = main(["fuse", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "-m", "average",
               "-o", str(tmp_path / "f.png")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "a.png: image is 8×8" in err


def test_closed_pipe_exits_quietly():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-m", "bench", "datasets", "list"], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before anything is written, as with `| head -0`
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert err == "", err


def test_output_path_that_is_a_folder_is_a_one_line_error(tmp_path, capsys):
    for name in ("a.png", "b.png"):
        write_image(tmp_path / name, np.zeros((8, 8)))
    (tmp_path / "out.png").mkdir()
    rc = main(["fuse", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "-m", "average",
               "-o", str(tmp_path / "out.png")])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "out.png: is a directory" in err


def test_environment_error_is_a_one_line_error_naming_the_file(tmp_path, capsys, monkeypatch):
    import bench.io

    def refuse(path, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    for name in ("a.png", "b.png"):
        write_image(tmp_path / name, np.zeros((8, 8)))
    monkeypatch.setattr(bench.io, "write_image", refuse)
    rc = main(["fuse", str(tmp_path / "a.png"), str(tmp_path / "b.png"), "-m", "average",
               "-o", str(tmp_path / "f.png")])
    err = capsys.readouterr().err
    assert rc == 2 and err == f"error: {tmp_path / 'f.png'}: Permission denied\n"
