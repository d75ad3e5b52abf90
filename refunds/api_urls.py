from django.urls import path

from refunds import api

urlpatterns = [
    path("", api.RefundListCreate.as_view(), name="refunds-api-list"),
    path("quote/", api.QuoteView.as_view(), name="refunds-api-quote"),
]
