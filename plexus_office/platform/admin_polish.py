"""Admin readability helpers shared by the queue admins: the default "open items" state filter,
sentence-case transition labels with the transition's own description, and facts (JSON documents
kept for the record) shown as labelled text instead of raw JSON.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

ALL = "all"
OPEN = "open"


class QueueStateFilter(admin.SimpleListFilter):
    """The queue's state, showing the open items (the ones staff still act on) by default.

    Uses the ``status__exact`` parameter the stock field filter used, so existing links
    (``?status__exact=submitted``) keep working; ``?status__exact=all`` lists every state.
    """

    title = "status"
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        field = model_admin.model._meta.get_field("status")
        return [(OPEN, "Open (needs action)"), *field.flatchoices, (ALL, "All states")]

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, "", OPEN):
            return queryset.filter(status__in=queryset.model.OPEN_STATES)
        if value == ALL:
            return queryset
        return queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or OPEN
        for lookup, title in self.lookup_choices:
            yield {
                "selected": str(lookup) == current,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }


def transition_help_text(transition: Any) -> str:
    """The transition's ``help_text`` if declared, else its docstring (what it does)."""
    text = transition.custom.get("help_text")
    if text:
        return str(text)
    doc = inspect.getdoc(transition.method) or ""
    return " ".join(doc.split())


def _label(key: Any) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def _value(value: Any) -> SafeString | str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, Mapping):
        return readable_facts(value)
    if isinstance(value, Sequence) and not isinstance(value, str):
        if all(not isinstance(v, Mapping | list | tuple) for v in value):
            return ", ".join("—" if v is None else str(v) for v in value) or "none"
        return format_html("<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((_value(v),) for v in value)))
    return str(value)


def readable_facts(facts: Any) -> SafeString:
    """A JSON document as nested "Label: value" lines (booleans as yes/no, null as —)."""
    if not isinstance(facts, Mapping):
        return format_html("{}", _value(facts))
    if not facts:
        return mark_safe("—")  # noqa: S308 - a constant
    rows = format_html_join(
        "",
        '<div class="fact"><strong>{}:</strong> {}</div>',
        ((_label(k), _value(v)) for k, v in facts.items()),
    )
    return format_html('<div class="facts">{}</div>', rows)
