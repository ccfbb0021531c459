"""Attack benchmark driver (run by benches/attack.sh).

Usage: attack.py PORT SERVER_PID CODE FILE...

For each hostile FILE: 64 concurrent anonymous uploads to POST /api/v1/verifications while
one client looks up GET /api/v1/copies/by-code/CODE in a loop (keep-alive, 10 ms apart).
Prints, per class: the answers by status and code, the slowest hostile answer, the
lookup's p50/p99 latency during the attack, and the server's peak RSS so far (VmHWM).
"""
import collections
import concurrent.futures
import http.client
import json
import os
import sys
import threading
import time

CONCURRENT = 64


def vm_hwm_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def upload(port, body):
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        try:
            connection.request("POST", "/api/v1/verifications", body=body,
                               headers={"Content-Type": "application/pdf"})
        except (BrokenPipeError, ConnectionResetError):
            # The server answered before the body was sent (a refusal of an upload it
            # would not read) and closed: its answer may still be in the socket.
            pass
        response = connection.getresponse()
        data = response.read()
        status = response.status
    except OSError as error:
        return ("io", type(error).__name__), time.monotonic() - started
    except http.client.HTTPException as error:
        return ("io", type(error).__name__), time.monotonic() - started
    finally:
        connection.close()
    try:
        parsed = json.loads(data)
        what = parsed.get("verdict") or parsed.get("error", {}).get("code")
    except ValueError:
        what = "?"
    return (status, what), time.monotonic() - started


def lookups(port, code, stop, latencies):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    while not stop.is_set():
        started = time.monotonic()
        connection.request("GET", f"/api/v1/copies/by-code/{code}")
        response = connection.getresponse()
        response.read()
        latencies.append(time.monotonic() - started)
        if response.status != 200:
            print(f"  lookup answered {response.status}", file=sys.stderr)
        time.sleep(0.01)
    connection.close()


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(port, code, seconds=None, body=None):
    stop = threading.Event()
    latencies = []
    prober = threading.Thread(target=lookups, args=(port, code, stop, latencies))
    prober.start()
    results = []
    if body is None:
        time.sleep(seconds)
    else:
        with concurrent.futures.ThreadPoolExecutor(CONCURRENT) as pool:
            results = list(pool.map(lambda _: upload(port, body), range(CONCURRENT)))
    stop.set()
    prober.join()
    return results, latencies


def main():
    port, pid, code = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    _, idle = measure(port, code, seconds=3)
    print(f"idle lookups: n={len(idle)} p50={percentile(idle, .5)*1000:.1f} ms "
          f"p99={percentile(idle, .99)*1000:.1f} ms; peak RSS {vm_hwm_mib(pid):.1f} MiB")
    for path in sys.argv[4:]:
        with open(path, "rb") as file:
            body = file.read()
        started = time.monotonic()
        results, latencies = measure(port, code, body=body)
        elapsed = time.monotonic() - started
        answers = collections.Counter(answer for answer, _ in results)
        slowest = max(duration for _, duration in results)
        print(f"{os.path.basename(path)} ({len(body)} bytes) x{CONCURRENT}: {elapsed:.2f} s; "
              f"answers {dict(answers)}; slowest answer {slowest:.2f} s; "
              f"lookups n={len(latencies)} p50={percentile(latencies, .5)*1000:.1f} ms "
              f"p99={percentile(latencies, .99)*1000:.1f} ms "
              f"max={max(latencies)*1000:.1f} ms; peak RSS so far {vm_hwm_mib(pid):.1f} MiB")


if __name__ == "__main__":
    main()
