"""Periodic reporting: periods set by the Secretariat and each member's status."""
