"""Filters the event listeners share."""
from __future__ import annotations

from typing import Any, Mapping

# Plain messages and thread replies also sent to the channel are questions; edits,
# deletions, joins, bot messages, file comments ... are not.
ANSWERED_SUBTYPES = {None, "thread_broadcast"}


def ignorable(event: Mapping[str, Any], bot_user_id: str | None, bot_id: str | None = None) -> bool:
    """True for events the bot must not answer: its own, other bots', and message subtypes."""
    if event.get("subtype") not in ANSWERED_SUBTYPES:
        return True
    if event.get("bot_id") or event.get("bot_profile"):
        return True
    user = event.get("user")
    if not user:
        return True
    if bot_user_id and user == bot_user_id:
        return True
    if bot_id and event.get("bot_id") == bot_id:
        return True
    return False
