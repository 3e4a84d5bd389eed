"""The conversation logic the listeners share: status → search → answer, never silence.

Listeners only acknowledge and queue (`work.AnswerQueue`); the functions here are the
queued steps. Every Web API call goes through `webapi.call` (retried within a budget,
never raising). A reply is delivered by the first way that works — update the status
message, else post it in the thread; response_url, else chat.postEphemeral — and when
none does, it is logged once, at ERROR, with the channel and the reason.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable, Optional

from slack_sdk import WebClient

from retrieval.errors import BadQuestion, PlanbotError, UnknownRegion

from bot.charts import render_png

from . import formatting as fmt
from . import tables
from .runtime import BotState, EngineTimeout
from .webapi import Outcome, call, post_to_response_url, upload_file
from .work import AnswerStep, describe_failure

log = logging.getLogger("planbot.slack")

_ACKNOWLEDGEMENTS = {
    "thanks", "thank you", "thx", "ty", "ok", "okay", "cool", "great", "nice", "got it", "perfect",
    "谢谢", "多谢", "好的", "收到", "明白了", "好",
}


def undeliverable(what: str, channel: Optional[str], reason: str) -> None:
    """The one ERROR line for a reply that reached nobody."""
    log.error("could not deliver %s to channel %s: %s", what, channel or "-", reason or "unknown reason")


def _transient(reason: str) -> bool:
    """Rate limited, an HTTP 5xx or a network failure (already retried for the whole budget), not a
    Slack error code about the message itself."""
    return reason.startswith("HTTP ") or ":" in reason or reason == "ratelimited"


# ---------------------------------------------------------------------------- questions
def clean_question(raw_text: str, state: BotState) -> str:
    return fmt.slack_to_plain(raw_text or "", state.bot_user_id)


def is_acknowledgement(text: str) -> bool:
    stripped = re.sub(r":[a-z0-9_+\-]+:", "", text.lower()).strip(" \t\n!.,。！～~")
    return not re.search(r"\w", stripped) or stripped in _ACKNOWLEDGEMENTS


def thread_info(client: WebClient, state: BotState, channel: str, thread_ts: str, current_ts: Optional[str]):
    """(bot_is_in_thread, earlier_question) for a thread, from conversations.replies.

    The earlier question is the thread's first message when a person wrote it (usually
    the full question; follow-ups tend to be short), else the latest earlier message by
    a person. A thread the bot answered in before (the state shared by replicas,
    `state.shared.thread`) counts as one it is in, and lends its question when the thread has
    none or cannot be read; otherwise an unreadable thread gives (False, None).
    """
    known = state.shared.thread(channel, thread_ts)
    data = call(client, "conversations_replies", channel=channel, ts=thread_ts, limit=200).data
    if not data:
        return known is not None, known.question if known else None
    messages = data.get("messages") or []

    def ours(m: dict) -> bool:
        return (state.bot_user_id is not None and m.get("user") == state.bot_user_id) or (
            state.bot_id is not None and m.get("bot_id") == state.bot_id)

    def mentions_us(m: dict) -> bool:
        return state.bot_user_id is not None and f"<@{state.bot_user_id}" in (m.get("text") or "")

    in_thread = known is not None or any(ours(m) or mentions_us(m) for m in messages)
    earlier = [
        m for m in messages
        if not m.get("bot_id") and not ours(m) and not m.get("subtype") and m.get("ts") != current_ts
        and (current_ts is None or _ts(m.get("ts")) < _ts(current_ts))
    ]
    question = None
    for m in ([earlier[0]] if earlier and earlier[0].get("ts") == thread_ts else []) + earlier[::-1]:
        text = clean_question(m.get("text") or "", state)
        if text and not is_acknowledgement(text) and len(text) <= fmt.MAX_QUESTION_CHARS:
            question = text
            break
    return in_thread, question or (known.question if known else None)


def _ts(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


# ---------------------------------------------------------------------------- threads (mentions, DMs)
def post_in_thread(client: WebClient, channel: str, thread_ts: str, msg: dict, what: str) -> Outcome:
    """Post `msg` in the thread (with a text-only retry if Slack refuses the blocks); report if undeliverable."""
    out = call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **msg)
    if not out and msg.get("blocks") and not _transient(out.reason):
        out = call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, text=msg["text"])
    if not out:
        undeliverable(what, channel, out.reason)
    return out


def thread_intake(client: WebClient, state: BotState, *, channel: str, thread_ts: str, question: str,
                  context: Optional[str] = None) -> Optional[AnswerStep]:
    """The quick part, in the intake pool: usage help, or the visible status; returns the answer step.

    A status that cannot be posted does not stop the answer: it is then posted directly.
    """
    if not question:
        post_in_thread(client, channel, thread_ts, fmt.usage("Ask me a question about a regional plan."), "usage help")
        return None
    if len(question) > fmt.MAX_QUESTION_CHARS:
        post_in_thread(client, channel, thread_ts, fmt.too_long(len(question)), "a reply")
        return None
    # Any replica that gets a follow-up in this thread knows the bot is in it, and what it is about.
    state.shared.remember_thread(channel, thread_ts, context or question)
    ahead = state.queue.answers_ahead()
    status_msg = fmt.queued(question, ahead) if ahead >= state.queue.busy_at else fmt.status(question)
    posted = call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **status_msg)
    status_ts = posted.data.get("ts") if posted.data else None

    def answer() -> None:
        asked: dict = {}

        def build() -> dict:
            asked["answer"] = state.gateway.ask(question, context=context)
            return answer_message(state, asked["answer"], paged_rows=state.table_rows)

        msg, _ok = run_query(build)
        delivered = deliver(client, channel, thread_ts, status_ts, msg)
        table = getattr(asked.get("answer"), "comparison", None)
        if table is not None and delivered:  # a question routed to a table: its other pages, and the chart
            follow_table(client, channel, thread_ts, tables.format_pages(table, state.table_rows)[1:], table)

    return answer


def answer_message(state: BotState, answer: Any, reserve_blocks: int = 0, paged_rows: Optional[int] = None) -> dict:
    """An answer as a message with its feedback buttons (the answer recorded for them), leaving
    `reserve_blocks` free for the caller. An answer that is a table (`answer.comparison`) is the
    table: its first page of `paged_rows` rows when the caller posts the rest, else cut with a note."""
    def render(reserve: int) -> dict:
        table = getattr(answer, "comparison", None)
        if table is None:
            return fmt.format_answer(answer, reserve_blocks=reserve)
        if paged_rows:
            return tables.format_pages(table, paged_rows, reserve_blocks=reserve)[0]
        return tables.format_table(table, reserve_blocks=reserve)

    if state.feedback is None:
        return render(reserve_blocks)
    msg = render(reserve_blocks + 1)
    try:
        answer_id = state.feedback.shown(answer, fmt.lang_of(answer.question))
    except Exception as exc:  # a full or read-only disk must not cost the user the answer
        log.warning("could not record the answer for feedback: %s", describe_failure(exc))
        return msg
    return fmt.with_feedback_buttons(msg, answer_id)


# ---------------------------------------------------------------------------- tables and charts
def follow_table(client: WebClient, channel: str, thread_ts: str, pages: list[dict], table: Any) -> bool:
    """In the thread of a table's first page: its other pages, then its chart, uploaded as a PNG.
    A chart that cannot be drawn or uploaded (any step) is said in the thread. True if the chart is there."""
    for page in pages:
        post_in_thread(client, channel, thread_ts, page, "a table page")
    try:
        png = render_png(table)
    except Exception as exc:  # a chart is an extra: the table is already there
        log.error("chart drawing failed: %s", describe_failure(exc))
        out = Outcome(None, f"drawing: {type(exc).__name__}")
    else:
        out = upload_file(client, channel=channel, thread_ts=thread_ts, data=png, filename=tables.chart_filename(table),
                          title=table.title, alt_text=tables.alt_text(table))
    if out:
        return True
    log.error("chart not uploaded to channel %s: %s", channel, out.reason)
    post_in_thread(client, channel, thread_ts, tables.chart_failed(table.lang, out.reason), "a chart failure note")
    return False


def run_query(build: Callable[[], dict]) -> tuple[dict, bool]:
    """Run `build()` (engine call + formatting) → (message, ok).

    Errors become a short message for the user (ok=False) and one log line.
    """
    try:
        return build(), True
    except BadQuestion as exc:
        text = str(exc)
        return fmt.usage(":warning: " + fmt.neutralise(text[:1].upper() + text[1:])), False
    except UnknownRegion as exc:
        return fmt.format_unknown_region(exc.name, exc.candidates, exc.ambiguous), False
    except EngineTimeout as exc:
        log.error("engine timeout: %s", exc)
        return fmt.error(f"Sorry — {exc}."), False
    except PlanbotError as exc:
        log.error("engine error: %s: %s", type(exc).__name__, exc)
        return fmt.error(f"Sorry, I couldn't search the plans: {exc}"), False
    except Exception as exc:
        log.error("unexpected error while answering: %s", describe_failure(exc))
        return fmt.error(
            f"Sorry, something went wrong while searching the plans ({type(exc).__name__}). "
            "It has been logged; please try again in a moment."
        ), False


def deliver(client: WebClient, channel: str, thread_ts: str, status_ts: Optional[str], msg: dict) -> bool:
    """Replace the status message with `msg`; else post it in the thread. Reported once if neither works."""
    if status_ts:
        out = call(client, "chat_update", channel=channel, ts=status_ts, **msg)
        if out:
            return True
        if not _transient(out.reason):  # e.g. invalid_blocks, msg_too_long: the plain text may go through
            if call(client, "chat_update", channel=channel, ts=status_ts, text=msg["text"], blocks=[]):
                return True
    return bool(post_in_thread(client, channel, thread_ts, msg, "the answer"))


# ---------------------------------------------------------------------------- private replies (slash commands, buttons)
def reply_ephemeral(client: WebClient, *, response_url: Optional[str], channel: Optional[str], user: Optional[str],
                    msg: dict, what: str = "the answer", extra: Optional[dict] = None) -> bool:
    """Send `msg` to the user only: via response_url, else chat.postEphemeral; reported if neither works."""
    reason = "no response_url"
    if response_url:
        out = post_to_response_url(response_url, {"response_type": "ephemeral", **(extra or {}), **msg})
        if out:
            return True
        reason = out.reason
    if channel and user:
        out = call(client, "chat_postEphemeral", channel=channel, user=user, **msg)
        if out:
            return True
        reason = f"{reason}; chat.postEphemeral: {out.reason}"
    undeliverable(what, channel, reason)
    return False
