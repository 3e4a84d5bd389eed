"""The conversation logic the listeners share: status → search → answer, never silence.

Every Slack Web API call goes through `safe_call`, which logs a failure (method, error
code, channel — never a token) and returns None, so one failing channel never stops
the bot serving the next request.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Optional

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from retrieval.errors import BadQuestion, PlanbotError, UnknownRegion

from . import formatting as fmt
from .runtime import BotState, EngineTimeout

log = logging.getLogger("planbot.slack")

_ACKNOWLEDGEMENTS = {
    "thanks", "thank you", "thx", "ty", "ok", "okay", "cool", "great", "nice", "got it", "perfect",
    "谢谢", "多谢", "好的", "收到", "明白了", "好",
}


def retry_handlers() -> list:
    """Connection errors, 429 (sleeping Retry-After) and 5xx are retried a few times."""
    return [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=3),
        ServerErrorRetryHandler(max_retry_count=2),
    ]


def describe_error(exc: BaseException) -> str:
    """`channel_not_found`, `HTTP 500`, `URLError: …` — a short, token-free description."""
    if isinstance(exc, SlackApiError):
        resp = exc.response
        data = getattr(resp, "data", None)
        if isinstance(data, dict) and data.get("error"):
            return str(data["error"])
        return f"HTTP {getattr(resp, 'status_code', '?')}"
    return f"{type(exc).__name__}: {exc}"


def safe_call(client: WebClient, method: str, **kwargs: Any) -> Optional[dict]:
    """Call `client.<method>(**kwargs)`; on failure log it and return None."""
    try:
        resp = getattr(client, method)(**kwargs)
        return resp.data if hasattr(resp, "data") else resp
    except Exception as exc:  # SlackApiError, connection errors after retries, ...
        log.error(
            "Slack API %s failed: %s (channel=%s)",
            method.replace("_", ".", 1),
            describe_error(exc),
            kwargs.get("channel", "-"),
        )
        return None


def post_to_response_url(url: str, payload: dict) -> bool:
    """POST a message to an interaction's response_url, retried like Web API calls."""
    try:
        resp = WebhookClient(url, timeout=15, retry_handlers=retry_handlers()).send_dict(payload)
    except Exception as exc:
        log.error("response_url post failed: %s", describe_error(exc))
        return False
    if resp.status_code != 200:
        log.error("response_url post failed: HTTP %s %s", resp.status_code, (resp.body or "")[:200])
        return False
    return True


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
    a person. Returns (False, None) if the thread cannot be read.
    """
    data = safe_call(client, "conversations_replies", channel=channel, ts=thread_ts, limit=200)
    if not data:
        return False, None
    messages = data.get("messages") or []

    def ours(m: dict) -> bool:
        return (state.bot_user_id is not None and m.get("user") == state.bot_user_id) or (
            state.bot_id is not None and m.get("bot_id") == state.bot_id)

    def mentions_us(m: dict) -> bool:
        return state.bot_user_id is not None and f"<@{state.bot_user_id}" in (m.get("text") or "")

    in_thread = any(ours(m) or mentions_us(m) for m in messages)
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
    return in_thread, question


def _ts(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def answer_in_thread(
    client: WebClient,
    state: BotState,
    *,
    channel: str,
    thread_ts: str,
    question: str,
    context: Optional[str] = None,
) -> None:
    """Post a visible status in the thread, search, then replace the status with the answer.

    Whatever happens the thread gets a reply (the answer, or a short error), unless
    Slack itself refuses the channel, which is logged.
    """
    if not question:
        safe_call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **fmt.usage("Ask me a question about a regional plan."))
        return
    if len(question) > fmt.MAX_QUESTION_CHARS:
        safe_call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **fmt.too_long(len(question)))
        return

    posted = safe_call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **fmt.status(question))
    if posted is None:
        return  # logged; there is nowhere to report it
    status_ts = posted.get("ts")

    from .listeners.compare import post_chart, routed_answer  # a comparison question: its table, then the chart

    msg, table = routed_answer(state, question, context)
    deliver(client, channel, thread_ts, status_ts, msg)
    if table is not None:
        post_chart(client, channel, thread_ts, table)


def run_query(build) -> tuple[dict, bool]:
    """Run `build()` (engine call + formatting) → (message, ok).

    Errors become a short message for the user (ok=False) and are logged.
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
        log.exception("unexpected error while answering")
        return fmt.error(
            f"Sorry, something went wrong while searching the plans ({type(exc).__name__}). "
            "It has been logged; please try again in a moment."
        ), False


def deliver(client: WebClient, channel: str, thread_ts: str, status_ts: Optional[str], msg: dict) -> None:
    """Replace the status message with `msg`; fall back to plain text, then to a new reply."""
    if status_ts and safe_call(client, "chat_update", channel=channel, ts=status_ts, **msg):
        return
    if status_ts and safe_call(client, "chat_update", channel=channel, ts=status_ts, text=msg["text"], blocks=[]):
        return
    if safe_call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, **msg):
        return
    if safe_call(client, "chat_postMessage", channel=channel, thread_ts=thread_ts, text=msg["text"]):
        return
    log.error("could not deliver an answer to channel %s", channel)
