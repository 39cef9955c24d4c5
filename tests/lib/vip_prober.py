#!/usr/bin/env python3
"""Probes http://VIP:PORT/health every INTERVAL seconds and appends "finished_at ok|fail" lines
(epoch seconds) to LOG, one per probe, until killed. The chaos suite reads the log to measure VIP
downtime: the longest gap between two successful answers, so that a probe that hangs (packets to a
node that just lost the VIP) counts as much as one that fails.

    vip_prober.py VIP PORT LOG [INTERVAL]
"""
import socket
import sys
import time


def probe(address: str, port: int, timeout: float) -> bool:
    try:
        with socket.create_connection((address, port), timeout=timeout) as connection:
            connection.settimeout(timeout)
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
            answer = connection.recv(64)
            return answer.startswith(b"HTTP/1.1 2")
    except OSError:
        return False


def main() -> None:
    address, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
    with open(log, "a", buffering=1) as out:
        while True:
            started = time.time()
            ok = probe(address, port, 0.25)
            out.write(f"{time.time():.3f} {'ok' if ok else 'fail'}\n")
            time.sleep(max(0.0, interval - (time.time() - started)))


if __name__ == "__main__":
    main()
