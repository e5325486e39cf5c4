"""Downloading against a local HTTP server that serves ../shared/datasets.

The server (a thread with http.server on 127.0.0.1) honours Range requests
and has misbehaving modes selected by the first path segment:

* ``/ok/<dataset>/<path>``: the file as it is;
* ``/drop/...``: the first request for a file sends the full Content-Length
  but closes the connection halfway; later requests behave;
* ``/norange-drop/...``: like ``drop`` but the server ignores Range;
* ``/corrupt/...``: always one flipped byte;
* ``/corrupt-once/...``: a flipped byte on the first request only.
"""

from __future__ import annotations

import http.server
import socket
import threading
from pathlib import Path

import pytest

from bench.datasets import load_dataset
from bench.datasets.download import OfflineError, download_file, fetch_dataset
from bench.datasets.manifest import ChecksumError, load_manifest, sha256_file
from bench.errors import DataError


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path
    seen: dict
    log: list

    def log_message(self, *args):  # keep test output quiet
        pass

    def do_GET(self):
        mode, _, rel = self.path.lstrip("/").partition("/")
        from urllib.parse import unquote

        path = self.root / unquote(rel)
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        first = (mode, rel) not in self.seen
        self.seen[(mode, rel)] = True
        rng = self.headers.get("Range")
        self.log.append((mode, rel, rng))
        if mode == "corrupt" or (mode == "corrupt-once" and first):
            data = bytearray(data)
            data[len(data) // 2] ^= 0xFF
            data = bytes(data)
        start = 0
        if rng and mode != "norange-drop":
            start = int(rng.split("=")[1].split("-")[0])
        body = data[start:]
        self.send_response(206 if start else 200)
        if start:
            self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if mode in ("drop", "norange-drop") and first:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture(scope="module")
def server(shared_datasets):
    handler = type("H", (_Handler,), {"root": shared_datasets, "seen": {}, "log": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


FAST = {"backoff": 0.0, "timeout": 10.0}


def test_fetch_from_mirror_then_load(server, tmp_path):
    url, _ = server
    rep = fetch_dataset(
        "lytro", tmp_path, mirror=f"{url}/ok", groups=["triples"], progress=False, **FAST
    )
    assert rep.downloaded == 12 and rep.present == 0
    ds = load_dataset("lytro-triple", data_dir=tmp_path)
    assert len(ds) == 4 and ds[0].sources[2].shape == (520, 520, 3)
    again = fetch_dataset(
        "lytro", tmp_path, mirror=f"{url}/ok", groups=["triples"], progress=False, **FAST
    )
    assert again.downloaded == 0 and again.present == 12
    assert not list(tmp_path.rglob("*.part"))


def test_dropped_connection_resumes_with_range(server, tmp_path):
    url, handler = server
    entry = load_manifest("mfifb").file("sources/tsai_03_A.jpg")
    dest = download_file(
        f"{url}/drop/mfifb/{entry.path}", tmp_path / "x.jpg", entry.sha256, size=entry.size, **FAST
    )
    assert sha256_file(dest) == entry.sha256
    ranges = [r for m, rel, r in handler.log if m == "drop" and rel.endswith("tsai_03_A.jpg")]
    assert ranges[0] is None and ranges[1] == f"bytes={entry.size // 2}-"


def test_server_ignoring_range_restarts_cleanly(server, tmp_path):
    url, _ = server
    entry = load_manifest("vifb").file("sources/VI/kettle.jpg")
    dest = download_file(
        f"{url}/norange-drop/vifb/{entry.path}",
        tmp_path / "k.jpg",
        entry.sha256,
        size=entry.size,
        **FAST,
    )
    assert dest.stat().st_size == entry.size and sha256_file(dest) == entry.sha256


def test_corrupt_download_is_retried_then_reported(server, tmp_path):
    url, _ = server
    entry = load_manifest("lytro").file("lytro-03-A.jpg")
    ok = download_file(
        f"{url}/corrupt-once/lytro/{entry.path}", tmp_path / "once.jpg", entry.sha256, **FAST
    )
    assert sha256_file(ok) == entry.sha256
    dest = tmp_path / "bad.jpg"
    with pytest.raises(ChecksumError) as info:
        download_file(f"{url}/corrupt/lytro/{entry.path}", dest, entry.sha256, **FAST)
    msg = str(info.value)
    assert str(dest) in msg and entry.sha256 in msg and "actual" in msg
    assert not dest.exists() and not list(tmp_path.glob("bad.jpg*"))  # nothing half-written left


def test_corrupt_file_on_disk_is_replaced_by_fetch(server, tmp_path):
    url, _ = server
    fetch_dataset("lytro", tmp_path, mirror=f"{url}/ok", groups=["docs"], progress=False, **FAST)
    readme = tmp_path / "lytro" / "ORIGINAL_Readme.txt"
    data = bytearray(readme.read_bytes())
    data[0] ^= 0x20
    readme.write_bytes(bytes(data))
    rep = fetch_dataset(
        "lytro", tmp_path, mirror=f"{url}/ok", groups=["docs"], progress=False, **FAST
    )
    assert rep.downloaded == 1
    assert sha256_file(readme) == load_manifest("lytro").file("ORIGINAL_Readme.txt").sha256


def test_http_404_is_a_clear_error(server, tmp_path):
    url, _ = server
    with pytest.raises(DataError, match="HTTP 404"):
        download_file(f"{url}/ok/lytro/no-such-file.jpg", tmp_path / "n.jpg", "0" * 64, **FAST)


def test_offline_message_tells_where_to_put_files(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    with pytest.raises(OfflineError) as info:
        fetch_dataset(
            "vifb",
            tmp_path,
            mirror=f"http://127.0.0.1:{port}",
            groups=["sources"],
            progress=False,
            retries=1,
            **FAST,
        )
    msg = str(info.value)
    assert "offline" in msg and "by hand" in msg
    assert str(tmp_path / "vifb") in msg and "vifb.json" in msg


def test_derived_files_without_url_are_reported_not_fetched(tmp_path, monkeypatch):
    import bench.datasets.download as dl

    monkeypatch.setattr(dl, "download_file", lambda *a, **k: pytest.fail("no download expected"))
    rep = fetch_dataset("natural", tmp_path, groups=["masks"], progress=False)
    assert rep.downloaded == 0 and len(rep.skipped) == 300
    assert "no upstream URL" in str(rep)


# -- manifest paths are confined to the data root -----------------------------


def _evil_manifest(tmp_path, monkeypatch, paths):
    """A manifest ``evil`` (in $FUSEBENCH_MANIFESTS) whose entries have the given paths."""
    import json

    from bench.datasets import manifest

    readme = load_manifest("lytro").file("ORIGINAL_Readme.txt")
    folder = tmp_path / "manifests"
    folder.mkdir()
    files = [{"path": p, "sha256": readme.sha256, "size": readme.size,
              "url": "http://127.0.0.1:9/never-contacted"} for p in paths]
    (folder / "evil.json").write_text(json.dumps({"name": "evil", "files": files}))
    monkeypatch.setenv("FUSEBENCH_MANIFESTS", str(folder))
    manifest.load_manifest.cache_clear()
    return folder / "evil.json"


@pytest.fixture
def fresh_manifests():
    from bench.datasets import manifest

    yield
    manifest.load_manifest.cache_clear()


@pytest.mark.parametrize("bad", ["../../x.txt", "/abs/x.txt", "ok/../../x.txt", "C:\\x.txt"])
def test_fetch_refuses_paths_leaving_the_data_root(tmp_path, monkeypatch, fresh_manifests, bad):
    origin = _evil_manifest(tmp_path, monkeypatch, ["fine.txt", bad])
    data = tmp_path / "data" / "deep"
    with pytest.raises(DataError) as info:
        fetch_dataset("evil", data, progress=False, **FAST)
    msg = str(info.value)
    assert str(origin) in msg and repr(bad) in msg and "relative" in msg
    assert not [p for p in tmp_path.rglob("*.txt*")]  # nothing written anywhere


def test_fetch_refuses_a_symlink_out_of_the_data_root(tmp_path, monkeypatch, fresh_manifests):
    origin = _evil_manifest(tmp_path, monkeypatch, ["sub/x.txt"])
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "data" / "evil"
    root.mkdir(parents=True)
    (root / "sub").symlink_to(outside, target_is_directory=True)
    with pytest.raises(DataError) as info:
        fetch_dataset("evil", tmp_path / "data", progress=False, **FAST)
    msg = str(info.value)
    assert str(origin) in msg and "'sub/x.txt'" in msg and "outside the dataset folder" in msg
    assert not list(outside.iterdir())
