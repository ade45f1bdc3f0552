"""Requests for the printable guidebook in the route matrix (policy: route_policy.d/layout.yml)."""

from __future__ import annotations

from tests.security.route_matrix import Call, case

case("guidebook.print_view", "GET")(lambda w, actor: Call("/guidebook/print"))
