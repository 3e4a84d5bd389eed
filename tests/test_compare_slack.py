"""/compare, /trend and routed comparison questions in Slack: the table in Block Kit, the chart
through the files upload API, against the local fake Slack (signed requests in, Web API out)."""
from __future__ import annotations

import threading

import pytest

from bot.slack.app import build_app, make_http_server
from bot.slack.runtime import state_of

try:
    from slack_fake_files import FakeSlackWithFiles
except ImportError:  # tests/ imported as a package
    from tests.slack_fake_files import FakeSlackWithFiles
from tests.test_slack_bot import CHANNEL, MENTION, Harness, check_limits, settings_for

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def fake():
    server = FakeSlackWithFiles().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def running_bot(fake, corpus_engine, corpus_index):
    settings = settings_for(fake, corpus_index)
    app = build_app(settings, corpus_engine)
    server = make_http_server(app, settings, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
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


def the_upload(fake, thread_ts: str):
    done = fake.wait_for("files.completeUploadExternal", timeout=60, where=lambda c: c.get("thread_ts") == thread_ts)[0]
    url = fake.calls_to("files.getUploadURLExternal")[-1]
    sent = fake.calls_to("upload")[-1]
    assert url.get("filename", "").endswith(".png") and int(url.get("length")) == sent.get("size")
    assert done.get("channel_id") == CHANNEL
    file_id = done.response["files"][0]["id"]
    assert fake.uploads[file_id].startswith(PNG)
    return done


def test_slash_compare_posts_the_table_and_uploads_the_chart_in_its_thread(bot, corpus_engine):
    r = bot.sender.command("/compare", "GDP growth Yangtze River Delta 2025 target", bot.fake.response_url())
    assert r.status == 200 and "Building the table" in r.json()["text"]
    table_msg = bot.fake.wait_for("chat.postMessage", timeout=60, where=lambda c: c.get("channel") == CHANNEL and not c.get("thread_ts"))[0]
    body = table_msg.all_text()
    expected = corpus_engine.compare("GDP growth", regions=["Yangtze River Delta"], period="2025", kind="target")
    assert [r.region for r in expected.rows] == ["Shanghai", "Jiangsu", "Zhejiang", "Anhui"]
    for row in expected.rows:
        assert row.region in body and f"*{row.cell.figure}*" in body  # each figure as written, from its fact
        assert row.cell.figure in row.cell.sentence
    done = the_upload(bot.fake, table_msg.response["ts"])
    assert "GDP" in (done.response["files"][0]["title"] or "")


def test_failed_upload_keeps_the_table_and_says_the_chart_failed(bot):
    bot.fake.fail("upload", status=500)
    bot.sender.command("/compare", "研发投入强度 江苏 浙江 广东", bot.fake.response_url())
    table_msg = bot.fake.wait_for("chat.postMessage", timeout=60, where=lambda c: not c.get("thread_ts"))[0]
    assert "江苏省" in table_msg.all_text()
    note = bot.fake.wait_for("chat.postMessage", timeout=60, where=lambda c: c.get("thread_ts") == table_msg.response["ts"])[0]
    assert "图表上传失败" in note.all_text()
    assert not bot.fake.calls_to("files.completeUploadExternal")


def test_routed_question_in_a_mention_gets_the_table_and_the_chart(bot):
    ts = bot.mention(f"{MENTION} Which provinces target GDP growth above 5.5% in 2025?")
    status, final = bot.answer(CHANNEL, ts, timeout=90)
    body = final.all_text()
    assert "Tibet" in body and "*7%以上*" in body and "Sichuan" in body and "*5.5%以上*" in body
    assert "Beijing" not in body  # 5%左右 is below the asked bound
    the_upload(bot.fake, ts)


def test_other_questions_are_unaffected(bot):
    ts = bot.mention(f"{MENTION} What GDP growth does Beijing target for 2025?")
    _, final = bot.answer(CHANNEL, ts, timeout=90)
    assert "5%左右" in final.all_text()
    assert not [b for b in final.blocks if b.get("type") == "header"]
    assert not bot.fake.attempts("files.getUploadURLExternal")


def test_trend_where_the_bot_cannot_post_goes_to_the_user_alone(bot):
    bot.fake.fail("chat.postMessage", error="not_in_channel")
    url = bot.fake.response_url()
    rid = url.rsplit("/", 1)[1]
    bot.sender.command("/trend", "地区生产总值增长 江苏", url)
    reply = bot.fake.wait_for("response_url", timeout=60, where=lambda c: c.response_id == rid and c.blocks)[0]
    assert reply.get("response_type") == "ephemeral"
    assert "5%以上" in reply.all_text() and "cannot post in this channel" in reply.all_text()
    assert not bot.fake.attempts("files.getUploadURLExternal")


def test_table_longer_than_the_page_is_cut_with_a_note(corpus_engine):
    from bot.slack.tables import format_table

    table = corpus_engine.compare("GDP growth", period="2025", kind="target")
    msg = format_table(table, max_rows=10)
    text = "\n".join(b["text"]["text"] for b in msg["blocks"] if b["type"] == "section")
    assert text.count("• ") == 10
    notes = " ".join(e["text"] for b in msg["blocks"] if b["type"] == "context" for e in b["elements"])
    assert "21 more rows" in notes and "--json" in notes
