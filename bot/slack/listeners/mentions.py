"""`app_mention`: answer in the thread of the mention (with the thread's question as context).

The listener only queues the work (see `work.AnswerQueue`); Bolt acknowledges the event
as soon as it returns.
"""
from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from ..replies import clean_question, thread_info, thread_intake, undeliverable
from ..runtime import state_of
from .common import ignorable


def register(app: App) -> None:
    state = state_of(app)

    @app.event("app_mention")
    def handle_app_mention(event: dict, client: WebClient, context: BoltContext) -> None:
        if ignorable(event, context.bot_user_id, context.bot_id):
            return
        channel = event.get("channel") or ""
        if channel.startswith("D"):
            return  # direct messages are answered by the message.im listener
        ts = event["ts"]
        parent = event.get("thread_ts")
        question = clean_question(event.get("text") or "", state)

        def intake():
            earlier = None
            if parent and parent != ts and question:
                _, earlier = thread_info(client, state, channel, parent, ts)
            return thread_intake(client, state, channel=channel, thread_ts=parent or ts, question=question, context=earlier)

        if not state.queue.submit(intake=intake):
            undeliverable("a mention (the answer queue is full)", channel, f"{state.queue.depth} questions queued")
