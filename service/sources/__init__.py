"""Inbound connections to other systems: the recruitment HTTP feed and the read-only social-insurance SQL source.

Like service/delivery/ for outbound messages, these modules hold the side effects (network, other databases);
parsing and validation stay in ingestion/, landing in service/landing.py and friends.
"""

__all__: list[str] = []
