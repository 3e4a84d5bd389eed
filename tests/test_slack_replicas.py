"""Two bot replicas on one Redis (PLANBOT_REDIS_URL) behind the fake Slack.

A real redis-server runs on a free port in a temp dir; each replica is its own Bolt app, HTTP
server, engine and state object — what they share is Redis and nothing else. Slack's retry of
an event reaching the other replica is answered once; a thread one replica answered in is
followed up by the other; a share button works on either; Redis going away mid-run costs no
answer and leaves no traceback; Redis unreachable at start is one line and exit 75.
"""
from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from bot.config import Settings
from bot.slack import startup
from bot.slack.app import build_app, make_http_server
from bot.slack.runtime import state_of

try:
    from slack_fake import LogWatch
    from test_slack_bot import (CHANNEL, MENTION, Harness, fake, server_log, settings_for,  # noqa: F401
                                slack_corpus, slack_encoder, slack_index)
    from test_slack_startup import error_lines, run_serve, serve_env
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import LogWatch
    from tests.test_slack_bot import (CHANNEL, MENTION, Harness, fake, server_log, settings_for,  # noqa: F401
                                      slack_corpus, slack_encoder, slack_index)
    from tests.test_slack_startup import error_lines, run_serve, serve_env

REDIS_SERVER = shutil.which("redis-server")
if REDIS_SERVER is None and os.environ.get("CI") != "true":  # in CI .ci/run installs it: a missing one fails there
    pytest.skip("redis-server is not installed (apt-get install -y redis-server); CI runs these tests",
                allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on 127.0.0.1:<free port>, its files in `root`, nothing written to disk."""

    def __init__(self, root: Path) -> None:
        assert REDIS_SERVER, "redis-server is not installed: .ci/run installs it with apt-get"
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        root.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(root), "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.stop()
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server
    server.stop()


# Slack numbers events per workspace, not per receiver: the replicas' senders draw from one sequence.
EVENT_IDS = itertools.count(1)


class Replica(Harness):
    def __init__(self, *args) -> None:
        super().__init__(*args)
        self.sender._ids = EVENT_IDS

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        state_of(self.app).gateway.shutdown()
        state_of(self.app).shared.close()


def start_replica(fake, index_dir: Path, encoder, redis_url: str) -> Replica:
    from retrieval.engine import Engine

    settings = settings_for(fake, index_dir, PLANBOT_REDIS_URL=redis_url)
    shared = startup.open_shared_state(settings.redis_url, budget=0)
    app = build_app(settings, Engine(index_dir, encoder=encoder), shared=shared)
    server = make_http_server(app, settings, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return Replica(fake, server, f"http://127.0.0.1:{server.port}/slack/events")


@pytest.fixture(scope="module")
def replicas(fake, slack_index, slack_encoder, redis_server):
    pair = [start_replica(fake, slack_index, slack_encoder, redis_server.url) for _ in range(2)]
    yield pair
    for r in pair:
        r.close()


@pytest.fixture
def pair(replicas, fake):
    fake.wait_idle()
    fake.reset()
    yield replicas
    fake.wait_idle()


def thread_posts(fake, ts: str) -> list:
    return fake.calls_to("chat.postMessage", where=lambda c: c.get("channel") == CHANNEL and c.get("thread_ts") == ts)


def test_replicas_share_redis_not_memory(pair):
    a, b = pair
    assert state_of(a.app).shared is not state_of(b.app).shared
    assert {state_of(r.app).shared.health()["backend"] for r in pair} == {"redis"}
    assert a.get("/healthz")[1]["state"] == {"backend": "redis", "url": state_of(a.app).shared.url, "ok": True,
                                             "failures": 0}


def test_retried_event_delivered_to_both_replicas_is_answered_once(pair):
    a, b = pair
    text = f"{MENTION} How many high-tech enterprises were certified in Binhu?"
    ts = a.fake.add_message(CHANNEL, text)
    event = {"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts, "channel": CHANNEL}
    responses: dict[str, object] = {}

    def deliver(name: str, replica: Replica, headers: dict) -> None:
        responses[name] = replica.sender.event(event, event_id="Ev0REPLICA01", headers=headers)

    # The original to one replica and Slack's retry to the other, at the same moment: SET NX decides.
    senders = [threading.Thread(target=deliver, args=("first", a, {})),
               threading.Thread(target=deliver, args=("retry", b, {"X-Slack-Retry-Num": "1",
                                                                   "X-Slack-Retry-Reason": "http_timeout"}))]
    for t in senders:
        t.start()
    for t in senders:
        t.join()
    assert all(r.status == 200 and r.seconds < 3 for r in responses.values()), responses
    a.answer(CHANNEL, ts)
    time.sleep(1.0)  # a second answer would have had time to start
    assert len(thread_posts(a.fake, ts)) == 1
    assert len(a.fake.calls_to("chat.update")) == 1


def test_thread_context_set_through_one_replica_is_seen_by_the_other(pair):
    a, b = pair
    root = a.mention(f"{MENTION} What fixed-asset investment did Binhu District complete in 2024?")
    a.answer(CHANNEL, root)
    # The other replica gets the follow-up, and cannot read the thread (a private channel without
    # groups:history, say): only the shared thread state says the bot is in it and what it is about.
    b.fake.fail("conversations.replies", error="missing_scope")
    b.message("How much did it grow?", channel=CHANNEL, thread_ts=root)
    status = b.fake.wait_for("chat.postMessage", count=2, where=lambda c: c.get("thread_ts") == root)[-1]
    final = b.fake.wait_for("chat.update", where=lambda c: c.get("ts") == status.response["ts"])[-1]
    tried = b.fake.attempts("conversations.replies")
    assert tried and all(c.status != 200 for c in tried)  # the thread was never read
    assert "Binhu" in final.all_text() and "12%" in final.all_text()


def test_share_button_works_on_the_other_replica(pair):
    a, b = pair
    url = a.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    a.sender.command("/ask", "How much fixed-asset investment did Binhu complete?", url)
    post = a.fake.wait_for("response_url", where=lambda c: c.response_id == rid and c.blocks)[-1]
    button = post.blocks[-1]["elements"][0]
    share_url = b.fake.response_url()
    sid = share_url.rsplit("/", 1)[1]
    b.sender.block_action(button["value"], share_url)
    shared = b.fake.wait_for("response_url", where=lambda c: c.response_id == sid and c.get("response_type") == "in_channel")[0]
    # The very message replica A formatted (its feedback ids too): B did not re-run the question.
    assert shared.blocks[:-1] == post.blocks[:-1]


def test_feedback_clicked_on_the_other_replica_is_kept_in_redis_and_exported(pair, redis_server, tmp_path):
    import json
    import sys

    import redis

    a, b = pair
    question = "What R&D spending did Binhu District report?"
    ts = a.mention(f"{MENTION} {question}")
    _, final = a.answer(CHANNEL, ts)
    (buttons,) = [blk for blk in final.blocks if blk.get("block_id") == "planbot_feedback"]
    answer_id = buttons["elements"][0]["value"]
    # The click reaches the other replica, which never showed that answer.
    url = b.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    r = b.sender.block_action(answer_id, url, user="UFEEDBK03", action_id="planbot_feedback_wrong_source")
    assert r.status == 200 and r.seconds < 3
    note = b.fake.wait_for("response_url", where=lambda c: c.response_id == rid)[0]
    assert "Thanks — recorded" in note.text
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    assert answer_id in client.zrange("planbot:feedback:rated", 0, -1)  # in Redis, not in a replica's file
    read = {"string": client.get, "hash": client.hgetall, "zset": lambda k: client.zrange(k, 0, -1)}
    kept = json.dumps([read[client.type(k)](k) for k in client.scan_iter("planbot:feedback:*")], ensure_ascii=False)
    assert question in kept and "UFEEDBK03" not in kept  # user ids only hashed
    # `planbot feedback` on a machine with no feedback file, only the Redis URL, exports it.
    env = {k: v for k, v in os.environ.items() if k != "PLANBOT_FEEDBACK"}
    env.update(PLANBOT_REDIS_URL=redis_server.url, PLANBOT_INDEX=str(tmp_path / "no-index"))
    out = subprocess.run([sys.executable, "-m", "bot.cli", "feedback", "--json"], capture_output=True, text=True,
                         timeout=60, env=env, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    rows = {row["question"]: row for row in map(json.loads, out.stdout.splitlines())}
    assert rows[question]["feedback"]["verdict"] == "wrong_source" and rows[question]["feedback"]["votes"] == {"wrong_source": 1}
    assert not (tmp_path / "no-index.feedback.sqlite3").exists()


def test_redis_lost_mid_run_costs_no_answer_and_no_traceback(fake, slack_index, slack_encoder, tmp_path):
    redis_server = RedisServer(tmp_path / "redis")
    bot = start_replica(fake, slack_index, slack_encoder, redis_server.url)
    try:
        fake.wait_idle()
        fake.reset()
        with LogWatch() as watch:
            redis_server.stop()
            text = f"{MENTION} What output does Binhu target for integrated circuits?"
            ts = fake.add_message(CHANNEL, text)
            event = {"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts, "channel": CHANNEL}
            first = bot.sender.event(event, event_id="Ev0NOREDIS01")
            again = bot.sender.event(event, event_id="Ev0NOREDIS01", headers={"X-Slack-Retry-Num": "1"})
            assert first.status == again.status == 200 and first.seconds < 3 and again.seconds < 3
            _, final = bot.answer(CHANNEL, ts)
            assert "60 billion yuan" in final.all_text()
            time.sleep(0.5)
            assert len(thread_posts(fake, ts)) == 1  # this replica's memory dedups meanwhile
        warnings = [r.getMessage() for r in watch.records if "Redis at" in r.getMessage()]
        assert len(warnings) == 1 and "in this replica's memory" in warnings[0], warnings
        assert not watch.tracebacks(), watch.tracebacks()
        assert bot.get("/healthz")[1]["state"]["ok"] is False
    finally:
        bot.close()
        redis_server.stop()


def test_redis_unreachable_at_start_is_one_line_and_exit_75(fake, slack_index, tmp_path):
    fake.reset()
    url = f"redis://:hunter2secret@127.0.0.1:{free_port()}/0"  # nothing listens there
    result = run_serve(serve_env(fake.api_url, slack_index, free_port(), PLANBOT_REDIS_URL=url,
                                 PLANBOT_SLACK_WAIT="1"), tmp_path)
    assert result.returncode == startup.EXIT_SLACK_UNREACHABLE == 75
    (line,) = error_lines(result)
    assert "cannot reach Redis at redis://:***@127.0.0.1" in line and "PLANBOT_REDIS_URL" in line
    assert "hunter2secret" not in result.stderr + result.stdout


def test_redis_url_that_is_not_one_is_a_settings_error():
    settings = Settings.load(environ={"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "a1b2c3d4e5f60718293a4b5c",
                                      "PLANBOT_REDIS_URL": "localhost:6379"}, env_file=False)
    assert any("PLANBOT_REDIS_URL" in p for p in settings.problems_for_serve())
    assert "redis_url" in settings.describe()
