"""Population-health analytics and disease surveillance.

Privacy-protected aggregate queries over dataset versions (disclosure control or differential
privacy with a per-user budget ledger) and aberration detection (EARS C1/C2/C3, Farrington) on
weekly case series per district and condition.
"""
