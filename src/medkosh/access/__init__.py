"""Controlled access: requests (safe projects), committee review with quorum, data use agreements,
grants, tier enforcement and signed downloads. `policies` is the one place authorisation is decided."""
