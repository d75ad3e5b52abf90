from django.urls import path

from leads import api

urlpatterns = [
    path("corrections/", api.CorrectionListCreate.as_view(), name="leads-api-corrections"),
    path("qualification/", api.QualificationView.as_view(), name="leads-api-qualification"),
]
