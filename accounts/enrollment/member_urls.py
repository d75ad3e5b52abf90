"""Member pages of membership, mounted at ``/account/membership/``."""

from django.urls import path

from accounts.enrollment import membership_views as views

app_name = "membership"

urlpatterns = [
    path("", views.membership, name="home"),
    path("pay/", views.membership_pay, name="pay"),
    path("upgrade/", views.membership_upgrade_view, name="upgrade"),
]
