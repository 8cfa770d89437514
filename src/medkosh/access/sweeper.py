"""The server's expiry clock: while `medkosh serve` runs, grants and approved requests whose period
has ended are marked expired (and audited) every few minutes, so an admin needs no cron job for it.

Enforcement never depends on this thread — active_grant() checks expiry at every use — it only keeps
the stored states, the pages and the audit trail in step with the clock.
"""

from __future__ import annotations

import logging
import threading

log = logging.getLogger("medkosh.access.sweeper")


def sweep_once() -> dict[str, int]:
    from medkosh.access.service import sweep_expired
    from medkosh.store.db import session_scope

    with session_scope() as session:
        return sweep_expired(session)


def start(interval_s: float) -> threading.Event:
    """Sweep now and then every `interval_s` seconds in a daemon thread; set the returned event to stop."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                done = sweep_once()
                if any(done.values()):
                    log.warning("expiry sweep: %d grants and %d requests expired",
                                done["grants_expired"], done["requests_expired"])
            except Exception as exc:  # a database outage must not kill the clock; the next tick retries
                log.warning("expiry sweep failed: %s; retrying in %.0f s", type(exc).__name__, interval_s)
            stop.wait(interval_s)

    threading.Thread(target=loop, name="medkosh-expiry-sweep", daemon=True).start()
    return stop
