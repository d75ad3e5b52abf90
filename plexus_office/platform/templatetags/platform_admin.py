"""Admin template filters: ``{{ transition.label|sentence }}`` ("receive_refused" → "Receive refused")."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def sentence(value) -> str:
    text = str(value or "").replace("_", " ").strip()
    return text[:1].upper() + text[1:]
