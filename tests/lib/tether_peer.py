#!/usr/bin/env python3
"""The anchor's end of a tether, for float tests: listens on a unix socket, keeps every float
connection open, and sends each line written to the control FIFO to all connected floats.

    tether_peer.py SOCKET_PATH CONTROL_FIFO

Killing this process closes the connections, as the death of a real anchor does.
"""
import os
import selectors
import socket
import sys


def main() -> None:
    path, control = sys.argv[1], sys.argv[2]
    if os.path.exists(path):
        os.unlink(path)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    fifo = os.open(control, os.O_RDWR | os.O_NONBLOCK)  # RDWR: never sees EOF
    selector = selectors.DefaultSelector()
    selector.register(server, selectors.EVENT_READ, "accept")
    selector.register(fifo, selectors.EVENT_READ, "control")
    clients = []
    pending = b""
    while True:
        for key, _ in selector.select():
            if key.data == "accept":
                client, _ = server.accept()
                clients.append(client)
                print("float connected", flush=True)
            elif key.data == "control":
                pending += os.read(fifo, 65536)
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    for client in list(clients):
                        try:
                            client.sendall(line + b"\n")
                        except OSError:
                            clients.remove(client)
                    print("sent", line.decode(), flush=True)


if __name__ == "__main__":
    main()
