"""The load generator: a separate process (standard library only, no Django) that `bench.run` starts.

Two modes, and the output says which:

- ``open``: open-loop at an offered rate. Requests are due on a constant arrival schedule (t0 + i / rate)
  whether or not earlier ones have answered; a pool of threads sends them, and latency is measured from the
  time each request was *due*, so a slow server cannot hide its queueing (no coordinated omission).
- ``closed``: closed-loop saturation. N clients send back to back; throughput is what the server sustains.

Input: one JSON object on stdin ({"mode", "host", "port", "requests": [...], "duration", "warmup",
"rate" | "concurrency"}). A request is either ``[path, cookie]`` (a GET) or an object ``{"method", "path",
"cookie", "body", "headers", "tag"}``: ``body`` (a string, sent as UTF-8; JSON unless the headers say
otherwise) and ``headers`` (e.g. the CSRF token header of a session write) are optional, and so is ``tag``,
the kind of request in a mixed workload, by which the latencies are also reported. Output: one JSON object
on stdout with the latencies (ms, warm-up discarded), errors, throughput, the same per tag, and this
process's own CPU seconds.
"""

from __future__ import annotations

import http.client
import json
import os
import queue
import sys
import threading
import time


def _cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


class _Client:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.conn: http.client.HTTPConnection | None = None

    def send(self, method: str, path: str, cookie: str | None, body: bytes | None, headers: dict) -> int:
        """The status of one request (0 when the connection failed twice). A request on a keep-alive
        connection the server had closed is sent once more on a new one (a write may then be made twice:
        the bench's writes are drafts, so a duplicate is harmless)."""
        all_headers = {"Accept": "application/json", "Host": self.host}
        if cookie:
            all_headers["Cookie"] = cookie
        if body is not None:
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers)
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=all_headers)
                response = self.conn.getresponse()
                response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    return 0
        return 0

    def get(self, path: str, cookie: str | None) -> int:
        return self.send("GET", path, cookie, None, {})


def _prepare(item) -> tuple[str, str, str | None, bytes | None, dict, str | None]:
    """(method, path, cookie, body, headers, tag) of one request of the spec."""
    if isinstance(item, dict):
        body = item.get("body")
        return (
            item.get("method", "GET").upper(),
            item["path"],
            item.get("cookie"),
            body.encode() if isinstance(body, str) else body,
            dict(item.get("headers") or {}),
            item.get("tag"),
        )
    path, cookie = item
    return "GET", path, cookie, None, {}, None


def run(spec: dict) -> dict:
    host, port = spec["host"], spec["port"]
    requests = [_prepare(item) for item in spec["requests"]]
    duration, warmup = float(spec["duration"]), float(spec.get("warmup", 0))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    tags: dict[str, dict] = {}
    lock = threading.Lock()
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration

    def record(due: float, status: int, tag: str | None) -> None:
        done = time.perf_counter()
        if due < measure_from:
            return
        with lock:
            latency = (done - due) * 1000
            latencies.append(latency)
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if tag is not None:
                entry = tags.setdefault(tag, {"latencies_ms": [], "statuses": {}})
                entry["latencies_ms"].append(latency)
                entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1

    def send(client: _Client, due: float, request) -> None:
        method, path, cookie, body, headers, tag = request
        record(due, client.send(method, path, cookie, body, headers), tag)

    if spec["mode"] == "closed":
        concurrency = int(spec["concurrency"])

        def client_loop(offset: int) -> None:
            client, i = _Client(host, port), offset
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    return
                request = requests[i % len(requests)]
                i += concurrency
                send(client, now, request)

        threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(concurrency)]
    else:
        rate = float(spec["rate"])
        due_queue: queue.Queue = queue.Queue()
        pool = int(spec.get("pool", 64))

        def sender() -> None:
            client = _Client(host, port)
            while True:
                item = due_queue.get()
                if item is None:
                    return
                due, request = item
                send(client, due, request)

        def scheduler() -> None:
            i = 0
            while True:
                due = start + i / rate
                if due >= stop_at:
                    break
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                due_queue.put((due, requests[i % len(requests)]))
                i += 1
            for _ in range(pool):
                due_queue.put(None)

        threads = [threading.Thread(target=sender) for _ in range(pool)]
        threads.append(threading.Thread(target=scheduler))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = max(time.perf_counter() - measure_from, 1e-9)
    ok = _ok(statuses)
    return {
        "mode": spec["mode"],
        "loop": "open-loop (constant arrival schedule)"
        if spec["mode"] == "open"
        else "closed-loop (back to back)",
        "rate": spec.get("rate"),
        "concurrency": spec.get("concurrency"),
        "duration": duration,
        "elapsed": elapsed,
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": statuses,
        "throughput": len(latencies) / elapsed,
        "latencies_ms": latencies,
        "tags": {
            tag: {**entry, "errors": sum(entry["statuses"].values()) - _ok(entry["statuses"])}
            for tag, entry in tags.items()
        },
        "loadgen_cpu_s": _cpu_seconds() - cpu0,
    }


def _ok(statuses: dict[str, int]) -> int:
    return sum(n for s, n in statuses.items() if s.startswith("2") or s == "304")


def main() -> None:
    spec = json.load(sys.stdin)
    json.dump(run(spec), sys.stdout)


if __name__ == "__main__":
    main()
