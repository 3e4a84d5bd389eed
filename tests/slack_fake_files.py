"""FakeSlack plus Slack's files upload flow (v2), kept apart from tests/slack_fake.py:
files.getUploadURLExternal → POST the bytes to the upload URL → files.completeUploadExternal.

Like Slack, the fake hands out an upload URL per file (on its own host, outside /api/), takes
the raw bytes there, checking the length announced in step one, and on completion shares the
file into the channel and thread it names, as a message in that thread. `fake.uploads` holds
the bytes received per file id. `fake.fail("upload", status=500)` fails the POST of the bytes;
the two Web API steps fail like any method (`fake.fail("files.completeUploadExternal", ...)`).
"""
from __future__ import annotations

import itertools
import json
import time
import urllib.parse

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

    def _handler(self) -> type:
        return _FilesHandler

    def shared_files(self, channel: str, thread_ts: str) -> list[dict]:
        """The files shared into a thread (completed uploads), as Slack lists them in its messages."""
        return [f for m in self.thread_messages(channel, thread_ts) for f in m.get("files") or []]

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
            return {"ok": True, "upload_url": f"{self.base}/upload/v1/{fid}", "file_id": fid}
        if token_kind == "xoxb" and method == "files.completeUploadExternal":
            try:
                files = json.loads(args.get("files") or "[]")
            except ValueError:
                return {"ok": False, "error": "invalid_arguments"}
            if not files or any(f.get("id") not in self.uploads for f in files):
                return {"ok": False, "error": "file_not_found"}  # completed before the bytes arrived
            channel = args.get("channel_id")
            if args.get("thread_ts") and not channel:
                return {"ok": False, "error": "invalid_arguments"}
            shared = [{"id": f["id"], "title": f.get("title") or self.pending[f["id"]]["filename"],
                       "name": self.pending[f["id"]]["filename"]} for f in files]
            if channel:
                self.add_message(channel, "", user=self.bot_user_id, thread_ts=args.get("thread_ts"), bot_id=self.bot_id,
                                 files=shared)
            return {"ok": True, "files": shared}
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
        if failure is not None or expected != len(data) or self.command != "POST":
            call.status = failure.status if failure is not None and failure.status >= 400 else 400
            fake._record(call)
            self._reply(call.status, "upload failed")
            return
        fake.uploads[fid] = data
        fake._record(call)
        self._reply(200, f"OK - {len(data)}")

    do_GET = _handle
    do_POST = _handle
