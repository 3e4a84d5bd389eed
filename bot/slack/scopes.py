"""What the Slack app needs from Slack, declared once: deploy/slack-app-manifest.yml must say
exactly this (tests/test_slack_manifest.py checks it, and that the examples are answered).

Each scope and event names what uses it, so one that nothing needs any more is easy to drop.
"""
from __future__ import annotations

BOT_SCOPES = {
    "app_mentions:read": "app_mention events: questions that mention the bot (listeners/mentions.py)",
    "channels:history": "message.channels events and conversations.replies: follow-ups in public-channel threads",
    "groups:history": "message.groups events and conversations.replies: follow-ups in private-channel threads",
    "im:history": "message.im events and conversations.replies: questions in direct messages",
    "chat:write": "chat.postMessage, chat.update, chat.postEphemeral: statuses and answers",
    "commands": "the /ask, /region, /compare and /trend slash commands",
    "files:write": "files.getUploadURLExternal, files.completeUploadExternal: the chart of a /compare or /trend table, in its thread",
}

BOT_EVENTS = {
    "app_mention": "app_mentions:read",
    "message.channels": "channels:history",
    "message.groups": "groups:history",
    "message.im": "im:history",
}

# The Web API methods the bot calls, and the scope each needs (conversations.replies: the
# history scope of the conversation's type).
METHOD_SCOPES = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "conversations_replies": "channels:history",
    "files_getUploadURLExternal": "files:write",
    "files_completeUploadExternal": "files:write",
}

COMMANDS = ("/ask", "/region", "/compare", "/trend")

# Examples shown to users (manifest usage hints, the help text); each must be answered
# on the sample corpus (../shared/corpus: articles and provincial reports).
ASK_EXAMPLE = "What GDP growth target does Guangdong set for 2025?"
MENTION_EXAMPLE = "What fixed-asset investment does Jiangbei New Area aim for this year?"
REGION_EXAMPLE = "Jiangsu"
COMPARE_EXAMPLE = "GDP growth --level province --period 2025 --kind target"
TREND_EXAMPLE = "GDP growth --region Jiangsu"  # the national reports give 70 years: `--region national --from 2000`
