"""Settings for every planbot surface, resolved in one place.

Precedence, highest first: explicit arguments (CLI flags), the process environment,
then a `.env` file (python-dotenv; the `.env` in the working directory unless another
is named). Nothing here reads the index or talks to Slack: `Settings.check_for_serve()`
only says, in one message, which settings `planbot serve` still needs.

Tokens are secrets: `repr()`/`str()`/`describe()` never show them, only whether they
are set.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping, Optional
from urllib.parse import urlparse

from retrieval.errors import PlanbotError

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_PORT = 3000
DEFAULT_SLACK_WAIT = 120.0  # seconds `planbot serve` keeps retrying an unreachable Slack at start

# Environment variable for each field (the field name is the lower-cased variable,
# except the two PLANBOT_ ones).
ENV_NAMES = {
    "slack_bot_token": "SLACK_BOT_TOKEN",
    "slack_signing_secret": "SLACK_SIGNING_SECRET",
    "slack_app_token": "SLACK_APP_TOKEN",
    "index_dir": "PLANBOT_INDEX",
    "embedding_model": "PLANBOT_EMBEDDING_MODEL",
    "slack_api_url": "SLACK_API_URL",
    "port": "PORT",
    "slack_wait": "PLANBOT_SLACK_WAIT",
    "feedback_path": "PLANBOT_FEEDBACK",
    "store": "PLANBOT_STORE",
    "redis_url": "PLANBOT_REDIS_URL",
}
SECRET_FIELDS = ("slack_bot_token", "slack_signing_secret", "slack_app_token")


class ConfigError(PlanbotError):
    """One or more settings are missing or malformed; the message names each of them."""

    exit_code = 2


def default_index_dir(environ: Mapping[str, str] | None = None) -> Path:
    """`$XDG_DATA_HOME/planbot/index`, else `~/.local/share/planbot/index`."""
    environ = os.environ if environ is None else environ
    xdg = (environ.get("XDG_DATA_HOME") or "").strip()
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "planbot" / "index"


def _blank_to_none(value: Any) -> Optional[str]:
    if value is None:
        return None
    value = str(value).strip()
    return value or None


@dataclass(frozen=True)
class Settings:
    slack_bot_token: Optional[str] = None
    slack_signing_secret: Optional[str] = None
    slack_app_token: Optional[str] = None
    index_dir: Path = Path()
    embedding_model: Optional[str] = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: Any = DEFAULT_PORT  # an int once valid; kept as given when malformed so the check can name it
    slack_wait: Any = DEFAULT_SLACK_WAIT  # a float once valid (seconds)
    feedback_path: Optional[Path] = None  # None: feedback.sqlite3 beside the index directory
    env_file: Optional[Path] = None  # the .env that was read, if any
    store: Optional[str] = None  # None/"faiss": index_dir; a Milvus URI (retrieval/store/backends.py)
    redis_url: Optional[str] = None  # bot replicas share event dedup and thread state there (bot/slack/state/)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(
        cls,
        env_file: str | os.PathLike | None | bool = None,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> "Settings":
        """Resolve settings from `overrides` > `environ` (default os.environ) > `.env`.

        `env_file`: the .env to read; default `.env` in the working directory (read only
        if it exists; a named file that does not exist is an error); False reads none
        (tests, or a process manager that already set the environment). `overrides` use the
        field names (`index_dir=`, `port=`, `slack_bot_token=` ...); None means "not given".
        """
        environ = dict(os.environ if environ is None else environ)
        unknown = set(overrides) - {f.name for f in fields(cls)} - {"env_file"}
        if unknown:
            raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")

        dotenv: dict[str, str] = {}
        path: Optional[Path] = None
        if env_file is False:
            pass
        elif env_file is not None and env_file is not True:
            path = Path(env_file).expanduser()
            if not path.is_file():
                raise ConfigError(f"settings file {str(path)!r} does not exist")
        elif Path(".env").is_file():
            path = Path(".env").resolve()
        if path is not None:
            from dotenv import dotenv_values

            dotenv = {k: v for k, v in dotenv_values(path).items() if v is not None}

        def pick(name: str) -> Optional[str]:
            if overrides.get(name) is not None:
                return overrides[name]
            var = ENV_NAMES[name]
            return _blank_to_none(environ.get(var)) or _blank_to_none(dotenv.get(var))

        merged_env = {**dotenv, **environ}  # for XDG_DATA_HOME in the default index path
        index = pick("index_dir")
        port: Any = pick("port")
        if port is None:
            port = DEFAULT_PORT
        else:
            try:
                port = int(str(port).strip())
            except ValueError:
                pass  # reported by check_for_serve()
        wait: Any = pick("slack_wait")
        try:
            wait = DEFAULT_SLACK_WAIT if wait is None else float(str(wait).strip())
        except ValueError:
            pass  # reported by check_for_serve()
        feedback = _blank_to_none(pick("feedback_path"))
        api_url = _blank_to_none(pick("slack_api_url")) or DEFAULT_SLACK_API_URL
        if not api_url.endswith("/"):
            api_url += "/"  # slack_sdk joins method names onto it
        return cls(
            slack_bot_token=_blank_to_none(pick("slack_bot_token")),
            slack_signing_secret=_blank_to_none(pick("slack_signing_secret")),
            slack_app_token=_blank_to_none(pick("slack_app_token")),
            index_dir=Path(index).expanduser() if index else default_index_dir(merged_env),
            embedding_model=_blank_to_none(pick("embedding_model")),
            slack_api_url=api_url,
            port=port,
            slack_wait=wait,
            feedback_path=Path(feedback).expanduser() if feedback else None,
            env_file=path,
            store=_blank_to_none(pick("store")),
            redis_url=_blank_to_none(pick("redis_url")),
        )

    # ------------------------------------------------------------------ checks
    @property
    def socket_mode(self) -> bool:
        """Socket Mode when an app-level token is set, else the HTTP events endpoint."""
        return bool(self.slack_app_token)

    def problems_for_serve(self) -> list[str]:
        problems: list[str] = []
        bot = self.slack_bot_token
        if not bot:
            problems.append("SLACK_BOT_TOKEN is not set (the bot token, xoxb-…, from OAuth & Permissions)")
        elif not bot.startswith("xoxb-"):
            problems.append("SLACK_BOT_TOKEN does not start with xoxb- (use the Bot User OAuth Token, not a user or app token)")
        app = self.slack_app_token
        if app and not app.startswith("xapp-"):
            problems.append("SLACK_APP_TOKEN does not start with xapp- (use an app-level token with connections:write)")
        if not app:
            secret = self.slack_signing_secret
            if not secret:
                problems.append(
                    "SLACK_SIGNING_SECRET is not set (needed for the HTTP events endpoint; "
                    "or set SLACK_APP_TOKEN=xapp-… to use Socket Mode)"
                )
            elif not re.fullmatch(r"[0-9A-Za-z]{16,}", secret):
                problems.append("SLACK_SIGNING_SECRET looks malformed (expected the hex string from Basic Information)")
        parsed = urlparse(self.slack_api_url or "")
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(f"SLACK_API_URL {self.slack_api_url!r} is not an http(s) URL")
        if not isinstance(self.port, int) or isinstance(self.port, bool) or not 0 <= self.port <= 65535:
            problems.append(f"PORT {self.port!r} is not a port number (0-65535)")
        if not isinstance(self.slack_wait, (int, float)) or isinstance(self.slack_wait, bool) or self.slack_wait < 0:
            problems.append(f"PLANBOT_SLACK_WAIT {self.slack_wait!r} is not a number of seconds")
        if self.redis_url and urlparse(self.redis_url).scheme not in ("redis", "rediss", "unix"):
            problems.append("PLANBOT_REDIS_URL is not a redis://, rediss:// or unix:// URL "
                            "(e.g. redis://localhost:6379/0)")
        return problems

    def check_for_serve(self) -> "Settings":
        """Raise one ConfigError naming every missing or malformed setting; return self if fine."""
        problems = self.problems_for_serve()
        if problems:
            where = f" (read {self.env_file})" if self.env_file else ""
            raise ConfigError(
                "planbot serve cannot start; fix these settings in the environment or .env" + where + ":\n"
                + "\n".join(f"  - {p}" for p in problems)
            )
        return self

    @property
    def feedback_file(self) -> Path:
        """Where answer feedback is kept: PLANBOT_FEEDBACK, else beside the index directory
        (not inside it: an index generation is replaced whole by `planbot ingest`)."""
        if self.feedback_path is not None:
            return self.feedback_path
        return self.index_dir.parent / f"{self.index_dir.name}.feedback.sqlite3"

    # ------------------------------------------------------------------ display
    def describe(self) -> dict[str, Any]:
        """Safe-to-log view: secrets shown only as set/unset."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in SECRET_FIELDS:
                out[f.name] = "<set>" if value else "<unset>"
            elif f.name == "redis_url" and value:
                out[f.name] = re.sub(r"(//[^:/@]*:)[^@]*@", r"\1***@", value)  # a password in the URL
            else:
                out[f.name] = str(value) if isinstance(value, Path) else value
        return out

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.describe().items())
        return f"Settings({inner})"

    __str__ = __repr__
