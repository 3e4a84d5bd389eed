"""Sends prepared HTTP requests concurrently and reports each one's status and seconds.

Run as its own process (`python tests/slack_load_client.py THREADS < requests.json`) so the
client's threads do not compete with the bot under test for its interpreter: the latencies
measured are the server's. Input: a JSON list of {"url", "body", "headers"}; output: a JSON
list of {"status", "seconds"} in the same order.
"""
from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def send(req: dict) -> dict:
    request = urllib.request.Request(req["url"], data=req["body"].encode(), method="POST", headers=req["headers"])
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            resp.read()
            status = resp.status
    except urllib.error.HTTPError as err:
        status = err.code
    except OSError as err:  # reset, refused, timeout: reported, not raised
        status = f"{type(err).__name__}: {err}"
    return {"status": status, "seconds": time.perf_counter() - start}


def main() -> None:
    threads = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    requests = json.load(sys.stdin)
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(send, requests))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
