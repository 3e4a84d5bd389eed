"""Socket Mode through a local WebSocket server: reconnecting within seconds after the server drops."""
from __future__ import annotations

import time

import pytest

from bot.slack.app import SocketModeSupervisor, build_app, make_socket_mode_handler
from bot.slack.runtime import state_of

try:
    from slack_fake import FakeSocketMode, SlackSender
    from test_slack_bot import (APP_TOKEN, CHANNEL, MENTION, fake, server_log, settings_for,  # noqa: F401
                                slack_corpus, slack_encoder, slack_engine, slack_index)
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import FakeSocketMode, SlackSender
    from tests.test_slack_bot import (APP_TOKEN, CHANNEL, MENTION, fake, server_log, settings_for,  # noqa: F401
                                      slack_corpus, slack_encoder, slack_engine, slack_index)


def mention_envelope(fake, n: int, text: str) -> tuple[dict, str]:
    ts = fake.add_message(CHANNEL, text)
    payload = SlackSender("", "").event_payload({"type": "app_mention", "user": "UHUMAN01", "text": text, "ts": ts,
                                                 "channel": CHANNEL}, event_id=f"EvRECONNECT{n:04d}")
    return {"envelope_id": f"env-reconnect-{n}", "type": "events_api", "accepts_response_payload": False,
            "retry_attempt": 0, "retry_reason": "", "payload": payload}, ts


@pytest.mark.parametrize("abrupt", [True, False], ids=["tcp-reset", "close-frame"])
def test_socket_mode_reconnects_within_seconds_after_the_server_drops(fake, slack_engine, slack_index, abrupt):
    fake.reset()
    sm = FakeSocketMode().start()
    fake.socket_url = sm.url
    settings = settings_for(fake, slack_index, SLACK_APP_TOKEN=APP_TOKEN, SLACK_SIGNING_SECRET="")
    app = build_app(settings, slack_engine)
    handler = make_socket_mode_handler(app, settings)
    handler.connect()
    supervisor = SocketModeSupervisor(handler).start()
    try:
        sm.wait_for_connections(1)
        sm.drop(abrupt=abrupt)
        took = sm.wait_for_connections(2, timeout=10)
        assert took < 5.0, f"reconnected after {took:.1f} s"
        assert len(fake.calls_to("apps.connections.open")) >= 2  # a fresh URL for the new connection
        envelope, ts = mention_envelope(fake, 1 if abrupt else 2, f"{MENTION} How much fixed-asset investment did Binhu complete?")
        sm.send(envelope)  # sent on the new connection, so it is not lost
        sm.wait_for_ack(envelope["envelope_id"])
        status = fake.wait_for("chat.postMessage", where=lambda c: c.get("thread_ts") == ts)[0]
        final = fake.wait_for("chat.update", where=lambda c: c.get("ts") == status.response["ts"])[-1]
        assert "28.7 billion yuan" in final.all_text()
    finally:
        supervisor.stop()
        handler.close()
        sm.stop()
        state_of(app).queue.shutdown()
        state_of(app).gateway.shutdown()
