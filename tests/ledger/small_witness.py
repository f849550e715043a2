"""A small C2SP tlog-witness for the tests, written from the spec with the independent verifier, listening
on 127.0.0.1 only. It keeps, per origin, the latest cosigned (size, root), checks and updates it under
one lock, and answers add-checkpoint with the status codes the spec requires."""

from __future__ import annotations

import base64
import hashlib
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tests.ledger import spec_verifier as spec


class SmallWitness:
    def __init__(self, name: str = "witness.example/w1") -> None:
        self.name = name
        self.key = Ed25519PrivateKey.generate()
        self.public = self.key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.logs: dict[str, list[bytes]] = {}  # origin -> trusted log public keys
        self.state: dict[str, tuple[int, bytes]] = {}
        self.requests: list[bytes] = []
        self.lock = threading.Lock()

    @property
    def vkey(self) -> str:
        kid = hashlib.sha256(self.name.encode() + b"\n\x04" + self.public).digest()[:4]
        encoded = base64.b64encode(b"\x04" + self.public).decode()
        return f"{self.name}+{kid.hex()}+{encoded}"

    def trust(self, vkey: str) -> None:
        name, _, public = spec.parse_vkey(vkey)
        self.logs.setdefault(name, []).append(public)

    def cosign(self, text: str) -> str:
        now = int(time.time())
        kid = hashlib.sha256(self.name.encode() + b"\n\x04" + self.public).digest()[:4]
        signature = self.key.sign(b"cosignature/v1\ntime " + str(now).encode() + b"\n" + text.encode())
        blob = kid + struct.pack(">Q", now) + signature
        return f"\u2014 {self.name} {base64.b64encode(blob).decode()}\n"

    def handle(self, body: bytes) -> tuple[int, str, str]:
        self.requests.append(body)
        try:
            head, checkpoint = body.decode().split("\n\n", 1)
            lines = head.split("\n")
            assert lines[0].startswith("old ")
            old = int(lines[0][4:])
            assert lines[0][4:] == str(old)
            proof = [base64.b64decode(x, validate=True) for x in lines[1:]]
            assert len(proof) <= 63 and all(len(p) == 32 for p in proof)
            origin = checkpoint.split("\n", 1)[0]
        except (AssertionError, ValueError):
            return 400, "text/plain", "malformed\n"
        if origin not in self.logs:
            return 404, "text/plain", "unknown origin\n"
        text = None
        for public in self.logs[origin]:
            try:
                text = spec.open_note(checkpoint, origin, public)
                break
            except AssertionError:
                continue
        if text is None:
            return 403, "text/plain", "no trusted signature\n"
        _, size, root = spec.parse_checkpoint(text)
        if old > size:
            return 400, "text/plain", "old size above the checkpoint's\n"
        with self.lock:
            known_size, known_root = self.state.get(origin, (0, b""))
            if old != known_size:
                return 409, "text/x.tlog.size", f"{known_size}\n"
            if old == size and root != known_root:
                return 409, "text/plain", "different root at the same size\n"
            if old and not spec.consistent(old, size, known_root, root, proof):
                return 422, "text/plain", "consistency proof does not verify\n"
            if not old and proof:
                return 422, "text/plain", "a proof from size 0 must be empty\n"
            self.state[origin] = (size, root)
        return 200, "text/plain", self.cosign(text)

    @contextmanager
    def serving(self) -> Iterator[str]:
        witness = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.path != "/w/add-checkpoint":
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                status, content_type, text = witness.handle(body)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}/w"
        finally:
            server.shutdown()
            server.server_close()
