"""The Slack bot under faults, load and hostile traffic (issue 16).

Same setup as test_slack_bot: the real HTTP server (waitress) and the real engine over a
small real index, requests signed as Slack signs them, a fake Slack Web API on 127.0.0.1
that can be slow, fail, rate-limit, hang or drop connections. One test per failure seen
in the issue, then a bounded load test. The module's log must hold no traceback.
"""
from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bot.slack.app import build_app, make_http_server
from bot.slack.http import HttpLimits
from bot.slack.runtime import state_of
from bot.slack.work import AnswerQueue

try:
    from slack_fake import FakeSlack, post, sign
    # The fixtures too: each module gets its own fake Slack and its own log check (`server_log`, autouse).
    from test_slack_bot import (CHANNEL, MENTION, SIGNING_SECRET, Harness, bot, fake,  # noqa: F401
                                server_log, settings_for, slack_corpus, slack_encoder, slack_engine, slack_index)
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import FakeSlack, post, sign
    from tests.test_slack_bot import (CHANNEL, MENTION, SIGNING_SECRET, Harness, bot, fake,  # noqa: F401
                                      server_log, settings_for, slack_corpus, slack_encoder, slack_engine, slack_index)

OTHER = "C0OTHER01"


@contextlib.contextmanager
def bot_on(fake: FakeSlack, index_dir, engine, *, queue: AnswerQueue | None = None, api_timeout: float = 2.0,
           api_budget: float = 20.0, limits: HttpLimits = HttpLimits(read_timeout=2)):
    """A bot (own app, queue and HTTP server) on the fake Slack, stopped afterwards."""
    settings = settings_for(fake, index_dir)
    app = build_app(settings, engine, queue=queue, api_timeout=api_timeout, api_budget=api_budget)
    server = make_http_server(app, settings, "127.0.0.1", 0, limits=limits)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.wait_idle()
    fake.reset()
    try:
        yield Harness(fake, server, f"http://127.0.0.1:{server.port}/slack/events")
    finally:
        fake.wait_idle(quiet=0.5, timeout=30)
        server.shutdown()
        state_of(app).queue.drain(10)
        state_of(app).queue.shutdown()
        state_of(app).gateway.shutdown()


@pytest.fixture(scope="module")
def running_bot(fake, slack_engine, slack_index):  # what test_slack_bot's `bot` fixture wraps, here
    with bot_on(fake, slack_index, slack_engine) as harness:
        yield harness


def raw_post(url: str, body: bytes, headers: dict) -> tuple[int, str]:
    """POST bytes exactly as given (urllib, no re-encoding)."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


def answered_commands(fake: FakeSlack, rid: str) -> list:
    return fake.calls_to("response_url", where=lambda c: c.response_id == rid and bool(c.blocks))


# ---------------------------------------------------------------------------- malformed requests
def test_non_numeric_timestamp_is_a_400(bot, server_log):
    body = json.dumps(bot.sender.event_payload({"type": "app_mention", "user": "UHUMAN01", "text": MENTION,
                                                "ts": "1.2", "channel": CHANNEL}))
    headers = {**sign(SIGNING_SECRET, body), "X-Slack-Request-Timestamp": "yesterday"}
    r = post(bot.sender.url, body, "application/json", headers)
    assert r.status == 400 and "Timestamp" in r.body


@pytest.mark.parametrize("content_type,body", [
    ("application/json", '{"type": "event_callback", "event": {'),  # cut short
    ("application/json", "[1, 2, 3]"),  # JSON, but not an object
    ("application/x-www-form-urlencoded", "payload=%7Bnot+json"),  # a button click with a broken payload
    ("application/x-www-form-urlencoded", "payload=%5B%22a%22%5D"),  # payload=["a"]
])
def test_malformed_bodies_are_400_when_signed_and_401_when_not(bot, content_type, body):
    signed = post(bot.sender.url, body, content_type, sign(SIGNING_SECRET, body))
    assert signed.status == 400, signed
    unsigned = post(bot.sender.url, body, content_type, sign("0" * 32, body))
    assert unsigned.status == 401, unsigned
    nothing = post(bot.sender.url, body, content_type)
    assert nothing.status == 401, nothing
    time.sleep(0.3)
    assert not bot.fake.calls


def refused_status(port: int, head: bytes, body: bytes = b"") -> str:
    """Send a request over a raw socket; the status line's code, or "reset" when the server
    refused by closing before reading it all (the answer may then be lost in the reset)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        try:
            s.sendall(head + body)
            data = s.recv(200)
        except (ConnectionResetError, BrokenPipeError):
            return "reset"
    return data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "closed"


def test_non_utf8_oversized_body_and_headers_are_refused(bot):
    status, _ = raw_post(bot.sender.url, b"\xff\xfe payload", {"Content-Type": "application/json",
                                                                 **sign(SIGNING_SECRET, "x")})
    assert status == 400
    port = bot.server.port
    big = b"{" + b" " * (2 << 20) + b"}"
    head = (f"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(big)}\r\n\r\n").encode()
    assert refused_status(port, head, big) in ("413", "reset")
    padded = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"p" * 40_000 + b"\r\nContent-Length: 0\r\n\r\n"
    assert refused_status(port, padded) in ("400", "431", "reset")
    assert bot.get("/healthz")[0] == 200  # still serving
    time.sleep(0.3)
    assert not bot.fake.calls


def test_stalled_clients_are_dropped_and_hold_no_worker(bot):
    """30 clients send headers and half a body, then stall; real requests are still acked at
    once, and the stalled connections are closed after the read timeout (2 s here)."""
    host, port = "127.0.0.1", bot.server.port
    stalled = []
    for _ in range(30):
        s = socket.create_connection((host, port), timeout=10)
        s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Content-Length: 1000\r\n\r\n{\"type\": \"event_")
        stalled.append(s)
    started = time.monotonic()
    ts = bot.mention(f"{MENTION} How much fixed-asset investment did Binhu District complete in 2024?")  # acked < 3 s
    _, final = bot.answer(CHANNEL, ts)
    assert "28.7 billion yuan" in final.all_text()
    closed = 0
    for s in stalled:
        s.settimeout(max(0.1, 8 - (time.monotonic() - started)))
        try:
            data = s.recv(100)
            closed += data == b"" or data.startswith(b"HTTP/1.1 4")  # EOF (or a 408-style answer)
        except (ConnectionResetError, socket.timeout, TimeoutError) as exc:
            closed += isinstance(exc, ConnectionResetError)
        finally:
            s.close()
    assert closed == 30
    assert time.monotonic() - started < 8


# ---------------------------------------------------------------------------- acks under pressure
def test_acks_never_wait_for_a_rate_limited_web_api(bot):
    """The Web API answers 429 (Retry-After 2 s) to chat.postMessage for a while: mentions pile
    up behind it, and ten /ask from another channel are still acked at once and answered."""
    bot.fake.fail("chat.postMessage", status=429, retry_after=2, times=16)
    busy = [bot.mention(f"{MENTION} What total investment do Binhu's major projects have? ({i})") for i in range(10)]
    urls = [bot.fake.response_url() for _ in range(10)]
    with ThreadPoolExecutor(10) as pool:
        acks = list(pool.map(lambda u: bot.sender.command("/ask", "What R&D spending did Binhu report?", u,
                                                          channel=OTHER), urls))
    assert all(a.status == 200 and a.seconds < 3 for a in acks), [(a.status, round(a.seconds, 2)) for a in acks]
    assert all("Searching" in a.json()["text"] or "queued" in a.json()["text"] for a in acks)
    for url in urls:
        rid = url.rsplit("/", 1)[1]
        post_ = bot.fake.wait_for("response_url", timeout=30, where=lambda c, rid=rid: c.response_id == rid and bool(c.blocks))
        assert "6.1 billion yuan" in post_[0].all_text()
    for ts in busy:  # the rate-limited ones are answered too, once the limit passes
        bot.answer(CHANNEL, ts, timeout=60)


def test_healthz_shows_the_queue_and_busy_users_are_told(fake, slack_index, slack_engine):
    queue = AnswerQueue(workers=1, intake_workers=1, busy_at=3)
    with bot_on(fake, slack_index, slack_engine, queue=queue) as harness:
        gateway = state_of(harness.app).gateway
        gateway._lock.acquire()  # the engine is busy
        try:
            urls = [fake.response_url() for _ in range(6)]
            acks = [harness.sender.command("/ask", f"What is Binhu's integrated circuit target? ({i})", u)
                    for i, u in enumerate(urls)]
            assert all(a.status == 200 and a.seconds < 3 for a in acks)
            texts = [a.json()["text"] for a in acks]
            assert "Searching" in texts[0]
            assert all("Busy right now — your question is queued behind" in t for t in texts[3:]), texts
            status, report = harness.get("/healthz")
            assert status == 200 and report["queue"]["depth"] == 6 and report["queue"]["busy"] is True
        finally:
            gateway._lock.release()
        for url in urls:
            rid = url.rsplit("/", 1)[1]
            assert "60 billion yuan" in fake.wait_for(
                "response_url", where=lambda c, rid=rid: c.response_id == rid and bool(c.blocks))[0].all_text()
        deadline = time.monotonic() + 10  # the last worker may still be reading response_url's answer
        while harness.get("/healthz")[1]["queue"]["depth"] and time.monotonic() < deadline:
            time.sleep(0.05)
        assert harness.get("/healthz")[1]["queue"]["depth"] == 0


def test_a_full_queue_is_said_in_the_ack(fake, slack_index, slack_engine):
    queue = AnswerQueue(workers=1, intake_workers=1, capacity=2)
    with bot_on(fake, slack_index, slack_engine, queue=queue) as harness:
        gateway = state_of(harness.app).gateway
        gateway._lock.acquire()
        try:
            acks = [harness.sender.command("/ask", f"What did Binhu invest? ({i})", fake.response_url()) for i in range(3)]
        finally:
            gateway._lock.release()
        assert [a.status for a in acks] == [200, 200, 200]
        assert "overloaded" in acks[2].json()["text"] and "again in a minute" in acks[2].json()["text"]


# ---------------------------------------------------------------------------- replies never lost
@pytest.mark.parametrize("status", [502, 503, 504])
def test_a_gateway_error_on_post_message_is_retried(bot, status):
    bot.fake.fail("chat.postMessage", status=status)
    ts = bot.mention(f"{MENTION} What output does Binhu target for integrated circuits?")
    _, final = bot.answer(CHANNEL, ts)
    assert "60 billion yuan" in final.all_text()
    assert [a.status for a in bot.fake.attempts("chat.postMessage")][:2] == [status, 200]


def test_a_two_second_outage_of_the_status_post_still_answers(bot):
    bot.fake.fail("chat.postMessage", status=500, times=3)  # ~2 s of 500s
    ts = bot.mention(f"{MENTION} How many high-tech enterprises were certified in Binhu?")
    _, final = bot.answer(CHANNEL, ts)
    assert "37" in final.all_text()
    assert [a.status for a in bot.fake.attempts("chat.postMessage")][:4] == [500, 500, 500, 200]


def test_a_failed_status_post_still_leads_to_the_answer(bot):
    bot.fake.fail("chat.postMessage", error="internal_error")  # Slack refuses the status
    ts = bot.mention(f"{MENTION} What R&D spending did Binhu District report?")
    answer = bot.first_reply(CHANNEL, ts)  # posted directly, as the thread's only reply
    assert "6.1 billion yuan" in answer.all_text()
    time.sleep(0.3)
    assert len(bot.replies(CHANNEL, ts)) == 1 and not bot.fake.calls_to("chat.update")


def test_timeouts_and_dropped_connections_are_retried(bot):
    bot.fake.fail("chat.update", hang=3)  # longer than the bot's 2 s per-call timeout
    bot.fake.fail("chat.update", drop=True)
    ts = bot.mention(f"{MENTION} What total investment do Binhu's major projects have this year?")
    status = bot.first_reply(CHANNEL, ts)
    final = bot.fake.wait_for("chat.update", timeout=30, where=lambda c: c.get("ts") == status.response["ts"])
    assert "52 billion yuan" in final[-1].all_text()
    assert sorted(a.status for a in bot.fake.attempts("chat.update")) == [0, 200, 504]  # dropped, timed out, done


def test_retrying_is_bounded_in_time(fake, slack_index, slack_engine):
    """chat.update keeps failing: after the 2 s budget the answer is posted in the thread instead."""
    with bot_on(fake, slack_index, slack_engine, api_budget=2.0) as harness:
        fake.fail("chat.update", status=503, times=1000)
        started = time.monotonic()
        ts = harness.mention(f"{MENTION} What fixed-asset investment did Binhu complete in 2024?")
        replies = fake.wait_for("chat.postMessage", count=2, timeout=20, where=lambda c: c.get("thread_ts") == ts)
        assert "28.7 billion yuan" in replies[1].all_text()
        assert time.monotonic() - started < 6
        fake.reset()


def test_an_undeliverable_reply_is_logged_once_at_error(bot, server_log):
    before = len(server_log.errors())
    bot.fake.fail("chat.postMessage", error="channel_not_found", times=3)  # status, answer, plain-text answer
    bot.mention(f"{MENTION} What did Binhu invest?", channel="C0GONE")
    deadline = time.monotonic() + 15
    while not server_log.errors("C0GONE") and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    errors = server_log.errors()[before:]
    assert len(errors) == 1, [e.getMessage() for e in errors]
    message = errors[0].getMessage()
    assert "C0GONE" in message and "channel_not_found" in message and "could not deliver the answer" in message


def test_an_undeliverable_command_answer_is_logged_once(bot, server_log):
    before = len(server_log.errors())
    url = bot.fake.response_url()
    bot.fake.fail("response_url/" + url.rsplit("/", 1)[1], status=404, error="expired_url")
    bot.fake.fail("chat.postEphemeral", error="user_not_in_channel")
    bot.sender.command("/ask", "What R&D spending did Binhu report?", url, channel=OTHER)
    deadline = time.monotonic() + 15
    while not server_log.errors(OTHER) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    errors = [e.getMessage() for e in server_log.errors()[before:]]
    assert len(errors) == 1 and OTHER in errors[0] and "user_not_in_channel" in errors[0], errors


# ---------------------------------------------------------------------------- load
@pytest.mark.slow
def test_load_200_commands_and_50_mentions_on_a_slow_flaky_web_api(fake, slack_index, slack_engine):
    """Every request acked within 3 s; every question answered (or told it failed) exactly once,
    while every Web API call takes 20-150 ms and 8 % of them fail (5xx or 429)."""
    with bot_on(fake, slack_index, slack_engine, api_budget=30.0) as harness:
        fake.slow(0.02, 0.15)
        fake.flaky(0.08)
        questions = ["What R&D spending did Binhu report?", "What is Binhu's integrated circuit output target?",
                     "江宁区计划实施多少个重大产业项目？", "How much fixed-asset investment did Binhu complete in 2024?"]
        jobs = [("command", i) for i in range(200)] + [("mention", i) for i in range(50)]
        jobs = jobs[::5] + [j for k, j in enumerate(jobs) if k % 5]  # mentions interleaved with commands
        urls = {i: fake.response_url() for i in range(200)}
        mention_ts: dict[int, str] = {}
        sender = harness.sender

        def prepare(job) -> dict:  # signed exactly as Slack signs, sent by another process
            kind, i = job
            q = questions[i % len(questions)] + f" (#{i})"
            if kind == "command":
                fields = sender.command_fields("/ask", q, urls[i], channel=CHANNEL, user=f"ULOAD{i:04d}")
                body, ctype = urllib.parse.urlencode(fields), "application/x-www-form-urlencoded"
            else:
                text = f"{MENTION} {q}"
                ts = mention_ts[i] = fake.add_message(CHANNEL, text)
                body = json.dumps(sender.event_payload({"type": "app_mention", "user": "UHUMAN01", "text": text,
                                                        "ts": ts, "channel": CHANNEL}))
                ctype = "application/json"
            return {"url": sender.url, "body": body, "headers": {"Content-Type": ctype, **sign(SIGNING_SECRET, body)}}

        requests = [prepare(job) for job in jobs]
        started = time.monotonic()
        client = subprocess.run([sys.executable, str(Path(__file__).with_name("slack_load_client.py")), "100"],
                                input=json.dumps(requests), capture_output=True, text=True, timeout=120)
        assert client.returncode == 0, client.stderr
        acks = json.loads(client.stdout)
        slow_acks = [(a["status"], round(a["seconds"], 2)) for a in acks if a["status"] != 200 or a["seconds"] >= 3]
        assert not slow_acks, slow_acks

        def finished() -> bool:
            return all(answered_commands(fake, url.rsplit("/", 1)[1]) or fake.calls_to(
                "chat.postEphemeral", where=lambda c, i=i: c.get("user") == f"ULOAD{i:04d}") for i, url in urls.items()) \
                and all(_mention_answers(fake, ts) for ts in mention_ts.values())

        deadline = time.monotonic() + 120
        while not finished() and time.monotonic() < deadline:
            time.sleep(0.5)
        fake.wait_idle(quiet=1.0, timeout=30)
        elapsed = time.monotonic() - started
        for i, url in urls.items():
            got = len(answered_commands(fake, url.rsplit("/", 1)[1])) + len(
                fake.calls_to("chat.postEphemeral", where=lambda c, i=i: c.get("user") == f"ULOAD{i:04d}"))
            assert got == 1, (i, got)
        for i, ts in mention_ts.items():
            assert len(_mention_answers(fake, ts)) == 1, (i, [(c.method, c.text[:40]) for c in _mention_answers(fake, ts)])
        print(f"250 requests: slowest ack {max(a['seconds'] for a in acks):.2f} s, all answered in {elapsed:.1f} s, "
              f"{sum(1 for c in fake.calls if c.status != 200)} failed Web API calls retried")
        fake.reset()


def _mention_answers(fake: FakeSlack, ts: str) -> list:
    """The final replies to one mention: the status replaced by an answer, or an answer posted directly."""
    posts = fake.calls_to("chat.postMessage", where=lambda c: c.get("thread_ts") == ts)
    status_ts = {p.response["ts"] for p in posts if p.text.startswith(("Searching", "Busy"))}
    updates = fake.calls_to("chat.update", where=lambda c: c.get("ts") in status_ts)
    direct = [p for p in posts if not p.text.startswith(("Searching", "Busy"))]
    return updates + direct
