"""Talking to Slack's Web API and to response_url: retried within a time budget, never raising.

One retry policy (`RetryPolicy`) for every call: any 5xx (500, 502, 503, 504, …), a
timeout or a dropped connection is retried with exponential backoff (0.5 s, 1 s, 2 s …,
with jitter); a 429 waits for its Retry-After. Retrying stops once the call's total time
would pass `budget` seconds, so a reply is never held for ever.

`call()` and `post_to_response_url()` never raise: they return an `Outcome` (the data, or
a short token-free reason), so the conversation logic can try the next way of reaching
the user and report once, at ERROR, when none worked. The SDK's own per-attempt error
lines are logged at WARNING (`DemoteErrors`): a retried attempt is not yet a failure.
"""
from __future__ import annotations

import logging
import random
import socket
import time
from dataclasses import dataclass
from http.client import HTTPException
from typing import Any, Optional
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.webhook import WebhookClient

log = logging.getLogger("planbot.slack")

DEFAULT_TIMEOUT = 10.0  # one attempt; Slack answers in well under a second when healthy
DEFAULT_BUDGET = 60.0  # all attempts of one call together


class DemoteErrors(logging.Filter):
    """slack_sdk logs every failed attempt at ERROR; those that are retried are warnings."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def sdk_logger() -> logging.Logger:
    logger = logging.getLogger("planbot.slack.sdk")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)  # the SDK logs each retry at INFO when its logger's own level is DEBUG or unset
    if not any(isinstance(f, DemoteErrors) for f in logger.filters):
        logger.addFilter(DemoteErrors())
    return logger


_TRANSIENT_ERRORS = (URLError, ConnectionError, TimeoutError, socket.timeout, HTTPException, OSError)


class RetryPolicy(RetryHandler):
    """5xx, timeouts and connection errors with backoff; 429 after Retry-After; within `budget` s."""

    def __init__(self, budget: float = DEFAULT_BUDGET, first_delay: float = 0.5, max_delay: float = 8.0) -> None:
        super().__init__(max_retry_count=1_000)  # bounded by time, not by count
        self.budget = budget
        self.first_delay = first_delay
        self.max_delay = max_delay

    def _started(self, state: RetryState) -> float:
        if state.custom_values is None:
            state.custom_values = {}
        return state.custom_values.setdefault("started", time.monotonic())

    def _delay(self, state: RetryState, response: Optional[HttpResponse]) -> float:
        if response is not None and response.status_code == 429:
            for name, values in response.headers.items():
                if name.lower() == "retry-after":
                    try:
                        return float(values[0] if isinstance(values, list) else values)
                    except (TypeError, ValueError, IndexError):
                        break
            return 1.0
        base = min(self.max_delay, self.first_delay * (2 ** state.current_attempt))
        return base * (0.75 + 0.5 * random.random())

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: Optional[HttpResponse] = None,
                   error: Optional[Exception] = None) -> bool:
        started = self._started(state)
        if response is not None:
            retryable = response.status_code == 429 or response.status_code >= 500
        else:
            retryable = isinstance(error, _TRANSIENT_ERRORS)
        if not retryable:
            return False
        delay = self._delay(state, response)
        state.custom_values["delay"] = delay
        return time.monotonic() - started + delay <= self.budget

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: Optional[HttpResponse] = None, error: Optional[Exception] = None) -> None:
        state.next_attempt_requested = True
        time.sleep((state.custom_values or {}).get("delay", self.first_delay))
        state.increment_current_attempt()


def build_client(token: Optional[str], base_url: str, *, timeout: float = DEFAULT_TIMEOUT,
                 budget: float = DEFAULT_BUDGET) -> WebClient:
    return WebClient(token=token, base_url=base_url, timeout=timeout, retry_handlers=[RetryPolicy(budget)],
                     logger=sdk_logger())


@dataclass
class Outcome:
    """What one call came to: `data` when Slack accepted it, else a short `reason`."""

    data: Optional[dict] = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.data is not None

    def __bool__(self) -> bool:
        return self.ok


def describe_error(exc: BaseException) -> str:
    """`channel_not_found`, `HTTP 502`, `TimeoutError: timed out` — short and token-free."""
    if isinstance(exc, SlackApiError):
        resp = exc.response
        data = getattr(resp, "data", None)
        error = str(data.get("error") or "") if isinstance(data, dict) else ""
        if error and not error.startswith("Received a response in a non-JSON format"):  # a gateway's HTML page
            return error
        return f"HTTP {getattr(resp, 'status_code', '?')}"
    if isinstance(exc, URLError) and exc.reason is not None:
        return f"{type(exc).__name__}: {exc.reason}"
    return f"{type(exc).__name__}: {exc}"


def call(client: WebClient, method: str, **kwargs: Any) -> Outcome:
    """`client.<method>(**kwargs)` (retried by the client's policy) → Outcome. Logs a failure at
    WARNING (method, reason, channel); the caller decides whether it was the last chance."""
    try:
        resp = getattr(client, method)(**kwargs)
        data = resp.data if hasattr(resp, "data") else resp
        return Outcome(data if isinstance(data, dict) else {"ok": True})
    except Exception as exc:  # SlackApiError, connection errors after the retries, ...
        reason = describe_error(exc)
        log.warning("Slack API %s failed: %s (channel=%s)", method.replace("_", ".", 1), reason,
                    kwargs.get("channel", "-"))
        return Outcome(None, reason)


def post_to_response_url(url: str, payload: dict, *, timeout: float = DEFAULT_TIMEOUT,
                         budget: float = DEFAULT_BUDGET) -> Outcome:
    """POST a message to an interaction's response_url, retried like Web API calls."""
    try:
        resp = WebhookClient(url, timeout=int(max(1, timeout)), retry_handlers=[RetryPolicy(budget)],
                             logger=sdk_logger()).send_dict(payload)
    except Exception as exc:
        reason = describe_error(exc)
        log.warning("response_url post failed: %s", reason)
        return Outcome(None, reason)
    if resp.status_code != 200:
        reason = f"HTTP {resp.status_code} {(resp.body or '')[:100]}".strip()
        log.warning("response_url post failed: %s", reason)
        return Outcome(None, reason)
    return Outcome({"ok": True})


# ---------------------------------------------------------------------------- files (upload v2)
def _policy_of(client: WebClient) -> RetryPolicy:
    return next((h for h in getattr(client, "retry_handlers", None) or [] if isinstance(h, RetryPolicy)), RetryPolicy())


def post_bytes(url: str, data: bytes, *, policy: RetryPolicy, timeout: float = DEFAULT_TIMEOUT) -> Outcome:
    """POST raw bytes to an upload URL (no token: it is not the Web API's host), retried by `policy`."""
    import urllib.request
    from urllib.error import HTTPError

    state = RetryState()
    request = HttpRequest(method="POST", url=url, headers={}, data=data)
    while True:
        response: Optional[HttpResponse] = None
        error: Optional[Exception] = None
        try:
            req = urllib.request.Request(url, data=data, method="POST",
                                         headers={"Content-Type": "application/octet-stream"})
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 (the URL Slack handed out)
                resp.read()
                return Outcome({"ok": True, "status": resp.status})
        except HTTPError as exc:
            response = HttpResponse(status_code=exc.code, headers={k: [v] for k, v in exc.headers.items()})
            reason = f"HTTP {exc.code}"
        except Exception as exc:  # connection refused or dropped, timeouts
            error, reason = exc, describe_error(exc)
        if not policy.can_retry(state=state, request=request, response=response, error=error):
            return Outcome(None, reason)
        log.warning("file upload attempt failed (%s); retrying", reason)
        policy.prepare_for_next_attempt(state=state, request=request, response=response, error=error)


def upload_file(client: WebClient, *, channel: str, thread_ts: Optional[str], data: bytes, filename: str,
                title: str, alt_text: Optional[str] = None) -> Outcome:
    """Share `data` as a file in `channel` (in the thread `thread_ts`): Slack's upload flow v2 —
    files.getUploadURLExternal, POST the bytes to the URL it returns, files.completeUploadExternal.

    The three steps of slack_sdk's `files_upload_v2`, taken one by one so that each is retried by
    the same policy (its own POST of the bytes is not retried) and a failure names its step. The
    reason of a failed step reads "files.completeUploadExternal: HTTP 503"."""
    got = call(client, "files_getUploadURLExternal", filename=filename, length=len(data), alt_txt=alt_text)
    if not got:
        return Outcome(None, f"files.getUploadURLExternal: {got.reason}")
    url, file_id = got.data.get("upload_url"), got.data.get("file_id")
    if not url or not file_id:
        return Outcome(None, "files.getUploadURLExternal: no upload URL in the answer")
    sent = post_bytes(url, data, policy=_policy_of(client), timeout=float(client.timeout or DEFAULT_TIMEOUT))
    if not sent:
        log.warning("file upload of %s failed: %s (channel=%s)", filename, sent.reason, channel)
        return Outcome(None, f"upload: {sent.reason}")
    done = call(client, "files_completeUploadExternal", files=[{"id": file_id, "title": title}], channel_id=channel,
                thread_ts=thread_ts)
    if not done:
        return Outcome(None, f"files.completeUploadExternal: {done.reason}")
    return done
