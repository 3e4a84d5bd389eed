"""`/compare INDICATOR [options or plain words]` and `/trend INDICATOR [options or plain words]`.

Arguments as `planbot compare` / `planbot trend` take them (retrieval/compare/command.py); a bad
option is answered in the acknowledgement with the usage, before anything is queued. The ack
only queues the work (`work.AnswerQueue`); the queued step builds the table (Engine.compare /
.trend through the gateway), posts its first page in the channel (a chart needs a thread to go
to), its other pages and then the chart (files upload v2) in that message's thread
(`replies.follow_table`). Where the bot cannot post in the channel, the table goes to the user
alone, without a chart, and says why. Errors (an unknown indicator or region) go to the user alone.
"""
from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from retrieval.compare.command import USAGE, CommandError, split_options, table_request
from retrieval.errors import BadQuestion

from .. import formatting as fmt
from .. import tables
from ..replies import clean_question, follow_table, reply_ephemeral, run_query
from ..runtime import BotState, state_of
from ..webapi import call
from .commands import FULL

log = logging.getLogger("planbot.slack")


def usage_message(what: str, problem: str = "") -> dict:
    text = (f":warning: {fmt.neutralise(problem)}.\n" if problem else "") + f"Usage: {USAGE[what]}"
    return {"text": text, "blocks": [fmt.section(text)]}


def asked_by(command: dict, what: str, text: str) -> dict:
    """Who asked, under a table posted in the channel (the bot posts it, for the user)."""
    user = command.get("user_id") or ""
    who = f" by <@{user}>" if re.fullmatch(r"[UW][A-Z0-9]+", user) else ""
    return fmt.context(f"Asked{who}: `/{what} {fmt.neutralise(fmt.truncate(' '.join(text.split()), 200))}`")


def answer_table_command(client: WebClient, state: BotState, command: dict, what: str, text: str) -> None:
    """The queued step: table → channel (first page) → thread (other pages, chart)."""
    built: dict = {}

    def build() -> dict:
        try:
            indicator, options = table_request(text, what, state.gateway.engine.gazetteer)
            table = state.gateway.call(what, indicator, **options)
        except BadQuestion as exc:  # an unknown indicator, a bad year: say how to write it (UnknownRegion: run_query)
            return usage_message(what, getattr(exc, "problem", None) or str(exc))
        built["table"], built["pages"] = table, tables.format_pages(table, state.table_rows, reserve_blocks=1)
        return built["pages"][0]

    msg, ok = run_query(build)
    channel = command.get("channel_id") or ""
    user = command.get("user_id")
    table = built.get("table")
    if not ok or table is None:
        reply_ephemeral(client, response_url=command.get("response_url"), channel=channel, user=user, msg=msg)
        return
    pages = built["pages"]
    first = {**pages[0], "blocks": pages[0]["blocks"] + [asked_by(command, what, text)]}
    posted = call(client, "chat_postMessage", channel=channel, **first)
    if not posted:
        # a channel the bot is not in (not_in_channel) or cannot post to: the user alone gets the table, no chart
        alone = tables.format_table(table, reserve_blocks=1)
        note = fmt.context(f"I could not post this in the channel ({fmt.neutralise(posted.reason)}), so only you see it "
                           "and there is no chart: invite me with `/invite @planbot` and ask again.")
        reply_ephemeral(client, response_url=command.get("response_url"), channel=channel, user=user,
                        msg={**alone, "blocks": alone["blocks"] + [note]}, what="a table")
        return
    follow_table(client, channel, posted.data.get("ts") or "", pages[1:], table)


def register(app: App) -> None:
    state = state_of(app)

    def handler(what: str):
        def handle(ack: Ack, command: dict, client: WebClient) -> None:
            text = clean_question(command.get("text") or "", state)
            if not text:
                ack(response_type="ephemeral", **usage_message(what))
                return
            if len(text) > fmt.MAX_QUESTION_CHARS:
                ack(response_type="ephemeral", **fmt.too_long(len(text)))
                return
            try:
                split_options(text, what)  # the options' syntax: answered now, with the usage
            except CommandError as exc:
                ack(response_type="ephemeral", **usage_message(what, exc.problem))
                return
            if not state.queue.submit(lambda: answer_table_command(client, state, command, what, text)):
                ack(response_type="ephemeral", **fmt.error(FULL))
                return
            ahead = state.queue.depth - 1
            working = {"text": f"Building the table for `{fmt.neutralise(' '.join(text.split())[:200])}`… "
                               "it will be posted in this channel, with its chart in the thread."}
            ack(response_type="ephemeral", **(fmt.queued(text, ahead, then="the table will follow in this channel")
                                              if ahead >= state.queue.busy_at else working))
        return handle

    app.command("/compare")(handler("compare"))
    app.command("/trend")(handler("trend"))
