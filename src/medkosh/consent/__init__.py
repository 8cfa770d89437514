"""ABDM consent artefacts: signatures, policy (purpose, hiTypes, dateRange) and enforcement."""
