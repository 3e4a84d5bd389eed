"""bot.config.Settings: precedence, defaults, the serve check, and no tokens in repr/logs."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, default_index_dir
from bot.slack.app import RedactSecrets, redact

BOT = "xoxb-1111-2222-abcdefSECRET"
APP = "xapp-1-A1-3333-ffffSECRET"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def test_precedence_arguments_env_dotenv(tmp_path: Path):
    env_file = tmp_path / ".env"
    env_file.write_text(
        f"SLACK_BOT_TOKEN={BOT}\nSLACK_SIGNING_SECRET={SECRET}\nPLANBOT_INDEX=/from/dotenv\nPORT=4000\n"
        "SLACK_API_URL=http://127.0.0.1:9/api\nPLANBOT_EMBEDDING_MODEL=from-dotenv\n",
        encoding="utf-8",
    )
    s = Settings.load(env_file=env_file, environ={"PLANBOT_INDEX": "/from/env", "PORT": "5000"}, port=6000)
    assert s.slack_bot_token == BOT and s.slack_signing_secret == SECRET
    assert s.index_dir == Path("/from/env")  # environment beats .env
    assert s.port == 6000  # arguments beat both
    assert s.slack_api_url == "http://127.0.0.1:9/api/"  # trailing slash added for slack_sdk
    assert s.embedding_model == "from-dotenv"
    assert s.env_file == env_file
    assert not s.socket_mode
    s.check_for_serve()


def test_defaults(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no .env here
    s = Settings.load(environ={"HOME": str(tmp_path)})
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.port == 3000
    assert s.index_dir == default_index_dir({})
    assert default_index_dir({"XDG_DATA_HOME": "/xdg"}) == Path("/xdg/planbot/index")
    assert str(default_index_dir({})).endswith(".local/share/planbot/index")
    assert Settings.load(environ={"XDG_DATA_HOME": "/xdg"}).index_dir == Path("/xdg/planbot/index")


def test_dotenv_in_working_directory_and_opt_out(tmp_path: Path, monkeypatch):
    (tmp_path / ".env").write_text(f"SLACK_APP_TOKEN={APP}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert Settings.load(environ={}).slack_app_token == APP
    assert Settings.load(environ={}, env_file=False).slack_app_token is None
    with pytest.raises(ConfigError, match="does not exist"):
        Settings.load(environ={}, env_file=tmp_path / "missing.env")


def test_check_for_serve_names_every_problem():
    s = Settings.load(environ={"SLACK_BOT_TOKEN": "xoxp-user-token", "SLACK_APP_TOKEN": "bad-app", "PORT": "eighty",
                               "SLACK_API_URL": "slack.com"}, env_file=False)
    with pytest.raises(ConfigError) as err:
        s.check_for_serve()
    message = str(err.value)
    assert "SLACK_BOT_TOKEN does not start with xoxb-" in message
    assert "SLACK_APP_TOKEN does not start with xapp-" in message
    assert "PORT 'eighty'" in message
    assert "SLACK_API_URL" in message
    assert "xoxp-user-token" not in message

    empty = Settings.load(environ={}, env_file=False)
    with pytest.raises(ConfigError) as err:
        empty.check_for_serve()
    assert "SLACK_BOT_TOKEN is not set" in str(err.value)
    assert "SLACK_SIGNING_SECRET is not set" in str(err.value)

    socket = Settings.load(environ={"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP}, env_file=False)
    assert socket.socket_mode
    socket.check_for_serve()  # no signing secret needed in Socket Mode


def test_tokens_never_shown():
    s = Settings.load(environ={"SLACK_BOT_TOKEN": BOT, "SLACK_APP_TOKEN": APP, "SLACK_SIGNING_SECRET": SECRET},
                      env_file=False)
    for text in (repr(s), str(s), str(s.describe())):
        assert BOT not in text and APP not in text and SECRET not in text
        assert "<set>" in text


def test_log_redaction(caplog):
    assert BOT not in redact(f"calling with {BOT} and token={SECRET}")
    assert SECRET not in redact(f"token={SECRET}")
    logger = logging.getLogger("planbot.test.redact")
    handler = logging.Handler()
    records = []
    handler.emit = records.append
    handler.addFilter(RedactSecrets())
    logger.addHandler(handler)
    try:
        logger.error("auth with %s failed", BOT)
    finally:
        logger.removeHandler(handler)
    assert BOT not in records[0].getMessage() and "xoxb-***" in records[0].getMessage()


def test_serve_refuses_incomplete_settings():
    from bot.slack.app import serve

    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN is not set"):
        serve(Settings.load(environ={}, env_file=False), engine=None)
