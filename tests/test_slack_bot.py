"""The Slack bot end to end: real engine over a small real index, a fake Slack on 127.0.0.1.

The bot runs in HTTP mode in a thread and receives requests signed exactly as Slack
signs them; what it posts back goes to `tests/slack_fake.FakeSlack` through
SLACK_API_URL and response_url. One Socket Mode test runs through a local WebSocket
server. Nothing of planbot's own is mocked.
"""
from __future__ import annotations

import contextlib
import json
import logging
import shutil
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bot.config import Settings
from bot.slack.app import build_app, make_http_server, make_socket_mode_handler, serve
from bot.slack.runtime import state_of
try:
    from slack_fake import BOT_USER_ID, FakeSlack, FakeSocketMode, LogWatch, SlackSender
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import BOT_USER_ID, FakeSlack, FakeSocketMode, LogWatch, SlackSender

BOT_TOKEN = "xoxb-1234-5678-TESTBOTTOKEN"
APP_TOKEN = "xapp-1-A0001-9999-TESTAPPTOKEN"
SIGNING_SECRET = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
MENTION = f"<@{BOT_USER_ID}>"
CHANNEL = "C0GENERAL"
DM = "D0DIRECT1"

# Small articles written for these tests (not real news).
ARTICLE_BINHU = """Binhu District maps out its 2025 industrial upgrade

2025-01-15
Source: Taihu Evening Post
Source URL: https://news.example.com/binhu-2025-plan

Binhu District in Wuxi completed fixed-asset investment of 28.7 billion yuan in 2024, up 12%.
The district's R&D spending reached 6.1 billion yuan, and 37 new high-tech enterprises were certified.
By 2027 Binhu aims to lift the output value of its integrated circuit industry to more than 60 billion yuan.
This year the district plans 45 major projects with a total investment of 52 billion yuan.
"""

ARTICLE_JIANGNING = """江宁区推进先进制造业集群建设

2024-03-08 来源：金陵产业观察

2023年，江宁区智能电网、新能源汽车等先进制造业实现营收超5000亿元，同比增长8.5%。
今年，江宁区计划实施重大产业项目120个，力争完成工业投资410亿元。
到2025年，全区规模以上工业企业数量将突破1500家。
"""

ARTICLE_LATE = """Xishan District signs hydrogen energy projects

2025-03-02
Source: Taihu Evening Post

Xishan District in Wuxi signed 14 hydrogen energy projects worth 9.3 billion yuan in February.
The district expects its hydrogen fuel cell output to exceed 3 billion yuan by 2026.
"""


@pytest.fixture(scope="module", autouse=True)
def server_log():
    """Everything the bot logs while this module runs; none of it may carry a traceback."""
    with LogWatch() as watch:
        yield watch
    assert not watch.tracebacks(), watch.tracebacks()


# ---------------------------------------------------------------------------- shared index
@pytest.fixture(scope="session")
def slack_encoder(encoder):
    return encoder  # conftest's session encoder: the model loads once for the whole suite


@pytest.fixture(scope="session")
def slack_corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("slack-corpus")
    (root / "binhu.txt").write_text(ARTICLE_BINHU, encoding="utf-8")
    (root / "jiangning.txt").write_text(ARTICLE_JIANGNING, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def slack_index(tmp_path_factory, slack_corpus, slack_encoder) -> Path:
    from retrieval.ingest.run import ingest

    index_dir = tmp_path_factory.mktemp("slack-index")
    report = ingest([str(slack_corpus)], str(index_dir), encoder=slack_encoder)
    assert report.added == 2 and not report.skipped, report
    return index_dir


@pytest.fixture(scope="session")
def slack_engine(slack_index, slack_encoder):
    from retrieval.engine import Engine

    return Engine(slack_index, encoder=slack_encoder)


# ---------------------------------------------------------------------------- the bot
def settings_for(fake: FakeSlack, index_dir: Path, **extra) -> Settings:
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET, "SLACK_API_URL": fake.api_url,
           "PLANBOT_INDEX": str(index_dir), **extra}
    return Settings.load(environ=env, env_file=False)


class Harness:
    def __init__(self, fake: FakeSlack, server, events_url: str) -> None:
        self.fake = fake
        self.server = server
        self.app = server.app
        self.sender = SlackSender(events_url, SIGNING_SECRET)
        self.base = events_url.rsplit("/slack/events", 1)[0]

    # -- sending, as Slack does ---------------------------------------------------------------
    def _send_event(self, event: dict, **kwargs):
        response = self.sender.event(event, **kwargs)
        assert response.status == 200, response
        assert response.seconds < 3.0, f"ack took {response.seconds:.2f} s"
        return response

    def mention(self, text: str, channel: str = CHANNEL, thread_ts: str | None = None, user: str = "UHUMAN01",
                **kwargs) -> str:
        ts = self.fake.add_message(channel, text, user=user, thread_ts=thread_ts)
        event = {"type": "app_mention", "user": user, "text": text, "ts": ts, "channel": channel}
        if thread_ts:
            event["thread_ts"] = thread_ts
        self._send_event(event, **kwargs)
        return ts

    def message(self, text: str, channel: str = DM, thread_ts: str | None = None, user: str = "UHUMAN01",
                channel_type: str | None = None, **fields) -> str:
        ts = self.fake.add_message(channel, text, user=user, thread_ts=thread_ts)
        event = {"type": "message", "user": user, "text": text, "ts": ts, "channel": channel,
                 "channel_type": channel_type or ("im" if channel.startswith("D") else "channel"), **fields}
        if thread_ts:
            event["thread_ts"] = thread_ts
        self._send_event(event)
        return ts

    # -- what the bot did ---------------------------------------------------------------------
    def replies(self, channel: str, thread_ts: str) -> list:
        return self.fake.calls_to("chat.postMessage", where=lambda c: c.get("channel") == channel and c.get("thread_ts") == thread_ts)

    def first_reply(self, channel: str, thread_ts: str, timeout: float = 20):
        return self.fake.wait_for("chat.postMessage", timeout=timeout,
                                  where=lambda c: c.get("channel") == channel and c.get("thread_ts") == thread_ts)[0]

    def answer(self, channel: str, thread_ts: str, timeout: float = 30):
        """The status message posted in the thread, and the chat.update that replaced it."""
        status = self.first_reply(channel, thread_ts, timeout)
        assert status.get("text") == "Searching the indexed plans…"
        status_ts = status.response["ts"]
        final = self.fake.wait_for("chat.update", timeout=timeout, where=lambda c: c.get("ts") == status_ts)[-1]
        return status, final

    def get(self, path: str):
        with urllib.request.urlopen(self.base + path, timeout=5) as resp:
            return resp.status, json.loads(resp.read().decode())


@pytest.fixture(scope="module")
def fake():
    server = FakeSlack().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def running_bot(fake, slack_engine, slack_index):
    settings = settings_for(fake, slack_index)
    app = build_app(settings, slack_engine)
    server = make_http_server(app, settings, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Harness(fake, server, f"http://127.0.0.1:{server.port}/slack/events")
    server.shutdown()
    server.server_close()
    state_of(app).gateway.shutdown()


@pytest.fixture
def bot(running_bot, fake):
    fake.wait_idle()
    fake.reset()
    yield running_bot
    check_limits(fake)
    fake.wait_idle()


def check_limits(fake: FakeSlack) -> None:
    """Every message the bot sent respects Slack's limits and has a text fallback."""
    for call in fake.calls:
        if call.method not in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"):
            continue
        if call.get("delete_original"):
            continue
        assert (call.get("text") or "").strip(), call.args
        blocks = call.blocks
        assert len(blocks) <= 50
        for b in blocks:
            if b.get("type") == "section":
                assert len(b["text"]["text"]) <= 3000
            if b.get("type") == "header":
                assert len(b["text"]["text"]) <= 150
        assert "<!channel>" not in call.all_text() and "<!here>" not in call.all_text()


def quiet_for(seconds: float) -> None:
    time.sleep(seconds)


# ---------------------------------------------------------------------------- request checks
def test_url_verification_echoes_challenge(bot):
    r = bot.sender.send_json({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                              "type": "url_verification"})
    assert r.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in r.body


def test_bad_signature_and_stale_timestamp_are_rejected(bot):
    payload = bot.sender.event_payload({"type": "app_mention", "user": "UHUMAN01", "text": f"{MENTION} hi",
                                        "ts": "1700000001.000001", "channel": CHANNEL})
    assert bot.sender.send_json(payload, secret="0" * 32).status == 401
    assert bot.sender.send_json(payload, timestamp=int(time.time()) - 600).status == 401
    quiet_for(0.3)
    assert not bot.fake.calls_to("chat.postMessage")


def test_healthz(bot):
    status, report = bot.get("/healthz")
    assert status == 200 and report["ok"] is True and report["mode"] == "http"
    assert BOT_TOKEN not in json.dumps(report)


# ---------------------------------------------------------------------------- mentions
def test_mention_answers_in_thread_with_quotes_figures_and_source(bot):
    ts = bot.mention(f"{MENTION} How much fixed-asset investment did Binhu District complete in 2024?")
    status, final = bot.answer(CHANNEL, ts)
    assert status.get("thread_ts") == ts  # the status is visible in the thread at once
    assert final.get("channel") == CHANNEL
    body = final.all_text()
    assert "> " in body  # quoted
    assert "28.7 billion yuan*" in body  # figure in bold
    assert "<https://news.example.com/binhu-2025-plan|" in body  # source link
    assert "R&D" not in body  # document text is escaped (test_document_text_is_escaped checks it is quoted)
    assert final.get("text")
    sections = [b for b in final.blocks if b["type"] == "section"]
    assert any(s["text"]["text"].startswith("> ") for s in sections)


def test_cross_language_figures_are_normalised(bot):
    ts = bot.mention(f"{MENTION} What revenue did Jiangning District's advanced manufacturing reach in 2023?")
    _, final = bot.answer(CHANNEL, ts)
    body = final.all_text()
    assert "超5000亿元" in body
    assert "500 billion yuan" in body  # the Chinese figure rendered for an English question
    assert "金陵产业观察" in body  # source without a URL: title · publisher · date


def test_chinese_question(bot):
    ts = bot.mention(f"{MENTION} 滨湖区2024年固定资产投资是多少？")
    _, final = bot.answer(CHANNEL, ts)
    body = final.all_text()
    assert "28.7 billion yuan" in body and "287亿元" in body


def test_retry_of_an_event_is_processed_once(bot):
    text = f"{MENTION} How many high-tech enterprises were certified in Binhu?"
    ts = bot.fake.add_message(CHANNEL, text)
    event = {"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts, "channel": CHANNEL}
    first = bot.sender.event(event, event_id="Ev0RETRY001")
    again = bot.sender.event(event, event_id="Ev0RETRY001", headers={"X-Slack-Retry-Num": "1",
                                                                   "X-Slack-Retry-Reason": "http_timeout"})
    assert first.status == 200 and again.status == 200 and again.seconds < 3
    bot.answer(CHANNEL, ts)
    quiet_for(0.5)
    assert len(bot.replies(CHANNEL, ts)) == 1


def test_empty_mention_gets_usage_help(bot):
    ts = bot.mention(MENTION)
    reply = bot.first_reply(CHANNEL, ts)
    assert "/ask" in reply.all_text() and "/region" in reply.all_text()
    quiet_for(0.3)
    assert not bot.fake.calls_to("chat.update")


def test_very_long_question_gets_a_clear_reply(bot):
    ts = bot.mention(f"{MENTION} " + "investment " * 910)
    reply = bot.first_reply(CHANNEL, ts)
    assert "characters long" in reply.text and "10,00" in reply.text


def test_unusable_question_is_reported_in_thread(bot):
    ts = bot.mention(f"{MENTION} ??? !!! ...")
    _, final = bot.answer(CHANNEL, ts)
    assert ":warning:" in final.all_text()


def test_broadcast_in_question_is_not_echoed(bot):
    ts = bot.mention(f"{MENTION} <!channel> <!here> @everyone what did Binhu invest in fixed assets?")
    status, final = bot.answer(CHANNEL, ts)
    for call in (status, final):
        text = json.dumps(call.args, ensure_ascii=False)
        assert "<!channel>" not in text and "<!here>" not in text and "@everyone" not in text


def test_acks_and_status_come_before_the_work(bot):
    gateway = state_of(bot.app).gateway
    gateway._lock.acquire()  # the engine is busy (e.g. a long query or an index reload)
    try:
        tss = [bot.mention(f"{MENTION} What is Binhu's integrated circuit output target? ({i})") for i in range(3)]
        for ts in tss:  # each acked in < 3 s (checked in mention()) and the status is already visible
            bot.first_reply(CHANNEL, ts, timeout=5)
        assert not bot.fake.calls_to("chat.update")
    finally:
        gateway._lock.release()
    for ts in tss:
        _, final = bot.answer(CHANNEL, ts)
        assert "60 billion yuan" in final.all_text()


def test_own_messages_other_bots_and_edits_are_ignored(bot):
    bot.message("I am the bot", user=BOT_USER_ID)
    bot.message("another bot says hi", user="UOTHERBOT", bot_id="B0OTHER")
    ts = bot.fake.add_message(DM, "edited question about Binhu")
    for subtype in ("message_changed", "message_deleted", "channel_join"):
        bot._send_event({"type": "message", "subtype": subtype, "channel": DM, "channel_type": "im",
                         "ts": bot.fake.new_ts(), "hidden": True,
                         "message": {"type": "message", "user": "UHUMAN01", "text": "edited", "ts": ts}})
    bot._send_event({"type": "app_mention", "user": "UOTHERBOT", "bot_id": "B0OTHER", "text": f"{MENTION} hi",
                     "ts": bot.fake.new_ts(), "channel": CHANNEL})
    quiet_for(0.8)
    assert not bot.fake.calls_to("chat.postMessage")
    assert not bot.fake.calls_to("chat.update")


# ---------------------------------------------------------------------------- DMs and threads
def test_direct_message_is_answered(bot):
    ts = bot.message("What R&amp;D spending did Binhu District report?")
    _, final = bot.answer(DM, ts)
    assert "6.1 billion yuan" in final.all_text()


def test_follow_up_in_thread_uses_earlier_question(bot):
    root = bot.mention(f"{MENTION} What fixed-asset investment did Binhu District complete in 2024?")
    bot.answer(CHANNEL, root)
    follow = bot.message("How much did it grow?", channel=CHANNEL, thread_ts=root)
    replies = bot.fake.wait_for("conversations.replies", where=lambda c: c.get("ts") == root)
    assert replies
    status = bot.fake.wait_for("chat.postMessage", count=2, where=lambda c: c.get("thread_ts") == root)[-1]
    final = bot.fake.wait_for("chat.update", where=lambda c: c.get("ts") == status.response["ts"])[-1]
    assert "Binhu" in final.all_text()
    assert follow  # answered in the same thread (thread_ts == root)


def test_thread_without_the_bot_is_ignored(bot):
    root = bot.fake.add_message(CHANNEL, "team lunch thread")
    bot.fake.add_message(CHANNEL, "another app's reply", user="UOTHERBOT", thread_ts=root, bot_id="B0OTHER")
    bot.message("What did Binhu invest?", channel=CHANNEL, thread_ts=root)
    bot.message("A plain channel message about Binhu", channel=CHANNEL)
    quiet_for(0.8)
    assert not bot.fake.calls_to("chat.postMessage")


# ---------------------------------------------------------------------------- Slack API failures
def test_rate_limited_post_is_retried_after_retry_after(bot):
    bot.fake.fail("chat.postMessage", status=429, retry_after=1)
    ts = bot.mention(f"{MENTION} What total investment do Binhu's major projects have this year?")
    bot.answer(CHANNEL, ts)
    attempts = bot.fake.attempts("chat.postMessage")
    assert [a.status for a in attempts[:2]] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0


def test_failed_post_is_logged_and_bot_keeps_serving(bot, caplog):
    caplog.set_level(logging.INFO)
    bot.fake.fail("chat.postMessage", error="channel_not_found")
    bot.mention(f"{MENTION} What did Binhu invest?", channel="C0GONE")
    deadline = time.monotonic() + 10
    while "channel_not_found" not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "channel_not_found" in caplog.text
    assert BOT_TOKEN not in caplog.text and SIGNING_SECRET not in caplog.text
    ts = bot.mention(f"{MENTION} What did Binhu invest in fixed assets?")
    bot.answer(CHANNEL, ts)


def test_server_errors_on_update_fall_back_and_still_deliver(bot):
    bot.fake.fail("chat.update", status=500, times=3)  # the first update and its two retries
    ts = bot.mention(f"{MENTION} What output does Binhu target for integrated circuits?")
    status = bot.first_reply(CHANNEL, ts)
    final = bot.fake.wait_for("chat.update", timeout=30, where=lambda c: c.get("ts") == status.response["ts"])[-1]
    assert "60 billion yuan" in final.text
    assert [a.status for a in bot.fake.attempts("chat.update")][:3] == [500, 500, 500]


# ---------------------------------------------------------------------------- slash commands
def test_slash_ask_is_ephemeral_and_can_be_shared(bot):
    url = bot.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    r = bot.sender.command("/ask", "How much fixed-asset investment did Binhu complete?", url)
    assert r.status == 200 and r.seconds < 3
    ack = r.json()
    assert ack["response_type"] == "ephemeral" and "Searching" in ack["text"]
    post = bot.fake.wait_for("response_url", where=lambda c: c.response_id == rid and c.blocks)[-1]
    assert post["response_type"] == "ephemeral"
    assert "28.7 billion yuan" in post.all_text()
    button = post.blocks[-1]["elements"][0]
    assert post.blocks[-1]["type"] == "actions" and button["text"]["text"] == "Share to channel"
    assert not bot.fake.calls_to("chat.postMessage")  # nothing in the channel yet

    share_url = bot.fake.response_url()
    sid = share_url.rsplit("/", 1)[1]
    r = bot.sender.block_action(button["value"], share_url)
    assert r.status == 200 and r.seconds < 3
    shared = bot.fake.wait_for("response_url", where=lambda c: c.response_id == sid and c.get("response_type") == "in_channel")[0]
    assert shared.get("replace_original") is False
    assert all(b.get("block_id") != "planbot_share" for b in shared.blocks)  # the feedback buttons stay
    assert shared.blocks[:-1] == post.blocks[:-1]
    assert "Shared by <@UHUMAN01>" in shared.all_text()
    bot.fake.wait_for("response_url", where=lambda c: c.response_id == sid and c.get("delete_original") is True)


def test_share_after_restart_reruns_the_query(bot):
    from bot.slack import formatting as fmt

    url = bot.fake.response_url()
    sid = url.rsplit("/", 1)[1]
    bot.sender.block_action(fmt.share_value("ask", "What is Binhu's integrated circuit target?", "gone"), url)
    shared = bot.fake.wait_for("response_url", where=lambda c: c.response_id == sid and c.get("response_type") == "in_channel")[0]
    assert "60 billion yuan" in shared.all_text()


def test_share_falls_back_to_chat_post_message(bot):
    from bot.slack import formatting as fmt

    url = bot.fake.response_url()
    bot.fake.fail("response_url/" + url.rsplit("/", 1)[1], status=404, error="expired_url")  # not retried
    bot.sender.block_action(fmt.share_value("regions", "", "gone"), url)
    posted = bot.fake.wait_for("chat.postMessage", where=lambda c: c.get("channel") == CHANNEL)[0]
    assert "region" in posted.text.lower()


def test_empty_ask_gets_usage(bot):
    r = bot.sender.command("/ask", "   ", bot.fake.response_url())
    assert r.status == 200 and "Usage: `/ask QUESTION`" in r.json()["text"]
    quiet_for(0.3)
    assert not bot.fake.calls_to("response_url")


def test_region_digest(bot):
    url = bot.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    r = bot.sender.command("/region", "Binhu", url)
    assert r.status == 200 and r.seconds < 3
    post = bot.fake.wait_for("response_url", where=lambda c: c.response_id == rid and c.blocks)[-1]
    assert post["response_type"] == "ephemeral"
    assert post.blocks[0]["type"] == "header" and "Binhu" in post.blocks[0]["text"]["text"]
    assert "28.7 billion yuan" in post.all_text()
    assert post.blocks[-1]["type"] == "actions"


def test_region_list(bot):
    url = bot.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    bot.sender.command("/region", "", url)
    post = bot.fake.wait_for("response_url", where=lambda c: c.response_id == rid and c.blocks)[-1]
    body = post.all_text()
    assert "Binhu" in body and ("Jiangning" in body or "江宁" in body)


def test_unknown_region_offers_closest_matches(bot):
    url = bot.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    bot.sender.command("/region", "Binhuu", url)
    post = bot.fake.wait_for("response_url", where=lambda c: c.response_id == rid and c.blocks)[-1]
    body = post.all_text()
    assert "Binhuu" in body and "Closest matches" in body and "Binhu" in body.split("Closest matches", 1)[1]
    assert post.blocks[-1]["type"] != "actions"  # nothing to share


# ---------------------------------------------------------------------------- running it
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_http_until_stopped(fake, slack_engine, slack_index):
    settings = settings_for(fake, slack_index)
    port = _free_port()
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(settings, slack_engine, port, "127.0.0.1", stop), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                assert json.loads(resp.read())["ok"] is True
                break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
    stop.set()
    thread.join(10)
    assert not thread.is_alive()


def test_socket_mode_end_to_end(fake, slack_engine, slack_index):
    fake.reset()
    sm = FakeSocketMode().start()
    fake.socket_url = sm.url
    settings = settings_for(fake, slack_index, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    settings.check_for_serve()
    app = build_app(settings, slack_engine)
    handler = make_socket_mode_handler(app, settings)
    handler.connect()
    try:
        assert sm.connected.wait(10)
        opened = fake.wait_for("apps.connections.open")
        assert opened[0].token == "xapp"  # the app-level token, through SLACK_API_URL
        text = f"{MENTION} How much fixed-asset investment did Binhu District complete?"
        ts = fake.add_message(CHANNEL, text)
        envelope = {
            "envelope_id": "env-0001-mention",
            "type": "events_api",
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
            "payload": SlackSender("", "").event_payload(
                {"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts, "channel": CHANNEL},
                event_id="EvSOCKET0001"),
        }
        sent = time.monotonic()
        sm.send(envelope)
        ack = sm.wait_for_ack("env-0001-mention")
        assert time.monotonic() - sent < 3.0
        assert ack["envelope_id"] == "env-0001-mention"
        status = fake.wait_for("chat.postMessage", where=lambda c: c.get("thread_ts") == ts)[0]
        final = fake.wait_for("chat.update", where=lambda c: c.get("ts") == status.response["ts"])[-1]
        assert "28.7 billion yuan" in final.all_text()
        # a redelivery of the same event (retry_attempt 1) is acked and not answered again
        sm.send({**envelope, "envelope_id": "env-0002-retry", "retry_attempt": 1, "retry_reason": "timeout"})
        sm.wait_for_ack("env-0002-retry")
        quiet_for(0.5)
        assert len(fake.calls_to("chat.postMessage", where=lambda c: c.get("thread_ts") == ts)) == 1
    finally:
        handler.close()
        sm.stop()


@contextlib.contextmanager
def separate_bot(fake: FakeSlack, index_dir: Path, engine):
    """A second bot (own app, server, engine) on the same fake Slack."""
    settings = settings_for(fake, index_dir)
    app = build_app(settings, engine)
    server = make_http_server(app, settings, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.wait_idle()
    fake.reset()
    try:
        yield Harness(fake, server, f"http://127.0.0.1:{server.port}/slack/events")
    finally:
        fake.wait_idle()
        server.shutdown()
        server.server_close()
        state_of(app).gateway.shutdown()


def test_engine_crash_is_reported_in_thread(fake, slack_index, slack_encoder, tmp_path, caplog):
    from retrieval.engine import Engine

    index_dir = tmp_path / "index"
    shutil.copytree(slack_index, index_dir)
    engine = Engine(index_dir, encoder=slack_encoder)
    engine.index.close()  # a real failure inside the engine: its index store is gone
    with separate_bot(fake, index_dir, engine) as harness:
        ts = harness.mention(f"{MENTION} What did Binhu invest in fixed assets?")
        _, final = harness.answer(CHANNEL, ts)
        assert ":warning:" in final.text and "something went wrong" in final.text
        assert "unexpected error while answering" in caplog.text
        assert BOT_TOKEN not in caplog.text


def test_slash_answer_falls_back_to_post_ephemeral(bot):
    url = bot.fake.response_url()
    bot.fake.fail("response_url/" + url.rsplit("/", 1)[1], status=404, error="expired_url")
    bot.sender.command("/ask", "What R&D spending did Binhu report?", url, user="UASKER01")
    eph = bot.fake.wait_for("chat.postEphemeral")[0]
    assert eph["user"] == "UASKER01" and eph["channel"] == CHANNEL
    assert "6.1 billion yuan" in eph.all_text()


def test_document_text_is_escaped(bot):
    ts = bot.mention(f"{MENTION} How much R&amp;D spending did Binhu District report?")
    _, final = bot.answer(CHANNEL, ts)
    body = final.all_text()
    assert "R&amp;D spending reached" in body and "R&D" not in body  # `&` is escaped as Slack requires


def test_new_index_generation_is_picked_up_without_restart(fake, slack_index, slack_encoder, tmp_path):
    from retrieval.engine import Engine
    from retrieval.ingest.run import ingest

    index_dir = tmp_path / "index"
    shutil.copytree(slack_index, index_dir)
    engine = Engine(index_dir, encoder=slack_encoder)
    with separate_bot(fake, index_dir, engine) as harness:
        late = tmp_path / "late"
        late.mkdir()
        (late / "xishan.txt").write_text(ARTICLE_LATE, encoding="utf-8")
        ingest([str(late)], str(index_dir), encoder=slack_encoder)  # `planbot ingest` while the bot runs
        ts = harness.mention(f"{MENTION} How many hydrogen energy projects did Xishan District sign?")
        _, final = harness.answer(CHANNEL, ts)
        assert "Xishan District in Wuxi signed" in final.all_text()  # quoted from the document ingested while running


# ---------------------------------------------------------------------------- feedback
def test_feedback_buttons_record_verdicts_and_export_as_an_eval_set(bot):
    import subprocess
    import sys

    store = state_of(bot.app).feedback
    q_good = "What R&D spending did Binhu District report?"
    q_bad = "How much fixed-asset investment did Binhu District complete in 2024?"
    ids = {}
    for question in (q_good, q_bad):
        ts = bot.mention(f"{MENTION} {question}")
        _, final = bot.answer(CHANNEL, ts)
        (buttons,) = [b for b in final.blocks if b.get("block_id") == "planbot_feedback"]
        labels = [e["text"]["text"] for e in buttons["elements"]]
        assert labels == [":thumbsup: Helpful", "Wrong figure", "Wrong source"]
        ids[question] = buttons["elements"][0]["value"]

    def click(question: str, verdict: str, user: str) -> None:
        url = bot.fake.response_url()
        rid = url.rsplit("/", 1)[1]
        r = bot.sender.block_action(ids[question], url, user=user, action_id=f"planbot_feedback_{verdict}")
        assert r.status == 200 and r.seconds < 3
        note = bot.fake.wait_for("response_url", where=lambda c: c.response_id == rid)[0]
        assert note["response_type"] == "ephemeral" and note.get("replace_original") is False
        assert "Thanks — recorded" in note.text

    click(q_good, "helpful", "UFEEDBK01")
    click(q_bad, "helpful", "UFEEDBK01")
    click(q_bad, "wrong_figure", "UFEEDBK01")  # changed their mind: replaces the first verdict
    click(q_bad, "wrong_figure", "UFEEDBK02")
    assert b"UFEEDBK01" not in store.path.read_bytes()  # user ids are stored hashed only

    out = subprocess.run([sys.executable, "-m", "bot.cli", "feedback", "--json", "--file", str(store.path)],
                         capture_output=True, text=True, timeout=60, cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 0, out.stderr
    rows = {r["question"]: r for r in map(json.loads, out.stdout.splitlines())}
    good, bad = rows[q_good], rows[q_bad]
    for row in (good, bad):  # the ../shared/eval questions.jsonl fields
        assert {"id", "question", "lang", "answers", "figure"} <= set(row) and row["lang"] == "en"
    assert "6.1 billion yuan" in good["answers"] and good["figure"] is True  # the figures of the quote shown
    assert good["source_contains"] == "binhu.txt" and good["feedback"]["verdict"] == "helpful"
    assert bad["answers"] == [] and bad["feedback"]["verdict"] == "wrong_figure"
    assert bad["feedback"]["votes"] == {"wrong_figure": 2}
    assert "28.7 billion yuan" in bad["feedback"]["shown"][0]["figures"]


def test_question_in_a_language_planbot_does_not_read_gets_a_plain_reply(bot):
    # Japanese writes Han characters between kana: without the check it would be read as Chinese
    ts = bot.mention(f"{MENTION} 東京のGDP成長率は？")
    _, final = bot.answer(CHANNEL, ts)
    text = final.all_text()
    assert ":warning:" in text and "English or Chinese" in text and "Japanese" in text
