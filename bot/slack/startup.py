"""Why `planbot serve` could not start: one line naming the cause and the fix, and an exit status.

Permanent failures (a restart cannot help) have their own statuses, listed in
deploy/planbot.service's RestartPreventExitStatus so systemd does not loop on them;
a transient one (Slack unreachable) is retried here with backoff first and then exits
with EX_TEMPFAIL, which systemd restarts. deploy/README.md has the table.
"""
from __future__ import annotations

import errno
import logging
import time
from typing import Callable, Optional, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from retrieval.errors import IndexCorrupt, IndexMissing, ModelMismatch, PlanbotError

from .webapi import describe_error

log = logging.getLogger("planbot.slack")
T = TypeVar("T")

# Exit statuses (sysexits.h where one fits). 2 is the settings check (bot.config.ConfigError).
EXIT_SETTINGS = 2
EXIT_NO_INDEX = 66  # EX_NOINPUT
EXIT_PORT_IN_USE = 73  # EX_CANTCREAT
EXIT_SLACK_UNREACHABLE = 75  # EX_TEMPFAIL: the only one systemd should restart
EXIT_TOKEN_REJECTED = 77  # EX_NOPERM
PERMANENT_EXIT_STATUSES = (EXIT_SETTINGS, EXIT_NO_INDEX, EXIT_PORT_IN_USE, EXIT_TOKEN_REJECTED)


class StartupError(PlanbotError):
    """`planbot serve` cannot start; the message says why and what to do."""


class TokenRejected(StartupError):
    exit_code = EXIT_TOKEN_REJECTED


class PortInUse(StartupError):
    exit_code = EXIT_PORT_IN_USE


class SlackUnreachable(StartupError):
    exit_code = EXIT_SLACK_UNREACHABLE


class NoIndex(StartupError):
    exit_code = EXIT_NO_INDEX


# Slack's answers to a bad token (auth.test, apps.connections.open).
_TOKEN_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                 "not_allowed_token_type", "missing_scope", "no_permission", "team_access_not_granted"}


def with_backoff(attempt: Callable[[], T], *, what: str, budget: float, first: float = 1.0, cap: float = 30.0,
                 sleep: Callable[[float], None] = time.sleep) -> T:
    """Run `attempt()` until it stops raising a transient error (anything but SlackApiError), with
    backoff from `first` s, for at most `budget` s; then raise SlackUnreachable."""
    started = time.monotonic()
    delay = first
    while True:
        try:
            return attempt()
        except SlackApiError:
            raise
        except Exception as exc:  # connection refused, DNS, timeouts, HTTP 5xx after the client's retries
            reason = describe_error(exc)
            left = budget - (time.monotonic() - started)
            if left <= 0:
                raise SlackUnreachable(
                    f"cannot reach Slack for {what} ({reason}) after {budget:.0f} s — check the network, proxy "
                    f"and SLACK_API_URL; systemd will try again") from None
            wait = min(delay, cap, left)
            log.warning("cannot reach Slack for %s (%s); retrying in %.0f s", what, reason, wait)
            sleep(wait)
            delay *= 2


def check_bot_token(client: WebClient, budget: float) -> dict:
    """auth.test with retries; TokenRejected for a bad token, SlackUnreachable when Slack cannot be reached."""
    try:
        resp = with_backoff(client.auth_test, what="auth.test", budget=budget)
    except SlackApiError as exc:
        code = describe_error(exc)
        if code in _TOKEN_ERRORS:
            raise TokenRejected(
                f"Slack rejected SLACK_BOT_TOKEN ({code}) — copy the Bot User OAuth Token (xoxb-…) from the "
                "app's OAuth & Permissions page into SLACK_BOT_TOKEN (reinstalling the app issues a new one)") from None
        if code.startswith("HTTP 5"):
            raise SlackUnreachable(f"Slack answered auth.test with {code} — Slack may be down; systemd will try again") from None
        raise TokenRejected(f"auth.test failed ({code}) — check SLACK_BOT_TOKEN and SLACK_API_URL") from None
    return resp.data if hasattr(resp, "data") else dict(resp)


def app_token_rejected(exc: SlackApiError) -> TokenRejected:
    code = describe_error(exc)
    return TokenRejected(
        f"Slack rejected SLACK_APP_TOKEN ({code}) — generate an app-level token (xapp-…) with the "
        "connections:write scope under Basic Information → App-Level Tokens, and enable Socket Mode")


def bind_error(exc: OSError, host: str, port: int) -> StartupError:
    if exc.errno in (errno.EADDRINUSE, errno.EACCES):
        why = "is already in use" if exc.errno == errno.EADDRINUSE else "needs privileges to bind"
        return PortInUse(
            f"port {port} on {host} {why} — stop the other process (`ss -ltnp 'sport = :{port}'` shows it) "
            "or set PORT / --port to a free port")
    return PortInUse(f"cannot listen on {host}:{port} ({exc.strerror or exc}) — set PORT / --port or the host")


def bind_with_retry(bind: Callable[[], T], host: str, port: int, budget: float = 2.0) -> T:
    """A previous instance may still be letting go of the port: retry for a few seconds."""
    started = time.monotonic()
    while True:
        try:
            return bind()
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or time.monotonic() - started >= budget:
                raise bind_error(exc, host, port) from None
            time.sleep(0.5)


def index_error(exc: PlanbotError) -> Optional[NoIndex]:
    """The engine's IndexMissing/IndexCorrupt/ModelMismatch as a start-up failure (their messages name the fix)."""
    if isinstance(exc, (IndexMissing, IndexCorrupt, ModelMismatch)):
        return NoIndex(str(exc))
    return None


# ---------------------------------------------------------------------------- Redis (PLANBOT_REDIS_URL)
class RedisUnreachable(StartupError):
    exit_code = EXIT_SLACK_UNREACHABLE  # EX_TEMPFAIL: Redis may come up later, so systemd restarts


class RedisRejected(StartupError):
    exit_code = EXIT_TOKEN_REJECTED  # EX_NOPERM: a wrong password does not fix itself


def open_shared_state(redis_url: Optional[str], budget: float, sleep: Callable[[float], None] = time.sleep):
    """The listeners' state (bot/slack/state/); with a Redis URL, Redis is pinged first, with backoff
    for at most `budget` s: RedisRejected for bad credentials, RedisUnreachable when it stays down."""
    if not redis_url:
        from .state import MemoryState

        return MemoryState()
    try:
        from .state.redis_store import RedisState, describe
    except ImportError:
        raise StartupError("PLANBOT_REDIS_URL is set but redis-py is not installed — "
                           "pip install 'planbot[scale]' (or unset PLANBOT_REDIS_URL for one replica)") from None
    import redis

    try:
        state = RedisState(redis_url)
    except ValueError as exc:  # a URL redis-py cannot read
        raise StartupError(f"PLANBOT_REDIS_URL cannot be used ({describe(exc)}) — e.g. redis://localhost:6379/0") from None
    started, delay = time.monotonic(), 1.0
    while True:
        try:
            state.ping()
            log.info("event dedup and thread state are shared through Redis at %s", state.url)
            return state
        except (redis.AuthenticationError, redis.exceptions.AuthenticationWrongNumberOfArgsError) as exc:
            raise RedisRejected(f"Redis at {state.url} rejected the credentials ({describe(exc)}) — "
                                "fix the user/password in PLANBOT_REDIS_URL") from None
        except redis.ResponseError as exc:  # NOAUTH and the like: the server answered, and refused
            raise RedisRejected(f"Redis at {state.url} refused the bot ({describe(exc)}) — "
                                "check the password in PLANBOT_REDIS_URL") from None
        except (redis.RedisError, OSError) as exc:
            left = budget - (time.monotonic() - started)
            if left <= 0:
                raise RedisUnreachable(
                    f"cannot reach Redis at {state.url} ({describe(exc)}) after {budget:.0f} s — start Redis or "
                    "fix PLANBOT_REDIS_URL; systemd will try again") from None
            wait = min(delay, 30.0, left)
            log.warning("cannot reach Redis at %s (%s); retrying in %.0f s", state.url, describe(exc), wait)
            sleep(wait)
            delay *= 2
