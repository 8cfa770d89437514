"""Request limits as ASGI middleware: body size (while streaming) and request rates.

- Body size: a request whose Content-Length exceeds the cap of its route is refused with 413 before
  the app sees it; a body without Content-Length (chunked) is counted while it streams and cut off
  with 413 as soon as it passes the cap. Upload routes have their own, larger caps (ROUTE_CAPS);
  every other route gets the global MEDKOSH_MAX_REQUEST_BYTES.
- Rates: token buckets per client IP (every request) and per API token (requests that carry one),
  refilled continuously; an empty bucket answers 429 with Retry-After. Failed sign-ins
  (POST /login, POST /api/auth/token answering 401) are counted per client IP in a sliding window;
  past the limit those two routes answer 429 until the oldest failure leaves the window.
- The client IP is the socket peer, or the X-Forwarded-For client when the peer is one of
  MEDKOSH_TRUSTED_PROXIES (medkosh.api.app installs uvicorn's ProxyHeadersMiddleware for that).

State is kept in memory per worker process: with N workers the effective limits are N times these.
"""

from __future__ import annotations

import hashlib
import math
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.exceptions import HTTPException

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MiB = 1024 * 1024
# Upload routes: (method, path pattern, cap in bytes). The route's own check stays authoritative for
# the file itself; these caps bound what is streamed in (file + form fields + multipart framing).
ROUTE_CAPS: list[tuple[str, re.Pattern[str], int]] = [
    ("POST", re.compile(r"^/api/jobs$"), 51 * MiB),  # code upload, 50 MB of files
    ("POST", re.compile(r"^/api/access/requests/[^/]+/document$"), 21 * MiB),  # ethics approval, 20 MB
    ("POST", re.compile(r"^/access/requests/new$"), 21 * MiB),
    ("POST", re.compile(r"^/api/datasets/build$"), 256 * 1024),  # a SPEC.yaml (200 kB)
]
LOGIN_ROUTES = frozenset({("POST", "/login"), ("POST", "/api/auth/token")})
_MAX_KEYS = 100_000  # buckets kept (least recently used dropped): bounded memory under address spoofing


@dataclass(frozen=True)
class LimitSettings:
    max_request_bytes: int
    token_per_minute: int
    ip_per_minute: int
    burst_seconds: int
    login_failures: int
    login_window_seconds: int

    @classmethod
    def from_settings(cls) -> LimitSettings:
        from medkosh.config import get_settings

        s = get_settings()
        return cls(s.max_request_bytes, s.rate_limit_token_per_minute, s.rate_limit_ip_per_minute,
                   s.rate_limit_burst_seconds, s.rate_limit_login_failures, s.rate_limit_login_window_seconds)


def body_cap(method: str, path: str, default: int) -> int:
    for m, pattern, cap in ROUTE_CAPS:
        if m == method and pattern.match(path):
            return cap
    return default


class TokenBuckets:
    """Token buckets keyed by a string: `per_minute` requests a minute, bursts of `burst_seconds` worth."""

    def __init__(self, per_minute: int, burst_seconds: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * burst_seconds)
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key → (tokens, at)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """0 when the request may go ahead, else the seconds until it could."""
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.pop(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - at) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > _MAX_KEYS:
                self._buckets.popitem(last=False)
            return wait


class FailureWindow:
    """Failures per key in a sliding window; `blocked` says how long until the next attempt is allowed."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _trim(self, key: str, now: float) -> deque[float]:
        q = self._fails.get(key) or deque()
        while q and q[0] <= now - self.window:
            q.popleft()
        return q

    def blocked(self, key: str) -> float:
        now = self.clock()
        with self._lock:
            q = self._trim(key, now)
            if len(q) < self.limit:
                return 0.0
            return q[-self.limit] + self.window - now

    def fail(self, key: str) -> None:
        now = self.clock()
        with self._lock:
            q = self._trim(key, now)
            q.append(now)
            self._fails[key] = q
            self._fails.move_to_end(key)
            while len(self._fails) > _MAX_KEYS:
                self._fails.popitem(last=False)


class _TooLarge(HTTPException):
    """Raised from receive(): FastAPI passes HTTPExceptions through body parsing to the app's handler,
    which answers 413 with the line; if it escapes that far, the middleware answers itself."""

    def __init__(self, cap: int) -> None:
        super().__init__(413, _too_large_line(cap))


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers") or ():
        if key == name:
            return str(value.decode("latin1"))
    return None


def _bearer_key(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if not value:
        return None
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    # The bucket is named by a digest: the token itself never sits in this process's tables.
    return "tok:" + hashlib.sha256(token.strip().encode()).hexdigest()[:32]


async def _refuse(scope: Scope, send: Send, status: int, line: str, headers: dict[str, str] | None = None) -> None:
    accept = _header(scope, b"accept") or ""
    if "text/html" in accept and not str(scope.get("path", "")).startswith("/api"):
        from html import escape

        title = "Too many requests" if status == 429 else "Request too large"
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} · medkosh</title></head>'
                f"<body><main><h1>{title}</h1><p>{escape(line)}</p></main></body></html>").encode()
        ctype = b"text/html; charset=utf-8"
    else:
        body = orjson.dumps({"error": line, "status": status})
        ctype = b"application/json"
    raw = [(b"content-type", ctype), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class LimitsMiddleware:
    """Body-size caps and rate limits in front of the app (see the module docstring)."""

    def __init__(self, app: ASGIApp, settings: LimitSettings | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.settings = settings or LimitSettings.from_settings()
        s = self.settings
        self.ip_buckets = TokenBuckets(s.ip_per_minute, s.burst_seconds, clock) if s.ip_per_minute > 0 else None
        self.token_buckets = (TokenBuckets(s.token_per_minute, s.burst_seconds, clock)
                              if s.token_per_minute > 0 else None)
        self.logins = (FailureWindow(s.login_failures, s.login_window_seconds, clock)
                       if s.login_failures > 0 else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        path = str(scope.get("path", ""))
        client = scope.get("client")
        ip = "ip:" + (str(client[0]) if client else "unknown")

        wait = self._rate_wait(scope, ip)
        login = (method, path) in LOGIN_ROUTES and self.logins is not None
        if not wait and login:
            assert self.logins is not None
            wait = self.logins.blocked(ip)
            if wait:
                await _refuse(scope, send, 429, "too many failed sign-ins from this address; wait "
                              f"{math.ceil(wait)} s before trying again, or ask an administrator to reset "
                              "the password", {"Retry-After": str(math.ceil(wait))})
                return
        if wait:
            await _refuse(scope, send, 429, f"too many requests; retry after {math.ceil(wait)} s "
                          "(limits: MEDKOSH_RATE_LIMIT_* settings)", {"Retry-After": str(math.ceil(wait))})
            return

        cap = body_cap(method, path, self.settings.max_request_bytes)
        length = _header(scope, b"content-length")
        if length is not None and length.strip().isdigit() and int(length) > cap:
            await _refuse(scope, send, 413, _too_large_line(cap))
            return

        received = 0
        started = False
        status = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise _TooLarge(cap)
            return message

        async def watch_send(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, limited_receive, watch_send)
        except _TooLarge:
            if not started:
                await _refuse(scope, send, 413, _too_large_line(cap))
            return
        if login and status == 401:
            assert self.logins is not None
            self.logins.fail(ip)

    def _rate_wait(self, scope: Scope, ip: str) -> float:
        wait = 0.0
        if self.ip_buckets is not None:
            wait = self.ip_buckets.take(ip)
        token = _bearer_key(scope) if self.token_buckets is not None else None
        if token is not None and not wait:
            assert self.token_buckets is not None
            wait = self.token_buckets.take(token)
        return wait


def _too_large_line(cap: int) -> str:
    size = f"{cap // MiB} MiB" if cap >= MiB else f"{cap // 1024} KiB"
    return (f"request body larger than {size} for this endpoint; send a smaller file "
            "(the limit is MEDKOSH_MAX_REQUEST_BYTES, or the upload's own limit)")
