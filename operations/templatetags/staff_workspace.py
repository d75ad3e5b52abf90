"""The admin index dashboard (``{% staff_dashboard %}``) for the signed-in staff user."""

from __future__ import annotations

from django import template

from operations.staff.dashboard import staff_dashboard as build_dashboard

register = template.Library()


@register.inclusion_tag("admin/staff/_dashboard.html", takes_context=True)
def staff_dashboard(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"board": None}
    return {"board": build_dashboard(user=user), "can_look_up": user.has_perm("operations.look_up_member")}
