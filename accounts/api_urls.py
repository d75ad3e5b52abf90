"""``/api/v1/`` self-service endpoints of Account Services."""

from django.urls import include, path

from accounts.api import views
from accounts.api.tokens import TokenIssueView, TokenRevokeView
from accounts.enrollment.api import EnrollmentCreateView

urlpatterns = [
    path("enrollments/", EnrollmentCreateView.as_view(), name="api_enrollments"),
    path("auth/token/", TokenIssueView.as_view(), name="api_token"),
    path("auth/token/revoke/", TokenRevokeView.as_view(), name="api_token_revoke"),
    path("me/", views.MeView.as_view(), name="api_me"),
    path("me/email/", views.EmailChangeView.as_view(), name="api_me_email"),
    path("me/info-current/", views.InfoCurrentView.as_view(), name="api_me_info_current"),
    path("addresses/", views.AddressesView.as_view(), name="api_addresses"),
    path("cards/", views.CardListView.as_view(), name="api_cards"),
    path("cards/<int:pk>/", views.CardDetailView.as_view(), name="api_card"),
    path("cards/<int:pk>/default/", views.CardDefaultView.as_view(), name="api_card_default"),
    path("cards/<int:pk>/subscription/", views.CardSubscriptionView.as_view(), name="api_card_subscription"),
    path("newsletter/", views.NewsletterView.as_view(), name="api_newsletter"),
    path("notifications/", views.NotificationListView.as_view(), name="api_notifications"),
    path("notifications/read/", views.NotificationReadView.as_view(), name="api_notifications_read"),
    path("flags/", views.FlagListView.as_view(), name="api_flags"),
    path("downline/", views.DownlineView.as_view(), name="api_downline"),
    path("", include("accounts.orders.api_urls")),
]
