"""`/compare INDICATOR [regions, group, year, target|achieved]` and `/trend INDICATOR [region]
[since YEAR]`, and the table answers of questions routed to a comparison.

The table is posted in the channel (a chart needs a thread to go to), the chart uploaded in
its thread through the files upload API (files.getUploadURLExternal, the upload itself,
files.completeUploadExternal: `files:write` in the manifest). A failed upload still leaves the
table, and the thread says the chart failed. Where the bot cannot post in the channel the
table goes to the user alone through the command's response_url, without a chart.
"""
from __future__ import annotations

import logging
from typing import Optional

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .. import formatting as fmt
from .. import tables
from ..replies import clean_question, describe_error, post_to_response_url, run_query, safe_call
from ..runtime import BotState, state_of

log = logging.getLogger("planbot.slack")

USAGE = {
    "compare": "Usage: `/compare INDICATOR [regions or a group] [year] [target|achieved]`, for example "
               "`/compare GDP growth Yangtze River Delta 2025 target` or `/compare 研发投入强度 江苏 浙江 广东`",
    "trend": "Usage: `/trend INDICATOR [region] [since YEAR]`, for example `/trend GDP growth target since 2000` "
             "or `/trend 地区生产总值增长 江苏`",
}


def build_table(state: BotState, what: str, text: str):
    """The table for a command's text (free words: see retrieval.compare.route.parse)."""
    from retrieval.compare.route import parse

    engine = state.gateway.engine
    request = parse(text, engine.gazetteer, what)
    return state.gateway.call(what, request.indicator, **request.options())


def post_chart(client: WebClient, channel: str, thread_ts: str, table) -> bool:
    """Draw the table and upload the PNG into the thread; say so in the thread when it fails."""
    try:
        from bot.charts import render_png

        png = render_png(table)
    except Exception as exc:  # a chart is an extra: the table is already there
        log.exception("chart drawing failed")
        why = type(exc).__name__
    else:
        try:
            client.files_upload_v2(channel=channel, thread_ts=thread_ts, file=png, filename=tables.chart_filename(table),
                                   title=table.title, alt_txt=tables.alt_text(table))
            return True
        except Exception as exc:  # SlackApiError, the upload URL refusing the bytes, connection errors
            why = describe_error(exc)
            log.error("Slack API files.upload (v2) failed: %s (channel=%s)", why, channel)
    safe_call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **tables.chart_failed(table.lang, why))
    return False


def routed_answer(state: BotState, question: str, context: Optional[str]):
    """(message, table) for a question: the table's message when `ask` answered with one
    (a routed comparison), else the usual answer message and None."""
    holder: dict = {}

    def build() -> dict:
        ans = state.gateway.ask(question, context=context)
        if getattr(ans, "comparison", None) is not None:
            holder["table"] = ans.comparison
            return tables.format_table(ans.comparison)
        return fmt.format_answer(ans, reserve_blocks=0)

    msg, _ok = run_query(build)
    return msg, holder.get("table")


def register(app: App) -> None:
    state = state_of(app)

    def command(what: str) -> None:
        def ack_it(ack: Ack, command: dict) -> None:
            text = clean_question(command.get("text") or "", state)
            if not text or len(text) > fmt.MAX_QUESTION_CHARS:
                ack(response_type="ephemeral", **fmt.usage(USAGE[what]))
            else:
                ack(response_type="ephemeral", text=f"Building the table for {fmt.neutralise(text)}…")

        def run_it(command: dict, client: WebClient) -> None:
            text = clean_question(command.get("text") or "", state)
            if not text or len(text) > fmt.MAX_QUESTION_CHARS:
                return  # the ack already answered
            box: dict = {}

            def build() -> dict:
                box["table"] = build_table(state, what, text)
                return tables.format_table(box["table"])

            msg, ok = run_query(build)
            channel = command.get("channel_id") or ""
            posted = safe_call(client, "chat_postMessage", channel=channel, **msg) if ok else None
            if posted is None:
                # an error, or a channel the bot is not in: the user alone gets the table (no chart)
                if ok:
                    msg = dict(msg)
                    msg["blocks"] = msg["blocks"][:49] + [fmt.context(
                        "The chart was not posted: I cannot post in this channel (invite me to it).")]
                payload = {"response_type": "ephemeral", **msg}
                if not (command.get("response_url") and post_to_response_url(command["response_url"], payload)):
                    safe_call(client, "chat_postEphemeral", channel=channel, user=command.get("user_id"), **msg)
                return
            post_chart(client, channel, posted.get("ts"), box["table"])

        app.command(f"/{what}")(ack=ack_it, lazy=[run_it])

    command("compare")
    command("trend")
