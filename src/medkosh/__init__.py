"""medkosh: a sovereign, consent-governed health-data and AI commons."""

__version__ = "0.1.0"
