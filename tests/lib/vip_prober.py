#!/usr/bin/env python3
"""Probes http://VIP:PORT/health every INTERVAL seconds and appends "finished_at ok" or
"finished_at fail WHY MAC" lines (epoch seconds) to LOG, one per probe, until killed. The chaos
suite reads the log to measure VIP downtime: the longest gap between two successful answers, so
that a probe that hangs (packets to a node that just lost the VIP) counts as much as one that
fails. A failure says why (timeout, refused, reset, unreachable, the HTTP status) and which MAC
address this client's ARP cache held for the VIP at that moment ("-" for none): which node the
probe went to, when a gap is longer than the VIP's own.

    vip_prober.py VIP PORT LOG [INTERVAL]
"""
import errno
import socket
import sys
import time


def probe(address: str, port: int, timeout: float) -> str:
    """"ok", or why not."""
    try:
        with socket.create_connection((address, port), timeout=timeout) as connection:
            connection.settimeout(timeout)
            connection.sendall(b"GET /health HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
            answer = connection.recv(64)
            if answer.startswith(b"HTTP/1.1 2"):
                return "ok"
            return "http-" + (answer[9:12].decode("ascii", "replace") if answer else "closed")
    except socket.timeout:
        return "timeout"
    except ConnectionRefusedError:
        return "refused"
    except ConnectionResetError:
        return "reset"
    except OSError as error:
        if error.errno in (errno.EHOSTUNREACH, errno.ENETUNREACH):
            return "unreachable"
        return errno.errorcode.get(error.errno or 0, "oserror").lower()


def neighbour(address: str) -> str:
    """The MAC address this namespace's ARP cache holds for ADDRESS, "-" when none."""
    try:
        with open("/proc/net/arp", encoding="ascii") as table:
            for line in table.readlines()[1:]:
                fields = line.split()
                # IP, HW type, flags (0x2: complete), MAC, mask, device
                if len(fields) >= 4 and fields[0] == address and fields[2] != "0x0":
                    return fields[3]
    except OSError:
        pass
    return "-"


def main() -> None:
    address, port, log = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 0.02
    with open(log, "a", buffering=1) as out:
        while True:
            started = time.time()
            result = probe(address, port, 0.25)
            if result == "ok":
                out.write(f"{time.time():.3f} ok\n")
            else:
                out.write(f"{time.time():.3f} fail {result} {neighbour(address)}\n")
            time.sleep(max(0.0, interval - (time.time() - started)))


if __name__ == "__main__":
    main()
