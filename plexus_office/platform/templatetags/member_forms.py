"""``{% load member_forms %}{% field_row field %}``: one labelled form field of the member pages.

The label, widget, help text and errors of a field, built in Python rather than by an included
template: from a Django template every ``field.x`` lookup on a BoundField first tries
``field["x"]``, which raises and is caught (about a tenth of Personal Information's rendering, 17
fields with six lookups each), and each include pushes a context and looks its template up.
"""

from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def field_row(field: BoundField) -> SafeString:
    errors = field.errors
    checkbox = field.widget_type == "checkbox"
    classes = "field" + (" has-error" if errors else "") + (" checkbox" if checkbox else "")
    widget, label = str(field), field.label_tag()
    control = format_html("{} {}", widget, label) if checkbox else format_html("{}{}", label, widget)
    help_text = format_html('<div class="help">{}</div>', field.help_text) if field.help_text else ""
    return format_html(
        '<div class="{}">\n  {}\n  {}\n  {}\n</div>', classes, control, help_text, errors if errors else ""
    )
