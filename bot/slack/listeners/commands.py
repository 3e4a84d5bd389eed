"""`/ask QUESTION`, `/region NAME` and `/region` alone.

The ack (within Slack's 3 s) already shows the user something: usage help, a
"Searching…" note, or — when many questions are queued — that this one is queued too.
The ack path only queues the work (`work.AnswerQueue`); the answer follows through the
command's response_url, ephemeral (only the user sees it) with a "Share to channel" button.
"""
from __future__ import annotations

import logging
from typing import Callable

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .. import formatting as fmt
from ..replies import answer_message, clean_question, reply_ephemeral, run_query
from ..runtime import BotState, state_of
from ..scopes import ASK_EXAMPLE

log = logging.getLogger("planbot.slack")

ASK_USAGE = f"Usage: `/ask QUESTION`, for example `/ask {ASK_EXAMPLE}`"
FULL = "I'm overloaded right now and could not queue your question. Please ask again in a minute."


def answer_command(client: WebClient, command: dict, msg: dict) -> None:
    """Send `msg` to the user only: via response_url, else chat.postEphemeral."""
    # A new ephemeral message below the ack's "Searching…" note: Slack does not let a slash
    # command's response_url replace its ephemeral ack (replace_original is ignored there).
    reply_ephemeral(client, response_url=command.get("response_url"), channel=command.get("channel_id"),
                    user=command.get("user_id"), msg=msg)


def _shareable(state: BotState, msg: dict, kind: str, query: str) -> dict:
    key = state.shared.put_share(msg)
    return fmt.with_share_button(msg, fmt.share_value(kind, query, key))


def build_ask(state: BotState, question: str) -> tuple[dict, bool]:
    return run_query(lambda: answer_message(state, state.gateway.ask(question), reserve_blocks=1))


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


def _taken(state: BotState, question: str, working: dict) -> dict:
    """The ack once a question is queued: what is being done, or that it waits behind others."""
    ahead = state.queue.depth - 1  # the queue holds this question too
    return fmt.queued(question, ahead, then="the answer will follow here") if ahead >= state.queue.busy_at else working


def register(app: App) -> None:
    state = state_of(app)

    def question_of(command: dict) -> str:
        return clean_question(command.get("text") or "", state)

    # ------------------------------------------------------------------ /ask
    def ask(ack: Ack, command: dict, client: WebClient) -> None:
        question = question_of(command)
        if not question:
            ack(response_type="ephemeral", **fmt.usage(ASK_USAGE))
            return
        if len(question) > fmt.MAX_QUESTION_CHARS:
            ack(response_type="ephemeral", **fmt.too_long(len(question)))
            return

        def answer() -> None:
            msg, ok = build_ask(state, question)
            answer_command(client, command, _shareable(state, msg, "ask", question) if ok else msg)

        if not state.queue.submit(answer):
            ack(response_type="ephemeral", **fmt.error(FULL))
            return
        ack(response_type="ephemeral", **_taken(state, question, fmt.status(question)))

    app.command("/ask")(ask)

    # ------------------------------------------------------------------ /region
    def region(ack: Ack, command: dict, client: WebClient) -> None:
        name = question_of(command)
        if len(name) > 200:
            ack(response_type="ephemeral", text="Usage: `/region NAME` (a region name), or `/region` alone to list regions.")
            return

        def answer() -> None:
            msg, ok = build_region(state, name)
            kind = "region" if name else "regions"
            answer_command(client, command, _shareable(state, msg, kind, name) if ok else msg)

        if not state.queue.submit(answer):
            ack(response_type="ephemeral", **fmt.error(FULL))
            return
        working = f"Looking up {fmt.neutralise(name)}…" if name else "Listing the regions with indexed documents…"
        ack(response_type="ephemeral", **_taken(state, name, {"text": working}))

    app.command("/region")(region)


REBUILDERS: dict[str, Callable[[BotState, str], tuple[dict, bool]]] = {
    "ask": build_ask,
    "region": build_region,
    "regions": lambda state, _q: build_region(state, ""),
}
