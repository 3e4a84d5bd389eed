"""The "Share to channel" button: post the ephemeral answer in the channel for everyone."""
from __future__ import annotations

import json
import logging

from slack_bolt import Ack, App
from slack_sdk import WebClient

from .. import formatting as fmt
from ..replies import post_to_response_url, safe_call
from ..runtime import state_of
from .commands import REBUILDERS

log = logging.getLogger("planbot.slack")


def register(app: App) -> None:
    state = state_of(app)

    def ack_share(ack: Ack) -> None:
        ack()

    def run_share(body: dict, action: dict, client: WebClient) -> None:
        try:
            value = json.loads(action.get("value") or "{}")
        except ValueError:
            value = {}
        msg = state.shares.get(value.get("key") or "")
        if msg is None:  # restarted, or expired: run the query again
            rebuild = REBUILDERS.get(value.get("kind") or "")
            if rebuild is None:
                log.error("share button with an unknown value: %r", (action.get("value") or "")[:100])
                return
            msg, ok = rebuild(state, value.get("q") or "")
            if not ok:  # the error is for the user, not for the channel
                if body.get("response_url"):
                    post_to_response_url(body["response_url"], {"response_type": "ephemeral", "replace_original": False, **msg})
                return
        user_id = (body.get("user") or {}).get("id")
        channel_id = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        shared = fmt.shared_by(msg, user_id)
        response_url = body.get("response_url")

        posted = bool(response_url) and post_to_response_url(
            response_url, {"response_type": "in_channel", "replace_original": False, **shared}
        )
        if not posted and channel_id:
            posted = safe_call(client, "chat_postMessage", channel=channel_id, **shared) is not None
        if posted:
            if response_url:  # the private copy is no longer needed
                post_to_response_url(response_url, {"delete_original": True})
            return
        note = fmt.error("I couldn't post in this channel. Invite me with `/invite @planbot` and try again.")
        if response_url:
            post_to_response_url(response_url, {"response_type": "ephemeral", "replace_original": False, **note})
        elif channel_id and user_id:
            safe_call(client, "chat_postEphemeral", channel=channel_id, user=user_id, **note)

    app.action(fmt.SHARE_ACTION_ID)(ack=ack_share, lazy=[run_share])
