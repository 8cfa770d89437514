"""Reliability and security proofs that run as code: the end-to-end leak-canary scanner (leaks.py) and the
linkage re-identification attack on released datasets (reid_attack.py). See docs/reliability.md."""
