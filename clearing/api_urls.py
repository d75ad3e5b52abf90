from django.urls import path

from clearing import api

urlpatterns = [
    path("", api.ClearRequestListCreate.as_view(), name="clearing-api-list"),
]
