"""API routes of My orders, Autoship and My pay (included by ``accounts/api_urls.py``)."""

from django.urls import path

from accounts.orders import api

urlpatterns = [
    path("orders/", api.OrderListView.as_view(), name="api_orders"),
    path("orders/<str:ref>/", api.OrderDetailView.as_view(), name="api_order"),
    path("subscription/", api.SubscriptionView.as_view(), name="api_subscription"),
    path("subscription/<str:action>/", api.SubscriptionActionView.as_view(), name="api_subscription_action"),
    path("pay/statements/", api.StatementListView.as_view(), name="api_statements"),
    path("pay/statements/<int:pk>/", api.StatementDetailView.as_view(), name="api_statement"),
]
