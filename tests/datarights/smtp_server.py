"""A small SMTP server for tests that refuses the first connections, then accepts mail.

Refusing is a "421 Service not available" greeting followed by closing the connection, what a
mail server that is restarting or overloaded answers. Accepted messages are kept, raw.
"""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class MailServerState:
    refuse: int = 0
    refused: int = 0
    messages: list[bytes] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def _say(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        state = self.server.state
        with state.lock:
            refusing = state.refused < state.refuse
            if refusing:
                state.refused += 1
        if refusing:
            self._say("421 test.invalid Service not available, try again later")
            return
        self._say("220 test.invalid ESMTP test server")
        recipients: list[str] = []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            command = line.decode("ascii", "replace").strip()
            verb = command.split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self._say("250 test.invalid")
            elif verb == "MAIL":
                recipients = []
                self._say("250 OK")
            elif verb == "RCPT":
                recipients.append(command.partition(":")[2].strip().strip("<>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 End data with <CR><LF>.<CR><LF>")
                data = bytearray()
                while True:
                    chunk = self.rfile.readline()
                    if not chunk or chunk == b".\r\n":
                        break
                    data += chunk
                with state.lock:
                    state.messages.append(bytes(data))
                    state.recipients.append(recipients)
                self._say("250 OK queued")
            elif verb == "RSET" or verb == "NOOP":
                self._say("250 OK")
            elif verb == "QUIT":
                self._say("221 Bye")
                return
            else:
                self._say("502 Command not implemented")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, state: MailServerState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def smtp_server(*, refuse: int = 0) -> Iterator[tuple[int, MailServerState]]:
    """Serve SMTP on a free local port; yields the port and the server's state."""
    state = MailServerState(refuse=refuse)
    server = _Server(state)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], state
    finally:
        server.shutdown()
        server.server_close()
