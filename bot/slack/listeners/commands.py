"""`/ask QUESTION`, `/region NAME` and `/region` alone.

The ack (within Slack's 3 s) already shows the user something: usage help, or a
"Searching…" note; the search runs in a lazy listener afterwards and its answer follows
through the command's response_url, ephemeral (only the user sees it) with a "Share to
channel" button.
"""
from __future__ import annotations

import logging
from typing import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .. import formatting as fmt
from ..replies import clean_question, post_to_response_url, run_query, safe_call
from ..runtime import BotState, state_of

log = logging.getLogger("planbot.slack")

ASK_USAGE = "Usage: `/ask QUESTION`, for example `/ask What investment target does Pudong set for 2025?`"


def reply_ephemeral(client: WebClient, command: dict, msg: dict) -> None:
    """Send `msg` to the user only: via response_url, else chat.postEphemeral."""
    # A new ephemeral message below the ack's "Searching…" note: Slack does not let a slash
    # command's response_url replace its ephemeral ack (replace_original is ignored there).
    payload = {"response_type": "ephemeral", **msg}
    if command.get("response_url") and post_to_response_url(command["response_url"], payload):
        return
    safe_call(client, "chat_postEphemeral", channel=command.get("channel_id"), user=command.get("user_id"), **msg)


def _shareable(state: BotState, msg: dict, kind: str, query: str) -> dict:
    key = state.shares.put(msg)
    return fmt.with_share_button(msg, fmt.share_value(kind, query, key))


def build_ask(state: BotState, question: str) -> tuple[dict, bool]:
    return run_query(lambda: fmt.format_answer(state.gateway.ask(question), reserve_blocks=1))


def build_region(state: BotState, name: str) -> tuple[dict, bool]:
    if not name:
        return run_query(lambda: fmt.format_regions(state.gateway.regions()))
    def build() -> dict:
        digest = state.gateway.region(name)
        try:
            names = fmt.region_names(state.gateway.regions())  # to name the parent region
        except Exception:
            names = {}
        return fmt.format_region(digest, lang=fmt.lang_of(name), names=names)

    return run_query(build)


def register(app: App) -> None:
    state = state_of(app)

    def question_of(command: dict) -> str:
        return clean_question(command.get("text") or "", state)

    # ------------------------------------------------------------------ /ask
    def ack_ask(ack: Ack, command: dict) -> None:
        question = question_of(command)
        if not question:
            ack(response_type="ephemeral", **fmt.usage(ASK_USAGE))
        elif len(question) > fmt.MAX_QUESTION_CHARS:
            ack(response_type="ephemeral", **fmt.too_long(len(question)))
        else:
            ack(response_type="ephemeral", **fmt.status(question))

    def run_ask(command: dict, client: WebClient) -> None:
        question = question_of(command)
        if not question or len(question) > fmt.MAX_QUESTION_CHARS:
            return  # the ack already answered
        msg, ok = build_ask(state, question)
        reply_ephemeral(client, command, _shareable(state, msg, "ask", question) if ok else msg)

    app.command("/ask")(ack=ack_ask, lazy=[run_ask])

    # ------------------------------------------------------------------ /region
    def ack_region(ack: Ack, command: dict) -> None:
        name = question_of(command)
        if len(name) > 200:
            ack(response_type="ephemeral", text="Usage: `/region NAME` (a region name), or `/region` alone to list regions.")
        elif name:
            ack(response_type="ephemeral", text=f"Looking up {fmt.neutralise(name)}…")
        else:
            ack(response_type="ephemeral", text="Listing the regions with indexed documents…")

    def run_region(command: dict, client: WebClient) -> None:
        name = question_of(command)
        if len(name) > 200:
            return
        msg, ok = build_region(state, name)
        kind = "region" if name else "regions"
        reply_ephemeral(client, command, _shareable(state, msg, kind, name) if ok else msg)

    app.command("/region")(ack=ack_region, lazy=[run_region])


REBUILDERS: dict[str, Callable[[BotState, str], tuple[dict, bool]]] = {
    "ask": build_ask,
    "region": build_region,
    "regions": lambda state, _q: build_region(state, ""),
}
