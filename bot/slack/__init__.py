"""planbot's Slack surface: a slack-bolt app (HTTP events endpoint or Socket Mode).

`build_app(settings, engine)` wires the listeners; `serve(settings, engine, port)` runs it.
"""
from .app import build_app, make_http_server, make_socket_mode_handler, serve

__all__ = ["build_app", "make_http_server", "make_socket_mode_handler", "serve"]
