"""A sliding-window rate limiter kept in memory (per process).

Used for login attempts (per address and per username) and for the public
pages: surveys and unsubscribe links (per address). Behind several worker processes each keeps its
own count, so the effective limit is the limit times the workers.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from retain.auth.errors import TooManyRequestsError


class RateLimiter:
    """At most ``limit`` hits per key in any ``window`` seconds; ``clock`` gives seconds."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float]) -> None:
        self.limit, self.window, self.clock = limit, window, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def check(self, key: str, what: str) -> None:
        """Raise TooManyRequestsError when ``key`` has used up its hits."""
        now = self.clock()
        with self._lock:
            hits = self._recent(key, now)
            if len(hits) >= self.limit:
                wait = int(hits[0] + self.window - now) + 1
                raise TooManyRequestsError(
                    f"too many {what}; try again in {wait} seconds", retry_after=wait
                )

    def hit(self, key: str) -> None:
        """Count one hit for ``key``."""
        now = self.clock()
        with self._lock:
            self._recent(key, now).append(now)
            if len(self._hits) > 100_000:  # forget idle keys
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]

    def reset(self, key: str) -> None:
        """Forget ``key``'s hits (after a successful login)."""
        with self._lock:
            self._hits.pop(key, None)


def limit_public(request: Any, what: str) -> None:
    """Count one request to a public page (no login) against its address's limit.

    ``what`` names the pages in the error, e.g. "requests to survey pages".
    """
    address = request.client.host if request.client else "unknown"
    limiter: RateLimiter = request.app.state.public_limiter
    limiter.check(address, f"{what} from this address")
    limiter.hit(address)
