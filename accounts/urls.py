"""Member web pages of Account Services, plus login/logout/password reset.

No ``app_name``: ``dashboard`` and ``login`` are the project-wide names settings and other apps use;
every Account Services page is named ``account_<page>``.
"""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.password_reset import ResetPasswordView
from accounts.views.language import set_language

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/reset/", ResetPasswordView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"
    ),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("language/", set_language, name="set_language"),
    path("inbox/", views.inbox, name="account_inbox"),
    path("inbox/read/", views.inbox_read, name="account_inbox_read"),
    path("account/personal/", views.personal, name="account_personal"),
    path("account/personal/current/", views.info_confirm, name="account_info_confirm"),
    path("account/email/", views.email_change, name="account_email_change"),
    path("account/email/confirm/<str:token>/", views.email_confirm, name="account_email_confirm"),
    path("account/cards/", views.cards, name="account_cards"),
    path("account/cards/add/", views.card_new, name="account_card_add"),
    path("account/cards/default/", views.card_default, name="account_card_default"),
    path("account/cards/remove/", views.card_delete, name="account_card_remove"),
    path("account/cards/subscription/", views.card_subscription, name="account_card_subscription"),
    path("account/dropship/", views.dropship, name="account_dropship"),
    path("account/cancel/", views.cancel, name="account_cancel"),
    path("tools/library/newsletter/", views.newsletter, name="account_newsletter"),
    path("", include("accounts.orders.urls")),
]
