"""Peer learning offers and needs, and the pairs of countries the Hub suggests."""
