#!/usr/bin/env python3
"""A float's end of the tether, for anchor tests: connects to the anchor's unix socket (again and
again while it is absent or closes), and prints every line the anchor sends, prefixed with the
time it arrived (seconds since the epoch) and the connection's number.

    tether_reader.py SOCKET_PATH

Stopping this process (SIGTERM) closes the connection, as a float's death does.
"""
import socket
import sys
import time


def main() -> None:
    path = sys.argv[1]
    connection = 0
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
        except OSError:
            client.close()
            time.sleep(0.05)
            continue
        connection += 1
        print(f"{time.time():.3f} {connection} connected", flush=True)
        pending = b""
        while True:
            data = client.recv(65536)
            if not data:
                break
            pending += data
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                print(f"{time.time():.3f} {connection} {line.decode()}", flush=True)
        client.close()
        print(f"{time.time():.3f} {connection} closed", flush=True)


if __name__ == "__main__":
    main()
