"""The load generator: a separate process (standard library only, no Django) that `bench.run` starts.

Two modes, and the output says which:

- ``open``: open-loop at an offered rate. Requests are due on a constant arrival schedule (t0 + i / rate)
  whether or not earlier ones have answered; a pool of threads sends them, and latency is measured from the
  time each request was *due*, so a slow server cannot hide its queueing (no coordinated omission).
- ``closed``: closed-loop saturation. N clients send back to back; throughput is what the server sustains.

Input: one JSON object on stdin ({"mode", "host", "port", "requests": [[path, cookie], …], "duration",
"warmup", "rate" | "concurrency"}). Output: one JSON object on stdout with the latencies (ms, warm-up
discarded), errors, throughput and this process's own CPU seconds.
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

    def get(self, path: str, cookie: str | None) -> int:
        headers = {"Accept": "application/json", "Host": self.host}
        if cookie:
            headers["Cookie"] = cookie
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
            try:
                self.conn.request("GET", path, headers=headers)
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


def run(spec: dict) -> dict:
    host, port = spec["host"], spec["port"]
    requests = spec["requests"]
    duration, warmup = float(spec["duration"]), float(spec.get("warmup", 0))
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration

    def record(due: float, status: int) -> None:
        done = time.perf_counter()
        if due < measure_from:
            return
        with lock:
            latencies.append((done - due) * 1000)
            statuses[str(status)] = statuses.get(str(status), 0) + 1

    if spec["mode"] == "closed":
        concurrency = int(spec["concurrency"])

        def client_loop(offset: int) -> None:
            client, i = _Client(host, port), offset
            while True:
                now = time.perf_counter()
                if now >= stop_at:
                    return
                path, cookie = requests[i % len(requests)]
                i += concurrency
                record(now, client.get(path, cookie))

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
                due, path, cookie = item
                record(due, client.get(path, cookie))

        def scheduler() -> None:
            i = 0
            while True:
                due = start + i / rate
                if due >= stop_at:
                    break
                delay = due - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                path, cookie = requests[i % len(requests)]
                due_queue.put((due, path, cookie))
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
    ok = sum(n for s, n in statuses.items() if s.startswith("2") or s == "304")
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
        "loadgen_cpu_s": _cpu_seconds() - cpu0,
    }


def main() -> None:
    spec = json.load(sys.stdin)
    json.dump(run(spec), sys.stdout)


if __name__ == "__main__":
    main()
