"""Thin command-line interface: parse input, call a domain service, render the result."""
