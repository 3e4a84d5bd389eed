"""/compare, /trend and questions routed to a table, in Slack: the table in Block Kit in the
channel, the chart uploaded into its thread through the files upload flow (v2), against the
local fake Slack (signed requests in, Web API calls out) and the real engine over the shared
corpus. Every figure shown is checked against its source sentence."""
from __future__ import annotations

import re
import threading

import pytest

from bot.slack.app import build_app, make_http_server
from bot.slack.runtime import state_of
from tests.test_compare import assert_verbatim
from tests.test_slack_bot import CHANNEL, DM, MENTION, Harness, check_limits, settings_for

try:
    from slack_fake import LogWatch
    from slack_fake_files import FakeSlackWithFiles
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import LogWatch
    from tests.slack_fake_files import FakeSlackWithFiles

PNG = b"\x89PNG\r\n\x1a\n"
ALL_PROVINCES = "GDP growth --level province --period 2025 --kind target"


@pytest.fixture(scope="module", autouse=True)
def server_log():
    with LogWatch() as watch:
        yield watch
    assert not watch.tracebacks(), watch.tracebacks()


@pytest.fixture(scope="module")
def fake():
    server = FakeSlackWithFiles().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def running_bot(fake, corpus_engine, corpus_index):
    settings = settings_for(fake, corpus_index)
    # A short retry budget, so that a step that keeps failing gives up within the test.
    app = build_app(settings, corpus_engine, api_budget=3.0)
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
    state_of(running_bot.app).table_rows = 40
    yield running_bot
    check_limits(fake)
    for call in fake.calls_to("chat.postMessage") + fake.calls_to("chat.update"):
        assert len(call.text) <= 3000
    fake.wait_idle()


def command(bot, name: str, text: str):
    r = bot.sender.command(name, text, bot.fake.response_url())
    assert r.status == 200 and r.seconds < 3.0
    return r


def table_post(fake, timeout: float = 90):
    """The table's first page, posted in the channel (not in a thread)."""
    return fake.wait_for("chat.postMessage", timeout=timeout,
                         where=lambda c: c.get("channel") == CHANNEL and not c.get("thread_ts"))[0]


def row_lines(*calls) -> list[str]:
    return [line for c in calls for b in c.blocks if b["type"] == "section" for line in b["text"]["text"].split("\n")
            if line.startswith("• ")]


def check_rows_against_sources(engine, table, lines: list[str]) -> None:
    """One line per row, in order; each stated figure as written (bold), from its source sentence."""
    assert len(lines) == len(table.rows)
    for line, row in zip(lines, table.rows):
        assert line.startswith(f"• {row.region}: "), (line, row.region)
        assert row.cell is not None, row.region
        assert f"*{row.cell.figure}*" in line
        assert_verbatim(engine, row.cell)  # the figure is in its sentence, the sentence in the document at its offsets


def the_chart(fake, channel: str, thread_ts: str, timeout: float = 60):
    """The three upload calls for a chart in `thread_ts`: the PNG's length announced, the PNG
    POSTed without a token, then shared into the channel and thread."""
    done = fake.wait_for("files.completeUploadExternal", timeout=timeout,
                         where=lambda c: c.get("thread_ts") == thread_ts)[0]
    (asked,) = fake.calls_to("files.getUploadURLExternal")
    (sent,) = fake.calls_to("upload")
    file_id = asked.response["file_id"]
    assert asked.get("filename", "").endswith(".png") and asked.token == "xoxb"
    assert sent.get("file_id") == file_id and int(asked.get("length")) == sent.get("size")
    assert "Authorization" not in sent.headers  # the bot token never goes to the upload host
    assert fake.uploads[file_id].startswith(PNG)
    assert done.get("channel_id") == channel and done.response["files"][0]["id"] == file_id
    assert asked.at < sent.at < done.at
    assert [f["id"] for f in fake.shared_files(channel, thread_ts)] == [file_id]
    return done


# ---------------------------------------------------------------------------- /compare
def test_slash_compare_posts_the_31_province_table_and_its_chart_in_the_thread(bot, corpus_engine):
    ack = command(bot, "/compare", ALL_PROVINCES).json()
    assert ack["response_type"] == "ephemeral" and "Building the table" in ack["text"]
    post = table_post(bot.fake)
    expected = corpus_engine.compare("GDP growth", level="province", period="2025", kind="target")
    assert len(expected.rows) == 31 and post.blocks[0]["type"] == "header"
    check_rows_against_sources(corpus_engine, expected, row_lines(post))  # all 31 in one message, within the limits
    assert "more rows" not in post.all_text() and "page 1" not in post.all_text()
    assert "Asked by <@UHUMAN01>" in post.all_text()
    done = the_chart(bot.fake, CHANNEL, post.response["ts"])
    assert "GDP" in done.response["files"][0]["title"]


def test_plain_words_name_the_places(bot, corpus_engine):
    command(bot, "/compare", "R&amp;D intensity Jiangsu, Zhejiang, Guangdong")  # Slack escapes & in the text
    post = table_post(bot.fake)
    lines = row_lines(post)
    assert [line.split(":")[0] for line in lines] == ["• Jiangsu", "• Zhejiang", "• Guangdong"]
    expected = corpus_engine.compare("R&D intensity", regions=["Jiangsu", "Zhejiang", "Guangdong"])
    for line, row in zip(lines, expected.rows):
        if row.cell is not None:
            assert f"*{row.cell.figure}*" in line and row.cell.unit == "percent"
            assert_verbatim(corpus_engine, row.cell)
    the_chart(bot.fake, CHANNEL, post.response["ts"])


def test_long_table_is_paged_into_the_thread(bot, corpus_engine):
    state_of(bot.app).table_rows = 10  # a page of 10 rows: the 31 provinces take four messages
    command(bot, "/compare", ALL_PROVINCES)
    post = table_post(bot.fake)
    ts = post.response["ts"]
    rest = bot.fake.wait_for("chat.postMessage", count=3, timeout=60, where=lambda c: c.get("thread_ts") == ts)
    the_chart(bot.fake, CHANNEL, ts)
    pages = [post, *rest[:3]]
    assert [len(row_lines(p)) for p in pages] == [10, 10, 10, 1]
    for n, page in enumerate(pages, 1):
        assert f"page {n} of 4" in page.all_text()
    expected = corpus_engine.compare("GDP growth", level="province", period="2025", kind="target")
    check_rows_against_sources(corpus_engine, expected, row_lines(*pages))  # each row once, in order
    shared = [m for m in bot.fake.thread_messages(CHANNEL, ts) if m.get("files")]
    assert float(shared[0]["ts"]) > float(rest[2].response["ts"])  # the chart after the last page


def test_bad_argument_gets_the_usage_at_once_and_nothing_runs(bot):
    for text, says in (("GDP growth --lvl province", "`--lvl` is not an option of /compare"),
                       ("GDP growth --period next-year", "`--period` takes a year such as 2025"),
                       ("GDP growth --regions Jiangsu --level province", "not both"),
                       ("--period 2025", "name an indicator first")):
        ack = command(bot, "/compare", text).json()
        assert ack["response_type"] == "ephemeral"
        assert says in ack["text"] and "Usage: `/compare INDICATOR" in ack["text"], ack["text"]
    ack = command(bot, "/trend", "").json()
    assert ack["text"].startswith("Usage: `/trend INDICATOR")
    bot.fake.wait_idle(quiet=1.0)
    assert not bot.fake.calls_to("chat.postMessage") and not bot.fake.calls_to("response_url")


def test_unknown_indicator_or_region_is_told_to_the_user_alone(bot):
    url = bot.fake.response_url()
    bot.sender.command("/compare", "happiness index --level province", url)
    reply = bot.fake.wait_for("response_url", timeout=60, where=lambda c: c.response_id == url.rsplit("/", 1)[1])[0]
    assert reply.get("response_type") == "ephemeral"
    assert "names no indicator" in reply.all_text() and "Usage: `/compare" in reply.all_text()
    url = bot.fake.response_url()
    bot.sender.command("/trend", "GDP growth --region Atlantis", url)
    reply = bot.fake.wait_for("response_url", timeout=60, where=lambda c: c.response_id == url.rsplit("/", 1)[1])[0]
    assert "Atlantis" in reply.all_text()
    assert not bot.fake.calls_to("chat.postMessage") and not bot.fake.attempts("files.getUploadURLExternal")


# ---------------------------------------------------------------------------- failed uploads
@pytest.mark.parametrize("step, failure, says", [
    ("files.getUploadURLExternal", {"error": "not_allowed_token_type"}, "files.getUploadURLExternal: not_allowed_token_type"),
    ("upload", {"status": 500, "times": 100}, "upload: HTTP 500"),  # retried until the budget is spent
    ("files.completeUploadExternal", {"status": 503, "times": 100}, "files.completeUploadExternal: HTTP 503"),
])
def test_failed_upload_keeps_the_table_and_says_the_chart_failed(bot, step, failure, says):
    bot.fake.fail(step, **failure)
    command(bot, "/compare", "研发投入强度 江苏 浙江 广东")
    post = table_post(bot.fake)
    assert post.blocks[0]["type"] == "header" and "江苏" in post.all_text()
    ts = post.response["ts"]
    note = bot.fake.wait_for("chat.postMessage", timeout=60, where=lambda c: c.get("thread_ts") == ts)[0]
    assert "图表上传失败" in note.all_text() and says in note.all_text()
    assert bot.fake.shared_files(CHANNEL, ts) == []
    attempts = bot.fake.attempts(step)
    assert attempts and (len(attempts) > 1) == (failure.get("status", 200) >= 500)  # 5xx retried, errors not


def test_an_upload_that_fails_once_is_retried(bot):
    bot.fake.fail("upload", status=502)
    command(bot, "/trend", "GDP growth --region Jiangsu")
    post = table_post(bot.fake)
    bot.fake.wait_for("files.completeUploadExternal", timeout=60)
    assert [a.status for a in bot.fake.attempts("upload")] == [502, 200]
    assert len(bot.fake.shared_files(CHANNEL, post.response["ts"])) == 1
    assert not bot.fake.calls_to("chat.postMessage", where=lambda c: c.get("thread_ts") == post.response["ts"])


def test_trend_of_a_province(bot, corpus_engine):
    command(bot, "/trend", "GDP growth --region Jiangsu")
    post = table_post(bot.fake)
    table = corpus_engine.trend("GDP growth", region="Jiangsu")
    body = post.all_text()
    for row in table.rows:
        for cell in (row.target, row.achieved):
            if cell is not None:
                assert re.search(rf"• {row.year}: .*\*{re.escape(cell.figure)}\*", body)
                assert_verbatim(corpus_engine, cell)
    assert "• 2025: Target *5%以上*" in body and "• 2024: Achieved *" in body
    the_chart(bot.fake, CHANNEL, post.response["ts"])


def test_a_channel_the_bot_is_not_in_gets_the_table_privately(bot):
    bot.fake.fail("chat.postMessage", error="not_in_channel")
    url = bot.fake.response_url()
    bot.sender.command("/trend", "地区生产总值增长 江苏", url)
    reply = bot.fake.wait_for("response_url", timeout=60,
                              where=lambda c: c.response_id == url.rsplit("/", 1)[1] and c.blocks)[0]
    assert reply.get("response_type") == "ephemeral"
    assert "5%以上" in reply.all_text() and "not_in_channel" in reply.all_text() and "/invite @planbot" in reply.all_text()
    assert not bot.fake.attempts("files.getUploadURLExternal")


# ---------------------------------------------------------------------------- routed questions
def test_routed_question_in_a_mention_gets_the_table_and_the_chart(bot, corpus_engine):
    ts = bot.mention(f"{MENTION} Which provinces target GDP growth above 5.5% in 2025?")
    _, final = bot.answer(CHANNEL, ts, timeout=90)
    assert final.blocks[0]["type"] == "header"
    expected = corpus_engine.ask("Which provinces target GDP growth above 5.5% in 2025?").comparison
    lines = row_lines(final)
    check_rows_against_sources(corpus_engine, expected, lines)
    regions = {line[2:].split(":")[0] for line in lines}
    assert {"Tibet", "Sichuan"} <= regions and "Beijing" not in regions  # 5%左右 is below the asked bound
    assert final.blocks[-1].get("block_id") == "planbot_feedback"  # an answer like any other: feedback buttons
    the_chart(bot.fake, CHANNEL, ts)


def test_routed_question_in_a_dm_gets_the_table_and_the_chart(bot):
    ts = bot.message("长三角各省今年经济增长目标")
    _, final = bot.answer(DM, ts, timeout=90)
    lines = row_lines(final)  # sorted by value, highest first
    assert sorted(line.split(":")[0] for line in lines) == sorted(["• 上海市", "• 江苏省", "• 浙江省", "• 安徽省"])
    assert all(re.search(r"\*[\d.]+%", line) for line in lines)
    the_chart(bot.fake, DM, ts)


def test_other_questions_are_unaffected(bot):
    ts = bot.mention(f"{MENTION} What GDP growth does Beijing target for 2025?")
    _, final = bot.answer(CHANNEL, ts, timeout=90)
    assert "5%左右" in final.all_text()
    assert not [b for b in final.blocks if b.get("type") == "header"]
    bot.fake.wait_idle(quiet=0.5)
    assert not bot.fake.attempts("files.getUploadURLExternal")


# ---------------------------------------------------------------------------- the upload flow alone (no engine)
@pytest.fixture
def files_client(fake):
    from bot.slack.webapi import build_client
    from tests.test_slack_bot import BOT_TOKEN

    fake.wait_idle()
    fake.reset()
    return build_client(BOT_TOKEN, fake.api_url, timeout=5, budget=2.0)


def test_upload_file_takes_the_three_steps(fake, files_client):
    from bot.slack.webapi import upload_file

    data = PNG + b"\x00" * 300
    out = upload_file(files_client, channel=CHANNEL, thread_ts="1700000001.000002", data=data, filename="c.png",
                      title="A chart", alt_text="a chart")
    assert out.ok, out.reason
    assert [c.method for c in fake.calls] == ["files.getUploadURLExternal", "upload", "files.completeUploadExternal"]
    assert fake.uploads[out.data["files"][0]["id"]] == data
    assert fake.shared_files(CHANNEL, "1700000001.000002")[0]["title"] == "A chart"


@pytest.mark.parametrize("step, failure, reason", [
    ("files.getUploadURLExternal", {"error": "invalid_auth"}, "files.getUploadURLExternal: invalid_auth"),
    ("upload", {"status": 404}, "upload: HTTP 404"),
    ("upload", {"drop": True, "times": 50}, "upload: "),
    ("files.completeUploadExternal", {"status": 500, "times": 50}, "files.completeUploadExternal: HTTP 500"),
    ("files.completeUploadExternal", {"status": 429, "retry_after": 5}, "files.completeUploadExternal: ratelimited"),  # Retry-After past the budget
])
def test_a_failed_step_is_named_and_nothing_is_shared(fake, files_client, step, failure, reason):
    from bot.slack.webapi import upload_file

    fake.fail(step, **failure)
    out = upload_file(files_client, channel=CHANNEL, thread_ts="1700000001.000002", data=PNG, filename="c.png", title="t")
    assert not out.ok and out.reason.startswith(reason), out.reason
    assert fake.shared_files(CHANNEL, "1700000001.000002") == []
