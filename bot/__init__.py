"""Surfaces: the planbot CLI and the Slack app."""
