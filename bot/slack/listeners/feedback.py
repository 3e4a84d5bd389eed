"""The feedback buttons under every answer: helpful / wrong figure / wrong source.

The click is acknowledged at once; recording it (SQLite, see bot/slack/feedback.py) and
thanking the user (ephemeral) happen in the answer queue.
"""
from __future__ import annotations

import logging
import re

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .. import formatting as fmt
from ..feedback import VERDICTS
from ..replies import reply_ephemeral, undeliverable
from ..runtime import BotState, state_of
from ..work import describe_failure

log = logging.getLogger("planbot.slack")


def record(state: BotState, body: dict, action: dict, client: WebClient) -> None:
    verdict = (action.get("action_id") or "").removeprefix(fmt.FEEDBACK_ACTION_PREFIX)
    user_id = (body.get("user") or {}).get("id") or ""
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    try:
        recorded = state.feedback is not None and user_id and state.feedback.record(str(action.get("value") or ""), verdict, user_id)
    except Exception as exc:  # the store (Redis, a disk) failing: say so, no traceback
        log.warning("could not record feedback: %s", describe_failure(exc))
        note = fmt.error("Sorry, I could not record that just now. Please try again in a minute.")
    else:
        note = fmt.feedback_thanks(VERDICTS[verdict]) if recorded else fmt.error(
            "Sorry, I could not record that: the answer is no longer on record. Please ask again.")
    reply_ephemeral(client, response_url=body.get("response_url"), channel=channel_id, user=user_id, msg=note,
                    what="a feedback note", extra={"replace_original": False})


def register(app: App) -> None:
    state = state_of(app)

    @app.action(re.compile("^" + re.escape(fmt.FEEDBACK_ACTION_PREFIX) + "(" + "|".join(VERDICTS) + ")$"))
    def on_feedback(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        if not state.queue.submit(lambda: record(state, body, action, client)):
            undeliverable("a feedback note (the answer queue is full)", (body.get("channel") or {}).get("id"),
                          f"{state.queue.depth} questions queued")
