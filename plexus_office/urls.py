from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from plexus_office.platform.views_mfa import mfa_recovery_view, mfa_view

urlpatterns = [
    path("admin/staff/", include("operations.staff.urls")),
    path("admin/mfa/", mfa_view, name="mfa"),
    path("admin/mfa/recovery/", mfa_recovery_view, name="mfa_recovery"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/leads/", include("leads.api_urls")),
    path("api/v1/clearing/", include("clearing.api_urls")),
    path("api/v1/refunds/", include("refunds.api_urls")),
    path("join/", include("accounts.enrollment.urls")),
    path("account/membership/", include("accounts.enrollment.member_urls")),
    path("api/v1/team/", include("accounts.team.api_urls")),
    path("leads/", include("leads.urls")),
    path("clearing/", include("clearing.urls")),
    path("refunds/", include("refunds.urls")),
    path("team/", include("accounts.team.urls")),
    path("", include("accounts.urls")),
]
