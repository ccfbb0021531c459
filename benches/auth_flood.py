#!/usr/bin/env python3
"""Password hashing under load, against a running `certcopy` binary (SQLite, loopback).

    benches/auth_flood.py path/to/certcopy [--extra-env KEY=VALUE]...

Starts the binary on a fresh data directory and measures:

1. 200 concurrent registrations (distinct citizens): the answers by status, and the
   server's resident memory (VmRSS) and peak (VmHWM) afterwards;
2. a login flood (64 clients logging in with wrong passwords under distinct names for
   FLOOD_SECS seconds) while one client asks a database route (`GET /api/v1/offices`)
   in a loop: that route's latency p50/p99/max before and during the flood.

The throttles would answer most of the flood with 429 before any hashing; to measure
the hashing itself, pass `--extra-env` settings that lift them (a binary that does not
know a setting refuses to start, so give them only to binaries that have them).
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

FLOOD_SECS = float(os.environ.get("FLOOD_SECS", "10"))
REGISTRATIONS = int(os.environ.get("REGISTRATIONS", "200"))
FLOOD_CLIENTS = int(os.environ.get("FLOOD_CLIENTS", "64"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Content-Type": "application/json"} if body is not None else {}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status


def memory_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def probe_latencies(port, stop):
    latencies = []
    while not stop.is_set():
        started = time.perf_counter()
        status = request(port, "GET", "/api/v1/offices")
        latencies.append((time.perf_counter() - started) * 1000)
        assert status == 200, status
        time.sleep(0.02)
    return latencies


def summary(latencies):
    return "n=%d p50=%.1f ms p99=%.1f ms max=%.1f ms" % (
        len(latencies),
        percentile(latencies, 0.5),
        percentile(latencies, 0.99),
        max(latencies),
    )


def main():
    binary = sys.argv[1]
    extra = {}
    args = sys.argv[2:]
    while args:
        if args[0] == "--extra-env":
            key, _, value = args[1].partition("=")
            extra[key] = value
            args = args[2:]
        else:
            sys.exit(f"unknown argument {args[0]}")
    port = free_port()
    data = tempfile.mkdtemp(prefix="certcopy-auth-flood-")
    env = dict(
        os.environ,
        CERTCOPY_DATA_DIR=data,
        CERTCOPY_PORT=str(port),
        CERTCOPY_DEV_PKI="false",
        CERTCOPY_SEED_DEMO="false",
        CERTCOPY_LOG="warn",
        **extra,
    )
    server = subprocess.Popen([binary, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                if request(port, "GET", "/api/v1/health", timeout=2) == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("the server did not start")
        print("idle:", memory_kib(server.pid))

        # 1. Concurrent registrations.
        statuses = {}
        lock = threading.Lock()

        def register(n):
            body = {
                "full_name": "Nguyễn Văn Thử",
                "citizen_id": "0792%08d" % n,
                "phone": "091%07d" % n,
                "password": "Hoa-sen-2026",
            }
            try:
                status = request(port, "POST", "/api/v1/auth/register", body)
            except OSError as error:
                status = type(error).__name__
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        started = time.perf_counter()
        threads = [threading.Thread(target=register, args=(n,)) for n in range(REGISTRATIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(
            "%d concurrent registrations in %.1f s: %s; memory after: %s"
            % (REGISTRATIONS, time.perf_counter() - started, statuses, memory_kib(server.pid))
        )

        # 2. Database route latency, idle and during a login flood.
        stop = threading.Event()
        result = {}
        prober = threading.Thread(target=lambda: result.update(idle=probe_latencies(port, stop)))
        prober.start()
        time.sleep(3)
        stop.set()
        prober.join()
        print("GET /api/v1/offices idle:", summary(result["idle"]))

        flood_statuses = {}
        flood_stop = threading.Event()

        def flood(client):
            n = 0
            while not flood_stop.is_set():
                body = {"login": "khong.co.%d.%d" % (client, n), "password": "Sai-mat-khau-1"}
                try:
                    status = request(port, "POST", "/api/v1/auth/login", body)
                except OSError as error:
                    status = type(error).__name__
                with lock:
                    flood_statuses[status] = flood_statuses.get(status, 0) + 1
                n += 1

        flooders = [threading.Thread(target=flood, args=(c,)) for c in range(FLOOD_CLIENTS)]
        for thread in flooders:
            thread.start()
        time.sleep(1)
        stop = threading.Event()
        prober = threading.Thread(target=lambda: result.update(flood=probe_latencies(port, stop)))
        prober.start()
        time.sleep(FLOOD_SECS)
        stop.set()
        prober.join()
        flood_stop.set()
        for thread in flooders:
            thread.join()
        print("GET /api/v1/offices during the login flood:", summary(result["flood"]))
        print("login flood answers:", flood_statuses, "memory after:", memory_kib(server.pid))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
