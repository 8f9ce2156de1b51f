#!/usr/bin/env python3
"""Waits until every speaker of the mesh holds at least WANT prefixes in its Loc-RIB.

usage: poll.py tabby|bird WANT START_EPOCH_S TIMEOUT_S SOCKET...

Asks every speaker concurrently (one asyncio task each, so a slow speaker delays only its own
answer) over its local control socket, with no process per question (tabbyctl's or birdc's own
start-up would cost more than the answer): Tabby's status socket ("status"; the Loc-RIB prefix
count is read from the head of the JSON answer), BIRD's control socket ("show route count", kept
open). Each speaker is asked every INTERVAL seconds until it has WANT, then no more. A speaker's
time is when its answer arrived, so the resolution is INTERVAL plus the speaker's answer latency
(the largest latency seen is printed). Prints one JSON object: seconds from START until every
speaker had answered once ("up_s") and until every speaker had WANT ("done_s"), the poller's own
CPU seconds, or {"timeout": ...} and exit 1.
"""
import asyncio
import json
import re
import resource
import sys
import time

INTERVAL = 0.5
TABBY_PREFIXES = re.compile(rb'"prefixes"\s*:\s*(\d+)')
BIRD_COUNT = re.compile(rb"(\d+) of (\d+) routes for (\d+) networks in table master4")


async def ask_tabby(path, _state):
    reader, writer = await asyncio.open_unix_connection(path)
    try:
        writer.write(b"status\n")
        await writer.drain()
        writer.write_eof()
        head = b""
        while True:  # "prefixes" comes third in the document: stop reading once it is in.
            chunk = await reader.read(4096)
            if not chunk:
                break
            head += chunk
            m = TABBY_PREFIXES.search(head)
            if m and len(head) > m.end():
                return int(m.group(1))
        m = TABBY_PREFIXES.search(head)
        if not m:
            raise ValueError("no prefix count in the status answer")
        return int(m.group(1))
    finally:
        writer.close()


async def bird_reply(reader):
    """BIRD replies are lines "CODE-text" or " text"; the last one is "CODE text" (a space after the code)."""
    lines = []
    while True:
        line = await reader.readline()
        if not line:
            raise OSError("control socket closed")
        lines.append(line)
        if len(line) > 4 and line[:4].isdigit() and line[4:5] == b" ":
            return b"".join(lines)


async def ask_bird(path, state):
    if "conn" not in state:
        reader, writer = await asyncio.open_unix_connection(path)
        await bird_reply(reader)  # greeting: 0001 BIRD x.y.z ready.
        state["conn"] = (reader, writer)
    reader, writer = state["conn"]
    try:
        writer.write(b"show route count\n")
        await writer.drain()
        reply = await bird_reply(reader)
    except OSError:
        del state["conn"]
        raise
    m = BIRD_COUNT.search(reply)
    return int(m.group(3)) if m else 0


async def watch(ask, path, want, up, done, latency):
    state = {}
    while True:
        asked = time.time()
        try:
            count = await asyncio.wait_for(ask(path, state), 30)
        except (OSError, ValueError, asyncio.TimeoutError):
            count = None
        now = time.time()
        if count is not None:
            latency[0] = max(latency[0], now - asked)
            up.setdefault(path, now)
            if count >= want:
                done[path] = now
                if "conn" in state:
                    state["conn"][1].close()
                return
        await asyncio.sleep(INTERVAL)


async def main():
    kind, want, start, timeout = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
    paths = sys.argv[5:]
    ask = ask_tabby if kind == "tabby" else ask_bird
    up, done, latency = {}, {}, [0.0]
    tasks = [asyncio.ensure_future(watch(ask, p, want, up, done, latency)) for p in paths]
    remaining = max(1.0, start + timeout - time.time())
    finished, pending = await asyncio.wait(tasks, timeout=remaining)
    for t in pending:
        t.cancel()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = round(usage.ru_utime + usage.ru_stime, 2)
    if pending:
        print(json.dumps({"timeout": True, "up": len(up), "done": len(done), "speakers": len(paths)}))
        return 1
    print(json.dumps({
        "up_s": round(max(up.values()) - start, 3),
        "done_s": round(max(done.values()) - start, 3),
        "resolution_s": round(INTERVAL + latency[0], 3),
        "poller_cpu_s": cpu,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
