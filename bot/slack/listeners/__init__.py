"""Listener registration, one module per kind of Slack request (as in bolt-python's templates)."""
from slack_bolt import App

from . import actions, commands, compare, feedback, mentions, messages


def register(app: App) -> None:
    mentions.register(app)
    messages.register(app)
    commands.register(app)
    compare.register(app)
    actions.register(app)
    feedback.register(app)
