"""FakeSlack plus the files upload flow (files.getUploadURLExternal → POST the bytes to the
upload URL → files.completeUploadExternal), kept apart from tests/slack_fake.py.

Like Slack, the fake hands out an upload URL per file, takes the raw bytes there (checking the
length announced), and on completion shares the file into the channel and thread it names,
as a message in that thread. `fake.uploads` holds the bytes received per file id.
"""
from __future__ import annotations

import itertools
import json
import threading
import time
import urllib.parse
from http.server import ThreadingHTTPServer
from typing import Any

try:
    from slack_fake import Call, FakeSlack, _FakeHandler
except ImportError:  # tests/ imported as a package
    from tests.slack_fake import Call, FakeSlack, _FakeHandler


class FakeSlackWithFiles(FakeSlack):
    def __post_init__(self) -> None:
        super().__post_init__()
        self.uploads: dict[str, bytes] = {}
        self.pending: dict[str, dict] = {}  # file id -> {"filename", "length"}
        self._file_ids = itertools.count(1)

    def start(self) -> "FakeSlackWithFiles":
        fake = self

        class Handler(_FilesHandler):
            pass

        Handler.fake = fake
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-slack-files", daemon=True).start()
        return self

    def _answer(self, method: str, args: dict, token_kind):
        if token_kind == "xoxb" and method == "files.getUploadURLExternal":
            try:
                length = int(args.get("length") or 0)
            except ValueError:
                length = 0
            if not args.get("filename") or length <= 0:
                return {"ok": False, "error": "invalid_arguments"}
            fid = f"F{next(self._file_ids):08d}"
            self.pending[fid] = {"filename": args["filename"], "length": length}
            return {"ok": True, "upload_url": f"{self.base}/upload/{fid}", "file_id": fid}
        if token_kind == "xoxb" and method == "files.completeUploadExternal":
            files = json.loads(args.get("files") or "[]")
            if not files or any(f.get("id") not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}
            channel = args.get("channel_id")
            if channel:
                for f in files:
                    self.add_message(channel, "", user=self.bot_user_id, thread_ts=args.get("thread_ts"),
                                     bot_id=self.bot_id, files=[{"id": f["id"], "title": f.get("title")}])
            return {"ok": True, "files": [{"id": f["id"], "title": f.get("title") or self.pending[f["id"]]["filename"]}
                                          for f in files]}
        return super()._answer(method, args, token_kind)


class _FilesHandler(_FakeHandler):
    def _handle(self) -> None:
        path = urllib.parse.urlsplit(self.path).path
        if not path.startswith("/upload/"):
            return super()._handle()
        fake: FakeSlackWithFiles = self.fake  # type: ignore[assignment]
        fid = path.rsplit("/", 1)[1]
        data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        call = Call("upload", {"file_id": fid, "size": len(data)}, dict(self.headers.items()), time.monotonic())
        failure = fake._take_failure("upload")
        expected = fake.pending.get(fid, {}).get("length")
        if failure is not None or expected != len(data):
            call.status = failure.status if failure is not None and failure.status >= 400 else 400
            fake._record(call)
            self._reply(call.status, "upload failed")
            return
        fake.uploads[fid] = data
        fake._record(call)
        self._reply(200, f"OK - {len(data)}")

    do_GET = _handle
    do_POST = _handle
