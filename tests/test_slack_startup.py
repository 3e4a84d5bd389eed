"""`planbot serve` starting and stopping as a process: one line and a distinct exit status for
each start-up failure, transient ones retried first, and SIGTERM finishing the answers taken.

Each test runs the real CLI (`python -m bot.cli serve`) against the fake Slack on 127.0.0.1.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.slack import startup

try:
    from slack_fake import FakeSlack, SlackSender
    from test_slack_bot import (BOT_TOKEN, CHANNEL, MENTION, SIGNING_SECRET, fake, server_log,  # noqa: F401
                                slack_corpus, slack_encoder, slack_index)
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import FakeSlack, SlackSender
    from tests.test_slack_bot import (BOT_TOKEN, CHANNEL, MENTION, SIGNING_SECRET, fake, server_log,  # noqa: F401
                                      slack_corpus, slack_encoder, slack_index)

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_env(api_url: str, index_dir: Path, port: int, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PLANBOT_"))}
    env.update({"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": api_url,
                "PLANBOT_INDEX": str(index_dir), "PORT": str(port), "PLANBOT_SLACK_WAIT": "3",
                "PYTHONPATH": os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]), **extra})
    return env


def start_serve(env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1"], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def run_serve(env: dict, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess:
    proc = start_serve(env, cwd)
    out, err = proc.communicate(timeout=timeout)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def error_lines(result: subprocess.CompletedProcess) -> list[str]:
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_invalid_token_is_one_line_and_exit_77(fake, slack_index, tmp_path):
    fake.reset()
    fake.fail("auth.test", error="invalid_auth")
    result = run_serve(serve_env(fake.api_url, slack_index, free_port()), tmp_path)
    assert result.returncode == startup.EXIT_TOKEN_REJECTED == 77
    (line,) = error_lines(result)
    assert "SLACK_BOT_TOKEN" in line and "invalid_auth" in line and "OAuth & Permissions" in line
    assert BOT_TOKEN not in result.stderr


def test_port_in_use_is_one_line_and_exit_73(fake, slack_index, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_serve(serve_env(fake.api_url, slack_index, port), tmp_path)
    assert result.returncode == startup.EXIT_PORT_IN_USE == 73
    (line,) = error_lines(result)
    assert f"port {port}" in line and "already in use" in line and "PORT" in line


def test_missing_index_is_one_line_and_exit_66(fake, tmp_path):
    fake.reset()
    result = run_serve(serve_env(fake.api_url, tmp_path / "no-index", free_port()), tmp_path)
    assert result.returncode == startup.EXIT_NO_INDEX == 66
    (line,) = error_lines(result)
    assert "no index" in line and "planbot ingest" in line


def test_slack_unreachable_is_retried_then_exit_75(tmp_path):
    dead = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there
    started = time.monotonic()
    result = run_serve(serve_env(dead, tmp_path / "index", free_port(), PLANBOT_SLACK_WAIT="3"), tmp_path)
    assert result.returncode == startup.EXIT_SLACK_UNREACHABLE == 75
    assert time.monotonic() - started >= 3  # retried for PLANBOT_SLACK_WAIT seconds first
    assert len(re.findall(r"cannot reach Slack for auth.test .* retrying in", result.stderr)) >= 2
    (line,) = error_lines(result)
    assert "cannot reach Slack" in line and "SLACK_API_URL" in line


def test_slack_that_comes_up_late_is_waited_for(tmp_path):
    """The network comes up 2 s after the bot starts: it waits, then carries on (to the
    missing index here, which is the next check: exit 66, not 75)."""
    port = free_port()
    proc = start_serve(serve_env(f"http://127.0.0.1:{port}/api/", tmp_path / "no-index", free_port(),
                                 PLANBOT_SLACK_WAIT="30"), tmp_path)
    time.sleep(2.0)
    late = FakeSlack().start(port)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        late.stop()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert "cannot reach Slack for auth.test" in err
    assert result.returncode == startup.EXIT_NO_INDEX
    assert len(error_lines(result)) == 1
    assert late.calls_to("auth.test")


def test_sigterm_finishes_the_answers_already_taken(fake, slack_index, tmp_path):
    fake.reset()
    port = free_port()
    proc = start_serve(serve_env(fake.api_url, slack_index, port), tmp_path)
    try:
        deadline = time.monotonic() + 90
        while True:  # wait until it serves (the model loads first)
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    if json.loads(resp.read())["ok"]:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.poll() is not None else "timeout"
            time.sleep(0.2)
        fake.slow(0.8)  # every Web API call now takes 0.8 s: the answer is still on its way at SIGTERM
        sender = SlackSender(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        text = f"{MENTION} How much fixed-asset investment did Binhu District complete in 2024?"
        ts = fake.add_message(CHANNEL, text)
        ack = sender.event({"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts, "channel": CHANNEL})
        assert ack.status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    status = fake.calls_to("chat.postMessage", where=lambda c: c.get("thread_ts") == ts)[0]
    final = fake.calls_to("chat.update", where=lambda c: c.get("ts") == status.response["ts"])
    assert final and "28.7 billion yuan" in final[-1].all_text()
    fake.reset()


def test_systemd_unit_does_not_restart_permanent_failures():
    unit = (REPO / "deploy" / "planbot.service").read_text(encoding="utf-8")
    (line,) = [l for l in unit.splitlines() if l.startswith("RestartPreventExitStatus=")]
    assert {int(x) for x in line.split("=", 1)[1].split()} == set(startup.PERMANENT_EXIT_STATUSES)
    assert startup.EXIT_SLACK_UNREACHABLE not in startup.PERMANENT_EXIT_STATUSES
    readme = (REPO / "deploy" / "README.md").read_text(encoding="utf-8")
    for code in (*startup.PERMANENT_EXIT_STATUSES, startup.EXIT_SLACK_UNREACHABLE):
        assert re.search(rf"^\| `?{code}`? \|", readme, re.M), f"exit status {code} is not in deploy/README.md"
