"""Input that is not a readable document, and ingests that read nothing: files are skipped
and named, nothing hangs, and a working index is never replaced by an empty one."""
from __future__ import annotations

import io
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from retrieval.errors import NothingToIngest
from retrieval.ingest.documents import discover, load_file
from retrieval.ingest.progress import ProgressLog
from retrieval.ingest.run import ingest
from retrieval.store.index import Index
from retrieval.text.chunking import chunk_spans

from .conftest import ARTICLE_EN, REPO

DATA = Path(__file__).parent / "data" / "ingest"


def planbot(*args, env=None, timeout=300):
    e = dict(os.environ, **(env or {}))
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=REPO, env=e, capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture()
def odd_folder(tmp_path) -> Path:
    """One good document among everything a saved-files folder can hold that is not one."""
    root = tmp_path / "saved"
    root.mkdir()
    (root / "good.txt").write_text(ARTICLE_EN, encoding="utf-8")
    (root / "dangling.txt").symlink_to(root / "deleted-long-ago.txt")
    (root / "loop-a.md").symlink_to(root / "loop-b.md")
    (root / "loop-b.md").symlink_to(root / "loop-a.md")
    os.mkfifo(root / "pipe.txt")
    rng = random.Random(14)
    (root / "garbage.txt").write_bytes(bytes(rng.randrange(256) for _ in range(20_000)))
    # bytes that decode as GB18030 without error, into a soup of rare characters
    soup = bytearray()
    while len(soup) < 20_000:
        soup += bytes([rng.randrange(0xB0, 0xF8), rng.randrange(0xA1, 0xFF)])
    (root / "soup.md").write_bytes(bytes(soup))
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(root / "listening.txt"))
    except OSError:  # some filesystems refuse sockets; the other cases still run
        pass
    finally:
        sock.close()
    (root / "alias.txt").symlink_to(root / "good.txt")  # the same file twice: indexed once
    return root


def test_odd_files_are_skipped_with_reasons_and_never_opened(odd_folder):
    files, skipped = discover([odd_folder])
    reasons = {Path(s.path).name: s.reason for s in skipped}
    assert reasons["dangling.txt"].startswith("dangling symbolic link")
    assert reasons["loop-a.md"].startswith("symbolic link loop") and reasons["loop-b.md"].startswith("symbolic link loop")
    assert reasons["pipe.txt"] == "not a regular file (a named pipe (FIFO))"
    if (odd_folder / "listening.txt").exists():
        assert reasons["listening.txt"] == "not a regular file (a socket)"
    assert [f.name for f in files] == ["alias.txt", "garbage.txt", "soup.md"]  # good.txt is alias.txt
    # binary content whatever the extension: refused when loaded
    for name in ("garbage.txt", "soup.md"):
        docs, bad = load_file(odd_folder / name)
        assert docs == [] and bad[0].reason.startswith("binary content"), (name, bad)
    # a FIFO named explicitly is refused too, without blocking
    docs, bad = load_file(odd_folder / "pipe.txt")
    assert docs == [] and bad[0].reason == "not a regular file (a named pipe (FIFO))"


def test_device_named_explicitly_is_refused():
    files, skipped = discover(["/dev/null"])
    assert files == [] and skipped[0].reason == "not a regular file (a device)"


def test_ingest_of_odd_folder_indexes_the_rest(odd_folder, tmp_path, encoder):
    report = ingest([odd_folder], tmp_path / "idx", encoder=encoder)
    assert report.documents == 1 and report.added == 1
    names = sorted(Path(s.path).name for s in report.skipped)
    assert {"dangling.txt", "loop-a.md", "loop-b.md", "pipe.txt", "garbage.txt", "soup.md"} <= set(names)


def test_cli_ingest_with_a_fifo_does_not_hang(odd_folder, tmp_path):
    r = planbot("ingest", str(odd_folder), "--index", str(tmp_path / "idx"), timeout=240)
    assert r.returncode == 3, r.stderr
    assert "pipe.txt: not a regular file" in r.stderr and "Traceback" not in r.stderr
    assert "1 added" in r.stdout


# --------------------------------------------------------------------------- never lose the index


@pytest.fixture()
def working_index(tmp_path, fixture_corpus, encoder) -> Path:
    index_dir = tmp_path / "index"
    ingest([fixture_corpus], index_dir, encoder=encoder)
    return index_dir


def _answerable(index_dir: Path) -> int:
    idx = Index.open(index_dir)
    try:
        return len(list(idx.documents()))
    finally:
        idx.close()


def test_rebuild_of_a_missing_path_refuses_and_keeps_the_index(working_index, tmp_path):
    before = (working_index / "manifest.json").read_text()
    r = planbot("ingest", str(tmp_path / "NO-SUCH-PATH"), "--rebuild", "--index", str(working_index))
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "NO-SUCH-PATH: no such file or directory" in r.stderr
    assert "was left as it was" in r.stderr and "Traceback" not in r.stderr
    assert (working_index / "manifest.json").read_text() == before
    assert _answerable(working_index) == 2


def test_rebuild_of_only_unreadable_files_refuses(working_index, tmp_path, encoder):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "pipe.txt").parent.mkdir(exist_ok=True)
    os.mkfifo(junk / "pipe.txt")
    (junk / "broken.txt").write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(NothingToIngest) as err:
        ingest([junk], working_index, encoder=encoder, rebuild=True)
    # the FIFO is refused at discovery, the binary file when read
    assert [Path(s.path).name for s in err.value.skipped] == ["pipe.txt", "broken.txt"]
    assert _answerable(working_index) == 2


def test_empty_folder_is_a_warning_and_exit_3(working_index, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.pdf").write_bytes(b"%PDF-1.7")
    before = (working_index / "manifest.json").read_text()
    r = planbot("ingest", str(empty), "--rebuild", "--index", str(working_index))
    assert r.returncode == 3, (r.stdout, r.stderr)
    assert "warning: no supported files" in r.stderr and str(empty) in r.stderr
    assert (working_index / "manifest.json").read_text() == before
    assert _answerable(working_index) == 2


def test_missing_path_without_an_index_creates_nothing(tmp_path):
    r = planbot("ingest", str(tmp_path / "typo"), "--index", str(tmp_path / "fresh"))
    assert r.returncode == 2 and "no index was created" in r.stderr
    assert not (tmp_path / "fresh" / "manifest.json").exists()


def test_compose_corpus_mount_refuses_a_missing_folder():
    compose = yaml.safe_load((REPO / "deploy" / "docker-compose.yml").read_text(encoding="utf-8"))
    mounts = [v for v in compose["services"]["ingest"]["volumes"] if isinstance(v, dict) and v.get("target") == "/corpus"]
    assert len(mounts) == 1
    source = mounts[0]["source"]
    default = source.split(":-", 1)[1].rstrip("}") if ":-" in source else source
    exists = (REPO / "deploy" / default).resolve().is_dir()
    assert exists or mounts[0]["bind"]["create_host_path"] is False


# --------------------------------------------------------------------------- progress without a terminal


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_progress_log_is_throttled_with_rate_and_eta():
    out, clock = io.StringIO(), FakeClock()
    log = ProgressLog(out, interval=5.0, clock=clock)
    log("reading", 0, 3)
    clock.now += 1
    log("reading", 3, 3)
    for done in range(0, 1001, 10):  # 100 updates over 20 s: one line per 5 s
        log("embedding", done, 1000)
        clock.now += 0.2
    lines = out.getvalue().splitlines()
    assert lines[:2] == ["ingest: 0/3 files read", "ingest: 3/3 files read, 3.0/s"]
    embedding = lines[2:]
    assert embedding[0] == "ingest: 0/1000 chunks embedded"
    assert embedding[-1] == "ingest: 1000/1000 chunks embedded, 50.0/s"
    assert 4 <= len(embedding) <= 7
    assert "chunks embedded, 50.0/s, ETA 15s" in embedding[1]


def test_cli_logs_progress_when_stdout_is_a_pipe(tmp_path, fixture_corpus):
    r = planbot("ingest", str(fixture_corpus), "--index", str(tmp_path / "idx"), env={"PLANBOT_PROGRESS_SECONDS": "0"})
    assert r.returncode == 0, r.stderr
    assert "ingest: 2/2 files read" in r.stderr
    assert "chunks embedded" in r.stderr and "ingest: index written" in r.stderr


# --------------------------------------------------------------------------- linear chunking


def _cpu(fn, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


@pytest.mark.parametrize("unit", ["industrial output rises ", "工业产值增长新兴产业发展"])
def test_chunking_is_linear_in_the_length_of_a_line(unit):
    small = (unit * (25_000 // len(unit) + 1))[:25_000]
    large = small * 4
    spans = chunk_spans(large)
    assert spans[0][0] == 0 and spans[-1][1] == len(large)
    assert all(e - s <= 800 for s, e in spans)
    # quadratic packing made 4x the length cost ~14x; linear is ~4x
    ratio = _cpu(lambda: chunk_spans(large)) / max(_cpu(lambda: chunk_spans(small)), 1e-4)
    assert ratio < 8, ratio
