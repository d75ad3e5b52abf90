"""``{% field_row field %}`` gives the markup the field include gave as a template."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template

from accounts.forms import CardAddForm, NewsletterForm, PersonalInfoForm

AS_TEMPLATE = Template(
    """<div class="field{% if field.errors %} has-error{% endif %}{% if field.widget_type == 'checkbox' %} checkbox{% endif %}">
  {% if field.widget_type == 'checkbox' %}{{ field }} {{ field.label_tag }}{% else %}{{ field.label_tag }}{{ field }}{% endif %}
  {% if field.help_text %}<div class="help">{{ field.help_text }}</div>{% endif %}
  {% if field.errors %}{{ field.errors }}{% endif %}
</div>"""  # noqa: E501
)
AS_TAG = Template("{% load member_forms %}{% field_row field %}")


def _same(field) -> tuple[str, str]:
    def norm(html: str) -> str:
        return re.sub(r"\s+", " ", html).strip()

    return norm(AS_TEMPLATE.render(Context({"field": field}))), norm(AS_TAG.render(Context({"field": field})))


@pytest.mark.parametrize(
    "form",
    [
        PersonalInfoForm(initial={"name": "Ann <b>&", "phone": "+1 602"}),
        PersonalInfoForm(data={"name": "", "phone": "x"}),
        CardAddForm(data={}),
        NewsletterForm(),
    ],
    ids=["personal", "personal-with-errors", "card-with-errors", "newsletter-checkbox"],
)
def test_every_field_of_a_member_form_renders_as_the_template_did(form):
    if form.is_bound:
        form.is_valid()

    pairs = [_same(field) for field in form]

    assert pairs and all(template == tag for template, tag in pairs)


def test_a_help_text_is_escaped_and_an_error_marks_the_row():
    class Form(forms.Form):
        code = forms.CharField(help_text="<b>letters</b> & digits")

    form = Form(data={})
    form.is_valid()

    html = AS_TAG.render(Context({"field": form["code"]}))

    assert '<div class="field has-error">' in html
    assert "&lt;b&gt;letters&lt;/b&gt; &amp; digits" in html
    assert '<ul class="errorlist" id="id_code_error"><li>This field is required.</li></ul>' in html
