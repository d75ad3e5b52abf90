"""Money constants: ``Decimal`` with two places everywhere (docs/architecture.md)."""

from __future__ import annotations

from decimal import Decimal

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
