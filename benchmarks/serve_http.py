"""The HTTP side of benchmarks/serve.py: server subprocesses on loopback (start time, resident
memory of their processes), keep-alive clients, interleaved query timing and load tests."""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

PROJECT_DIR = Path(__file__).resolve().parent.parent
JSON_RESULTS = "application/sparql-results+json"


# -- servers -----------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """The process and all its children (kg serve's query workers), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class Server:
    """A server subprocess on 127.0.0.1; `start()` returns the seconds until it answered."""

    def __init__(
        self, name: str, argv: list[str], port: int, query_path: str, log: Path, env=None,
        cwd: Path = PROJECT_DIR,
    ):  # fmt: skip
        self.name, self.argv, self.port, self.query_path = name, argv, port, query_path
        self.log, self.env, self.cwd = log, env, cwd
        self.proc: subprocess.Popen | None = None

    def start(self, within: float = 180.0) -> float:
        started = time.perf_counter()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.log.open("wb"),
            cwd=self.cwd,
            env=self.env,
        )
        probe = f"{self.query_path}?query={quote('ASK { ?s ?p ?o }')}"
        while time.perf_counter() - started < within:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.proc.returncode}: "
                    + self.log.read_text(errors="replace")[-500:]
                )
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", probe, headers={"Accept": JSON_RESULTS})
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError(f"{self.name} did not answer within {within:g} s")

    def memory(self) -> dict:
        pids = descendants(self.proc.pid) if self.proc else []
        per = {p: rss_mb(p) for p in pids}
        per = {p: m for p, m in per.items() if m is not None}
        return {
            "processes": len(per),
            "main_mb": per.get(self.proc.pid) if self.proc else None,
            "total_mb": sum(per.values()),
            "each_mb": sorted(per.values(), reverse=True),
        }

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()  # kg serve stops its workers on SIGTERM/SIGINT
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)


# -- the client --------------------------------------------------------------------------------
class Client:
    """One keep-alive connection (one per thread); reconnects if the server closed it."""

    def __init__(self, port: int, timeout: float):
        self.port, self.timeout = port, timeout
        self.conn = None

    def request(self, method: str, path: str, body: bytes | None, headers: dict):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - started
            if resp.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return resp.status, dict(resp.getheaders()), data, elapsed
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def sparql(client: Client, path: str, text: str):
    return client.request(
        "POST",
        path,
        text.encode("utf-8"),
        {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS},
    )


def rows_of(data: bytes):
    doc = json.loads(data)
    return doc["boolean"] if "boolean" in doc else len(doc["results"]["bindings"])


def summary(times: list[float]) -> dict:
    times = sorted(times)
    if not times:
        return {}
    return {
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))] * 1000,
        "runs": len(times),
    }


def time_queries(servers: dict, text: str, reps: int, budget: float) -> dict:
    """Per server: one warm-up, then up to `reps` timed runs within `budget` seconds, one
    connection each. The servers take turns run by run, each round starting with the next
    server, so that a noisy moment on the shared cores, and the place in the round, fall on
    all of them alike."""
    clients = {side: Client(s.port, timeout=budget + 60) for side, s in servers.items()}
    times: dict[str, list[float]] = {side: [] for side in servers}
    out: dict[str, dict] = {
        side: {"rows": None, "bytes": 0, "truncated": False} for side in servers
    }
    try:
        sides = list(servers)
        for i in range(reps + 1):
            for side in sides[i % len(sides) :] + sides[: i % len(sides)]:
                s = servers[side]
                r = out[side]
                if "error" in r or (sum(times[side]) > budget and len(times[side]) >= 2):
                    continue
                try:
                    status, headers, data, elapsed = sparql(clients[side], s.query_path, text)
                except OSError as exc:  # the client's own time limit, a dropped connection
                    r["error"] = f"{type(exc).__name__}: {exc}"
                    continue
                if status != 200:
                    r["error"] = f"HTTP {status}: {data[:300].decode(errors='replace')}"
                    continue
                try:
                    r["rows"] = rows_of(data)
                except ValueError:  # a 200 whose body was cut (a streamed answer that failed)
                    tail = data[-200:].decode(errors="replace")
                    r["error"] = f"HTTP 200 with invalid JSON ({len(data):,} bytes): …{tail}"
                    continue
                r["bytes"] = len(data)
                r["truncated"] = r["truncated"] or headers.get("X-Result-Truncated") == "true"
                if i:
                    times[side].append(elapsed)
    finally:
        for c in clients.values():
            c.close()
    return {
        side: ({"error": r["error"]} if "error" in r else {**summary(times[side]), **r})
        for side, r in out.items()
    }


def load_test(port: int, requests: list[tuple], concurrency: int, timeout: float = 120) -> dict:
    """Send `requests` [(method, path, body, headers)] over `concurrency` keep-alive
    connections; requests per second over the wall time, latency median and p95."""
    local = threading.local()
    clients: list[Client] = []
    lock = threading.Lock()

    def one(req):
        if not hasattr(local, "client"):
            local.client = Client(port, timeout)
            with lock:
                clients.append(local.client)
        status, _, data, elapsed = local.client.request(*req)
        return status, len(data), elapsed

    with ThreadPoolExecutor(concurrency) as pool:  # warm: one request per connection
        list(pool.map(one, requests[:concurrency]))
        started = time.perf_counter()
        results = list(pool.map(one, requests))
        wall = time.perf_counter() - started
    for c in clients:
        c.close()
    statuses: dict[int, int] = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    return {
        **summary([r[2] for r in results]),
        "requests": len(results),
        "concurrency": concurrency,
        "rps": len(results) / wall,
        "statuses": {str(k): v for k, v in statuses.items()},
        "mean_bytes": sum(r[1] for r in results) / max(1, len(results)),
    }
