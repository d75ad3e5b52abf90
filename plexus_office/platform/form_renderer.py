"""Form widgets rendered by Jinja2, falling back to Django templates (settings.FORM_RENDERER).

Django renders every widget, label and error list through a template; with the Django template
engine the 17 fields of Personal Information took ~30 % of the page. Django ships the same form
templates for Jinja2 (``django/forms/jinja2``), which renders them in about half the time (bench/
README.md §7; only blank lines between a select's options differ). Templates that exist only for the
Django engine (the admin's widgets, e.g. ``admin/widgets/related_widget_wrapper.html``) are looked up
there, so the admin is unchanged.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    def __init__(self) -> None:
        self._jinja2 = Jinja2()
        self._django = DjangoTemplates()
        # Names Jinja2 does not have: a miss is a file search, so it is asked once per process.
        self._django_only: set[str] = set()

    def get_template(self, template_name: str) -> Any:
        if template_name not in self._django_only:
            try:
                return self._jinja2.get_template(template_name)
            except TemplateDoesNotExist:
                self._django_only.add(template_name)
        return self._django.get_template(template_name)
