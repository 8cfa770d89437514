"""Tamper-evident audit log: hash-chained events, signed checkpoints, verification and export."""

from medkosh.audit.service import Actor, record

__all__ = ["Actor", "record"]
