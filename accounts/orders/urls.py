"""My orders, Autoship and My pay (included by ``accounts/urls.py``; names ``account_<page>``)."""

from django.urls import path

from accounts.orders import views

urlpatterns = [
    path("orders/", views.orders, name="account_orders"),
    path("orders/<str:ref>/", views.order_detail, name="account_order"),
    path("autoship/", views.autoship, name="account_autoship"),
    path("pay/", views.pay, name="account_pay"),
    path("pay/<int:pk>/", views.statement, name="account_statement"),
]
