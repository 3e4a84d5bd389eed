"""`message.im` (DMs) and follow-ups in channel threads the bot is part of.

A mention in a channel arrives both as `app_mention` and as `message.channels`; the
mention listener answers it, so it is skipped here. Whether the bot is part of a thread
needs a Web API call, so that check runs in the intake step, never before the ack.
"""
from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ..replies import clean_question, is_acknowledgement, thread_info, thread_intake, undeliverable
from ..runtime import state_of
from .common import ignorable


def register(app: App) -> None:
    state = state_of(app)

    @app.event("message")
    def handle_message(event: dict, client: WebClient, context: BoltContext) -> None:
        if ignorable(event, context.bot_user_id, context.bot_id):
            return
        channel = event.get("channel") or ""
        ts = event["ts"]
        parent = event.get("thread_ts")
        in_thread = bool(parent) and parent != ts
        text = event.get("text") or ""
        question = clean_question(text, state)
        is_dm = event.get("channel_type") == "im" or channel.startswith("D")

        if is_dm:
            if in_thread and (not question or is_acknowledgement(question)):
                return

            def intake():
                earlier = thread_info(client, state, channel, parent, ts)[1] if in_thread else None
                return thread_intake(client, state, channel=channel, thread_ts=parent if in_thread else ts,
                                     question=question, context=earlier)
        else:
            if not in_thread:
                return  # channel messages are only answered when they mention the bot (app_mention)
            if context.bot_user_id and f"<@{context.bot_user_id}" in text:
                return  # answered by the app_mention listener
            if not question or is_acknowledgement(question):
                return

            def intake():
                bot_in_thread, earlier = thread_info(client, state, channel, parent, ts)
                if not bot_in_thread:
                    return None
                return thread_intake(client, state, channel=channel, thread_ts=parent, question=question, context=earlier)

        if not state.queue.submit(intake=intake):
            undeliverable("a message (the answer queue is full)", channel, f"{state.queue.depth} questions queued")
