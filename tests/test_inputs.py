"""Real inputs (parleak/inputs.py): the manifest matches the real files,
`parleak data fetch|list` copies (--from) and downloads (from a real local
HTTP server) only verified files and leaves nothing partial behind on any
failure, and `resolve` names the path looked at and the fetch command."""

import functools
import hashlib
import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from helpers import REPO, real_input
from parleak import inputs
from parleak.config import ConfigError

MANIFEST = inputs.manifest()
SMALL = MANIFEST["EOS_Omni_test"]  # 21384 bytes


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def data(*args, timeout=120):
    """`python -m parleak data ARGS` in a subprocess."""
    return subprocess.run([sys.executable, "-m", "parleak", "data", *map(str, args)], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def files_under(directory):
    """Every file below `directory` (temporary ones included), relative."""
    return sorted(p.relative_to(directory).as_posix() for p in Path(directory).rglob("*") if p.is_file())


def write_manifest(path, entries):
    """A manifest TOML file of `entries` (dicts of the manifest's fields)."""
    lines = []
    for entry in entries:
        lines.append("[[input]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in entry.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


def source_root():
    """The real data directory ($PARLEAK_DATA; the test skips without it)."""
    return real_input(SMALL.path).parents[1]


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_manifest_sha256_and_size_match_the_real_file(name):
    entry = MANIFEST[name]
    digest = inputs._digest(real_input(entry.path))
    assert digest == (entry.sha256, entry.size)


def test_manifest_lists_every_real_input_once():
    root = source_root()
    real = [p for p in files_under(root) if not p.endswith(".md")]
    assert sorted(entry.path for entry in MANIFEST.values()) == real
    assert len(MANIFEST) == 6
    for entry in MANIFEST.values():
        assert entry.url.startswith("https://raw.githubusercontent.com/") or entry.name == "SRO_LS220star"
        assert entry.licence and entry.citation


def test_fetch_from_copies_verifies_and_skips_what_is_there(tmp_path):
    root, target = source_root(), tmp_path / "data"
    result = data("fetch", SMALL.name, "--from", root, "--data-dir", target)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == [SMALL.name, "copied", str(target / SMALL.path)]
    assert (target / SMALL.path).read_bytes() == (root / SMALL.path).read_bytes()
    assert files_under(target) == [SMALL.path]
    again = data("fetch", SMALL.name, "--from", root, "--data-dir", target)
    assert again.returncode == 0 and again.stdout.split()[:2] == [SMALL.name, "ok"]
    listing = data("list", "--data-dir", target)
    assert listing.returncode == 1
    status = {line.split()[0]: line.split()[1] for line in listing.stdout.splitlines()}
    assert status == {name: "ok" if name == SMALL.name else "missing" for name in MANIFEST}
    assert "5 of 6 inputs not present and verified" in listing.stderr
    assert data("list", SMALL.name, "--data-dir", target).returncode == 0


def test_fetch_from_refuses_a_copy_with_one_byte_changed(tmp_path):
    good = real_input(SMALL.path).read_bytes()
    bad = bytearray(good)
    bad[len(bad) // 2] ^= 0x01
    (tmp_path / "src" / SMALL.path).parent.mkdir(parents=True)
    (tmp_path / "src" / SMALL.path).write_bytes(bytes(bad))
    target = tmp_path / "data"
    result = data("fetch", SMALL.name, "--from", tmp_path / "src", "--data-dir", target)
    assert result.returncode == 1
    line = result.stdout.strip()
    assert line.split()[:3] == [SMALL.name, "failed", f"{target / SMALL.path}:"]
    assert str(tmp_path / "src" / SMALL.path) in line
    assert f"sha256 {sha256(bytes(bad))} (21384 bytes), expected sha256 {SMALL.sha256} (21384 bytes)" in line
    assert files_under(target) == []
    assert f"not present and verified in {target}: {SMALL.name}" in result.stderr


def test_a_present_file_with_another_sha256_is_kept_unless_force(tmp_path):
    root, target = source_root(), tmp_path / "data"
    (target / SMALL.path).parent.mkdir(parents=True)
    (target / SMALL.path).write_bytes(b"my own table")
    kept = data("fetch", SMALL.name, "--from", root, "--data-dir", target)
    assert kept.returncode == 1
    assert f"sha256 {sha256(b'my own table')} (12 bytes)" in kept.stdout and "--force replaces it" in kept.stdout
    assert (target / SMALL.path).read_bytes() == b"my own table"
    forced = data("fetch", SMALL.name, "--from", root, "--data-dir", target, "--force")
    assert forced.returncode == 0 and forced.stdout.split()[1] == "copied"
    assert inputs._digest(target / SMALL.path) == (SMALL.sha256, SMALL.size)
    assert files_under(target) == [SMALL.path]


def test_unknown_names_and_the_table_without_url(tmp_path):
    result = data("fetch", "s20", "--data-dir", tmp_path)
    assert result.returncode == 2
    assert "unknown input name(s) ['s20']: the manifest has ['EOS_Omni_test', 'SFHo_13x11x7', 'SFHo_compose', " \
           "'SRO_LS220star', 's13.6_S16', 's20_W2007']" in result.stderr
    result = data("fetch", "SRO_LS220star", "--data-dir", tmp_path)
    assert result.returncode == 1
    assert "no public URL for SRO_LS220star: generated locally" in result.stdout
    assert "--from DIR" in result.stdout and "SRO_TABLE.md" in result.stdout
    assert files_under(tmp_path) == []


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the files of `directory`; /cut/NAME sends a full
    Content-Length but only half the body, then closes the connection;
    /stall/NAME sends half and waits for the server's `release` event."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        mode, _, name = self.path.lstrip("/").partition("/")
        if mode not in ("cut", "stall"):
            return super().do_GET()
        body = (Path(self.directory) / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.wfile.flush()
        if mode == "stall":
            self.server.release.wait(60)
        self.close_connection = True


@pytest.fixture
def server(tmp_path):
    """(base URL, served directory) of a real HTTP server on localhost."""
    root = tmp_path / "served"
    root.mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    httpd.release = threading.Event()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def entry(name, url, body, path=None):
    return {"name": name, "path": path or f"sub/{name}.bin", "url": url, "sha256": sha256(body), "size": len(body),
            "licence": "test", "citation": "test"}


def test_download_succeeds_and_404_cut_or_wrong_bytes_leave_nothing(server, tmp_path):
    base, served = server
    body = os.urandom(300_000)
    (served / "file.bin").write_bytes(body)
    manifest = write_manifest(tmp_path / "m.toml", [
        entry("good", f"{base}/file.bin", body),
        entry("absent", f"{base}/nothing.bin", body),
        entry("cut", f"{base}/cut/file.bin", body),
        entry("wrong", f"{base}/file.bin", body[:-1] + bytes([body[-1] ^ 1])),
    ])
    target = tmp_path / "data"
    result = data("fetch", "--manifest", manifest, "--data-dir", target)
    assert result.returncode == 1
    lines = dict(line.split(None, 1) for line in result.stdout.splitlines())
    assert lines["good"].startswith(f"downloaded {target / 'sub/good.bin'}")
    assert f"download of {base}/nothing.bin failed: HTTP 404" in lines["absent"]
    assert lines["cut"].startswith("failed")
    assert f"{base}/cut/file.bin does not match the manifest: sha256 {sha256(body[:150_000])} (150000 bytes)" \
        in lines["cut"]
    assert f"sha256 {sha256(body)} (300000 bytes), expected sha256 {sha256(body[:-1] + bytes([body[-1] ^ 1]))}" \
        in lines["wrong"]
    assert "3 of 4 inputs not present and verified" in result.stderr and "absent cut wrong" in result.stderr
    assert files_under(target) == ["sub/good.bin"]
    assert (target / "sub/good.bin").read_bytes() == body
    assert inputs.fetch(["good"], data_dir=target, manifest=manifest)[0].status == "ok"


def test_an_interrupted_download_leaves_no_temporary_file(server, tmp_path):
    base, served = server
    body = os.urandom(200_000)
    (served / "file.bin").write_bytes(body)
    manifest = write_manifest(tmp_path / "m.toml", [entry("slow", f"{base}/stall/file.bin", body)])
    target = tmp_path / "data"
    process = subprocess.Popen([sys.executable, "-m", "parleak", "data", "fetch", "--manifest", str(manifest),
                                "--data-dir", str(target)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    for _ in range(600):  # the temporary file appears once the headers are in
        if files_under(tmp_path / "data") or process.poll() is not None:
            break
        time.sleep(0.05)
    [partial] = files_under(target)
    assert partial.startswith("sub/.slow.bin.") and partial.endswith(".part")
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "interrupted; no partial file left behind" in err
    assert files_under(target) == []


def test_resolve_names_the_paths_looked_at_and_the_fetch_command(tmp_path, monkeypatch):
    directory, work = tmp_path / "d", tmp_path / "w"
    work.mkdir()
    monkeypatch.setenv("PARLEAK_DATA", str(directory))
    monkeypatch.chdir(work)
    value = "progenitors/s20_W2007_KEPLER_presn.txt"
    with pytest.raises(ConfigError) as err:
        inputs.resolve(value, "problem.progenitor")
    assert str(err.value) == (
        f"problem.progenitor = {value!r}: input file not found at {directory / value} or {work / value} "
        f"(data directory {directory}, from $PARLEAK_DATA={directory}); fetch it with `parleak data fetch s20_W2007` "
        "(download), or `parleak data fetch s20_W2007 --from DIR` (copy from a local directory holding the same "
        "layout, e.g. --from ../shared/data)")
    with pytest.raises(ConfigError, match="fetch it with `parleak data fetch SRO_LS220star --from DIR`"):
        inputs.resolve(str(directory / MANIFEST["SRO_LS220star"].path), "eos.table")
    with pytest.raises(ConfigError, match=r"'mine.h5': input file not found .* it is not in parleak's manifest"):
        inputs.resolve("mine.h5", "eos.table")
    monkeypatch.delenv("PARLEAK_DATA")
    with pytest.raises(ConfigError) as err:
        inputs.resolve(value, "problem.progenitor")
    assert f"found at {REPO / 'data' / value} or {work / value} (data directory {REPO / 'data'}, the default " \
           "data/ at the repository root; $PARLEAK_DATA unset)" in str(err.value)


def test_resolve_looks_in_the_data_directory_first_then_the_working_directory(tmp_path, monkeypatch):
    directory, work = tmp_path / "d", tmp_path / "w"
    for base in (directory, work):
        (base / "eos").mkdir(parents=True)
    monkeypatch.setenv("PARLEAK_DATA", str(directory))
    monkeypatch.chdir(work)
    (work / "eos/t.h5").write_bytes(b"w")
    assert inputs.resolve("eos/t.h5", "eos.table") == str(work / "eos/t.h5")
    (directory / "eos/t.h5").write_bytes(b"d")
    assert inputs.resolve("eos/t.h5", "eos.table") == str(directory / "eos/t.h5")
    assert inputs.resolve(str(work / "eos/t.h5"), "eos.table") == str(work / "eos/t.h5")
    assert inputs.data_dir() == directory


def test_a_malformed_manifest_is_refused(tmp_path):
    good = entry("x", "http://127.0.0.1:9/x", b"x")
    with pytest.raises(ConfigError, match=r"input 1 \(x\): missing \['sha256'\], unknown \['md5'\]"):
        inputs.manifest(write_manifest(tmp_path / "a.toml", [{**{k: v for k, v in good.items() if k != "sha256"},
                                                              "md5": ""}]))
    with pytest.raises(ConfigError, match=r"path '../x' must be relative to the data directory, without '..'"):
        inputs.manifest(write_manifest(tmp_path / "b.toml", [{**good, "path": "../x"}]))
    with pytest.raises(ConfigError, match="the name 'x' appears twice"):
        inputs.manifest(write_manifest(tmp_path / "c.toml", [good, good]))
