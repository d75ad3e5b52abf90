"""Pieces of COPY text the seed's generators put in their lines directly (``Table.add_text``).

Making a row's line in one f-string from precomputed pieces costs a fraction of building a tuple and
converting each value: dates are kept as ISO text per day ordinal, amounts as integer cents.
"""

from __future__ import annotations

import random
from datetime import date

from operations.seed.writer import NULL

__all__ = ["NULL", "Amounts", "IsoDays", "Stamps", "cents_text", "clean", "flag", "phase_rng"]


class IsoDays(dict[int, str]):
    """Day ordinal -> ``YYYY-MM-DD``, made once per day."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


class Stamps(dict[int, str]):
    """Day ordinal -> that day at 17:00 UTC as a timestamp with time zone."""

    def __missing__(self, ordinal: int) -> str:
        text = self[ordinal] = f"{date.fromordinal(ordinal).isoformat()}T17:00:00+00:00"
        return text


def cents_text(cents: int) -> str:
    """A non-negative amount in cents as a decimal: 1295 -> ``12.95``."""
    return f"{cents // 100}.{cents % 100:02d}"


class Amounts(dict[int, str]):
    """Cents -> ``cents_text``, made once per amount (a seed has a few hundred distinct amounts)."""

    def __missing__(self, cents: int) -> str:
        text = self[cents] = cents_text(cents)
        return text


def flag(value: bool) -> str:
    return "t" if value else "f"


def clean(*words: str) -> None:
    """Fixed text the generators write unescaped: none of COPY's special characters."""
    for word in words:
        if any(ch in word for ch in "\\\t\n\r"):
            raise ValueError(f"seed text needs escaping: {word!r}")


def phase_rng(seed: int, phase: str) -> random.Random:
    """The random stream of one phase of the seed: the same seed gives the same stream, and a change
    to one phase's draws leaves every other phase's data as it was. (A string seed is hashed with
    SHA-512, never with Python's per-process string hash.)"""
    return random.Random(f"seed-demo:{seed}:{phase}")
