"""Trusted research environment: jobs next to the data, sandboxed, metered, with output checking."""
