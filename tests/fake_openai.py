"""A scripted OpenAI-compatible HTTP server on 127.0.0.1 for the wire-path tests: the real
openai client (through LangChain) talks to it. Queue behaviours with ``enqueue``; inspect what
was sent in ``requests``."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self) -> None:
        self.script: deque = deque()
        self.requests: list[dict] = []
        self.default = None  # a function(request json) -> reply text, when the script is empty
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                with server.lock:
                    server.requests.append({"path": self.path, "body": body,
                                            "auth": self.headers.get("Authorization", "")})
                    step = server.script.popleft() if server.script else None
                if step is None and server.default is not None:
                    step = ("reply", server.default(body))
                kind, value = step if step else ("reply", "")
                if kind == "status":
                    self._send(value, {"error": {"message": "scripted failure", "type": "server_error"}})
                elif kind == "echo":  # an error body that echoes the request's key, as some gateways do
                    auth = self.headers.get("Authorization", "")
                    self._send(value, {"error": {"message": f"Incorrect API key provided: {auth.split()[-1]}. "
                                                            f"Request headers: Authorization: {auth}",
                                                 "type": "invalid_request_error"}})
                elif kind == "sleep":
                    time.sleep(value)
                    self._send(200, _completion(""))
                elif kind == "raw":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    data = value.encode("utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                else:
                    self._send(200, _completion(value))

            def _send(self, status: int, payload: dict) -> None:
                data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def enqueue(self, *steps) -> None:
        """Steps: ("reply", text) | ("status", 500) | ("echo", 401): an error that echoes the key |
        ("sleep", seconds) | ("raw", body)."""
        with self.lock:
            self.script.extend(steps)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def _completion(text: str) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "scripted",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
