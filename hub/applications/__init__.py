"""Expressions of interest from countries, and the Secretariat's review of them."""
