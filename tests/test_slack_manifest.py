"""deploy/slack-app-manifest.yml asks for exactly what the code uses, and its examples work.

A scope nothing uses is a permission an admin must grant for nothing; a history scope
without its message event (or the reverse) means messages that never arrive; an example
that gets "Not found" is the first thing a new user tries.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.slack import formatting as fmt
from bot.slack import scopes
from bot.slack.listeners.commands import ASK_USAGE
from retrieval.compare.command import table_request

REPO = Path(__file__).resolve().parents[1]
MANIFEST = yaml.safe_load((REPO / "deploy" / "slack-app-manifest.yml").read_text(encoding="utf-8"))
SOURCE = "\n".join(p.read_text(encoding="utf-8") for p in sorted((REPO / "bot" / "slack").rglob("*.py")))


def test_scopes_and_events_are_exactly_what_the_code_uses():
    granted = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    events = set(MANIFEST["settings"]["event_subscriptions"]["bot_events"])
    assert granted == set(scopes.BOT_SCOPES)
    assert events == set(scopes.BOT_EVENTS)

    # The Web API methods the code calls, found in the code itself.
    called = set(re.findall(r'call\(\s*client,\s*"(\w+)"', SOURCE)) | set(re.findall(r"client\.(auth_test)\b", SOURCE))
    assert {"chat_postMessage", "chat_update", "chat_postEphemeral", "conversations_replies"} <= called
    assert called <= set(scopes.METHOD_SCOPES), called - set(scopes.METHOD_SCOPES)
    needed = {scopes.METHOD_SCOPES[m] for m in called if scopes.METHOD_SCOPES[m]}
    needed |= {scopes.BOT_EVENTS[e] for e in events} | {"commands"}
    assert needed == granted  # nothing granted that nothing needs (reactions:write is gone)
    # the chart upload (files upload v2: both Web API steps) is what files:write is for
    assert {"files_getUploadURLExternal", "files_completeUploadExternal"} <= called and "files:write" in granted

    for event, scope in scopes.BOT_EVENTS.items():  # each message event has its history scope, and back
        assert scope in granted
    for scope in granted:
        if scope.endswith(":history"):
            assert any(scopes.BOT_EVENTS[e] == scope for e in events), f"{scope} without its message event"

    listened = set(re.findall(r'app\.event\("([\w.]+)"\)', SOURCE))
    assert listened == {"app_mention", "message"}  # "message" covers message.channels/.groups/.im
    commands = {c["command"] for c in MANIFEST["features"]["slash_commands"]}
    assert commands == set(re.findall(r'app\.command\("(/\w+)"\)', SOURCE)) == set(scopes.COMMANDS)
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True  # the Share and feedback buttons


def test_examples_are_answered_on_the_sample_corpus(corpus_engine):
    hints = {c["command"]: c["usage_hint"] for c in MANIFEST["features"]["slash_commands"]}
    assert hints["/ask"] == scopes.ASK_EXAMPLE and scopes.ASK_EXAMPLE in ASK_USAGE
    assert scopes.MENTION_EXAMPLE in fmt.USAGE and scopes.REGION_EXAMPLE in hints["/region"]
    assert (hints["/compare"], hints["/trend"]) == (scopes.COMPARE_EXAMPLE, scopes.TREND_EXAMPLE)
    assert scopes.COMPARE_EXAMPLE in fmt.USAGE and scopes.TREND_EXAMPLE in fmt.USAGE
    for what, example in (("compare", scopes.COMPARE_EXAMPLE), ("trend", scopes.TREND_EXAMPLE)):
        indicator, options = table_request(example, what, corpus_engine.gazetteer)  # as /compare and /trend read it
        table = getattr(corpus_engine, what)(indicator, **options)
        cells = [r.cell for r in table.rows] if what == "compare" else [c for r in table.rows for c in (r.target, r.achieved)]
        assert len([c for c in cells if c is not None]) >= 2, example
    for question in (scopes.ASK_EXAMPLE, scopes.MENTION_EXAMPLE):
        answer = corpus_engine.ask(question)
        assert answer.answered, question
        assert any(q.figures for q in answer.quotes), question  # a figure, quoted from a source
    digest = corpus_engine.region(scopes.REGION_EXAMPLE)
    assert digest.get("figures"), digest.keys()
