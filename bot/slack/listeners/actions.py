"""The "Share to channel" button: post the ephemeral answer in the channel for everyone."""
from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .. import formatting as fmt
from ..replies import reply_ephemeral, undeliverable
from ..runtime import BotState, state_of
from ..webapi import call, post_to_response_url
from .commands import REBUILDERS

log = logging.getLogger("planbot.slack")


def share(state: BotState, body: dict, action: dict, client: WebClient) -> None:
    try:
        value = json.loads(action.get("value") or "{}")
    except ValueError:
        value = {}
    if not isinstance(value, dict):
        value = {}
    user_id = (body.get("user") or {}).get("id")
    channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
    response_url = body.get("response_url")
    msg = state.shared.get_share(str(value.get("key") or ""))
    if msg is None:  # restarted, or expired: run the query again
        rebuild = REBUILDERS.get(str(value.get("kind") or ""))
        if rebuild is None:
            log.warning("share button with an unknown value: %r", (action.get("value") or "")[:100])
            return
        msg, ok = rebuild(state, str(value.get("q") or ""))
        if not ok:  # the error is for the user, not for the channel
            reply_ephemeral(client, response_url=response_url, channel=channel_id, user=user_id, msg=msg,
                            what="a share error", extra={"replace_original": False})
            return
    shared = fmt.shared_by(msg, user_id)

    posted = bool(response_url) and post_to_response_url(
        response_url, {"response_type": "in_channel", "replace_original": False, **shared}).ok
    if not posted and channel_id:
        posted = call(client, "chat_postMessage", channel=channel_id, **shared).ok
    if posted:
        if response_url:  # the private copy is no longer needed
            post_to_response_url(response_url, {"delete_original": True})
        return
    note = fmt.error("I couldn't post in this channel. Invite me with `/invite @planbot` and try again.")
    reply_ephemeral(client, response_url=response_url, channel=channel_id, user=user_id, msg=note,
                    what="a share failure note", extra={"replace_original": False})


def register(app: App) -> None:
    state = state_of(app)

    @app.action(fmt.SHARE_ACTION_ID)
    def on_share(ack: Ack, body: dict, action: dict, client: WebClient) -> None:
        ack()
        if not state.queue.submit(lambda: share(state, body, action, client)):
            undeliverable("a shared answer (the answer queue is full)", (body.get("channel") or {}).get("id"),
                          f"{state.queue.depth} questions queued")
