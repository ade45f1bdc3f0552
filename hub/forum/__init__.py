"""Peer learning discussions: member-only threads on documents and guidebook sections."""
