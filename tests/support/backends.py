"""Notification backends for tests whose workers are other processes: every send is a line in a file, so the
test counts what was sent across processes (and exactly once)."""

from __future__ import annotations

import fcntl
import json
import os
import time

from core.notifications import DatabaseBackend, Message


class FileBackend:
    """Appends ``{"channel", "to", "body", "key", "pid"}`` to ``$LINGONG_TEST_MESSAGE_LOG``; inbox messages are
    also InboxMessage rows (as the database backend keeps them). ``$LINGONG_TEST_SEND_DELAY`` seconds per
    send let a test kill a worker mid-way."""

    def send(self, message: Message) -> None:
        delay = float(os.environ.get("LINGONG_TEST_SEND_DELAY") or 0)
        if delay:
            time.sleep(delay)
        if message.channel == "inbox":
            DatabaseBackend().send(message)
        line = json.dumps(
            {
                "channel": message.channel,
                "to": message.to,
                "body": message.body,
                "key": message.key,
                "pid": os.getpid(),
            },
            ensure_ascii=False,
        )
        with open(os.environ["LINGONG_TEST_MESSAGE_LOG"], "a", encoding="utf-8") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            fh.write(line + "\n")


def sent(path) -> list[dict]:
    try:
        with open(path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]
    except FileNotFoundError:
        return []
