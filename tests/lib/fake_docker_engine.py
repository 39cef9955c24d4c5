#!/usr/bin/env python3
"""A Docker Engine stand-in on a unix socket, for the faults a real engine will not produce on
demand. It keeps containers in memory (create, start, inspect, list, stop, remove: enough for the
anchor to run its float) and logs every request line, with the time, to REQUEST_LOG.

    fake_docker_engine.py SOCKET_PATH REQUEST_LOG EVENTS

EVENTS says what GET /events does:
  quiet       a stream that stays open and silent (a healthy engine with nothing to say)
  end-at-once answers 200, then ends the stream at once
  storm       sends a "die" event of a float container every 4 ms, for as long as it is read

SIGUSR1 makes the engine hang from then on: /_ping still answers, every other request gets no
answer at all (the connection stays open), as a wedged dockerd does. With --hang it starts so.
"""
import json
import os
import select
import signal
import socket
import socketserver
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlparse

API_VERSION = "1.43"
STORM_GAP_S = 0.004


class Engine:
    def __init__(self, log_path, events, hanging):
        self.lock = threading.Lock()
        self.containers = {}  # id -> {"name", "config", "host_config", "running"}
        self.log = open(log_path, "a", buffering=1)
        self.events = events
        self.hanging = hanging

    def record(self, line):
        with self.lock:
            self.log.write("%.3f %s\n" % (time.time(), line))

    def find(self, id_or_name):
        for cid, container in self.containers.items():
            if cid.startswith(id_or_name) or container["name"] == id_or_name:
                return cid, container
        return None, None


ENGINE = None


def container_json(cid, container):
    running = container["running"]
    return {
        "Id": cid,
        "Name": "/" + container["name"],
        "Image": "sha256:" + "f" * 64,
        "Config": container["config"],
        "HostConfig": container["host_config"],
        "State": {"Status": "running" if running else "exited", "Running": running,
                  "ExitCode": 0 if running else 143, "Pid": 4242 if running else 0},
    }


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=None, headers=None):
        data = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Api-Version", API_VERSION)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def hang(self):
        # No answer: wait until the client gives up and closes the connection.
        while True:
            readable, _, _ = select.select([self.connection], [], [], 1.0)
            if readable and not self.connection.recv(1, socket.MSG_PEEK):
                self.close_connection = True
                return

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else {}

    def handle_any(self, method):
        ENGINE.record(method + " " + self.path)
        url = urlparse(self.path)
        path = url.path
        if path == "/_ping":
            self.send_response(200)
            self.send_header("Api-Version", API_VERSION)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"OK")
            return
        if ENGINE.hanging:
            self.hang()
            return
        if path.startswith("/v" + API_VERSION):
            path = path[len("/v" + API_VERSION):]
        if path == "/version":
            return self.reply(200, {"Version": "24.0.0", "ApiVersion": API_VERSION,
                                    "MinAPIVersion": "1.12"})
        if path == "/info":
            return self.reply(200, {"Name": "fake-engine",
                                    "Swarm": {"LocalNodeState": "inactive", "NodeID": ""}})
        if path == "/events":
            return self.stream_events()
        if path.startswith("/images/") and path.endswith("/json"):
            return self.reply(200, {"Id": "sha256:" + "f" * 64})
        if path == "/containers/json" and method == "GET":
            with ENGINE.lock:
                listed = [{"Id": cid, "Names": ["/" + c["name"]],
                           "State": "running" if c["running"] else "exited",
                           "Labels": c["config"].get("Labels", {})}
                          for cid, c in ENGINE.containers.items()]
            return self.reply(200, listed)
        if path == "/containers/create" and method == "POST":
            name = parse_qs(url.query).get("name", [""])[0]
            spec = self.body()
            cid = uuid.uuid4().hex + uuid.uuid4().hex
            host_config = spec.pop("HostConfig", {})
            with ENGINE.lock:
                ENGINE.containers[cid] = {"name": name, "config": spec,
                                          "host_config": host_config, "running": False}
            return self.reply(201, {"Id": cid, "Warnings": []})
        if path.startswith("/containers/"):
            parts = path.split("/")
            with ENGINE.lock:
                cid, container = ENGINE.find(unquote(parts[2]))
                if container is None:
                    return self.reply(404, {"message": "No such container: " + parts[2]})
                action = parts[3] if len(parts) > 3 else ""
                if method == "GET" and action == "json":
                    return self.reply(200, container_json(cid, container))
                if method == "POST" and action == "start":
                    container["running"] = True
                elif method == "POST" and action in ("stop", "kill"):
                    container["running"] = False
                elif method == "DELETE":
                    del ENGINE.containers[cid]
            return self.reply(204)
        self.reply(404, {"message": "page not found"})

    def stream_events(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Api-Version", API_VERSION)
        self.send_header("Transfer-Encoding", "chunked")
        if ENGINE.events == "end-at-once":
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(b"0\r\n\r\n")
            self.close_connection = True
            return
        self.end_headers()
        self.wfile.flush()
        if ENGINE.events == "quiet":
            self.hang()
            return
        sent = 0
        try:
            while True:
                event = json.dumps({"Type": "container", "Action": "die",
                                    "Actor": {"ID": "storm%d" % sent,
                                              "Attributes": {"io.keepalived-swarm.role": "float"}},
                                    "time": int(time.time())}).encode() + b"\n"
                self.wfile.write(b"%x\r\n%s\r\n" % (len(event), event))
                self.wfile.flush()
                sent += 1
                time.sleep(STORM_GAP_S)
        except OSError:
            self.close_connection = True

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def main():
    global ENGINE
    args = [a for a in sys.argv[1:] if a != "--hang"]
    socket_path, log_path, events = args
    ENGINE = Engine(log_path, events, "--hang" in sys.argv)

    def start_hanging(*_):
        ENGINE.hanging = True
        ENGINE.record("-- hanging from now on")

    signal.signal(signal.SIGUSR1, start_hanging)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if os.path.exists(socket_path):
        os.unlink(socket_path)
    with Server(socket_path, Handler) as server:
        server.serve_forever()


if __name__ == "__main__":
    main()
