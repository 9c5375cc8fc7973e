from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("register/", views.register, name="register"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("profile/", views.profile, name="profile"),
    path("profile/export/", views.export_data, name="export"),
    path("profile/delete/", views.delete_account, name="delete"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("profile/wechat/", views.wechat, name="wechat"),
    path("profile/wechat/authorize/", views.wechat_authorize, name="wechat_authorize"),
    path("profile/wechat/callback/", views.wechat_callback, name="wechat_callback"),
    path("inbox/", views.inbox, name="inbox"),
    path("login/code/", views.login_code, name="login_code"),
    path("card/bind/", views.claim, name="claim"),
    path("counter/new/", views.counter_create, name="counter_create"),
    path("counter/<int:pk>/card/", views.counter_card, name="counter_card"),
    path("counter/<int:pk>/upgrade/", views.counter_upgrade, name="counter_upgrade"),
    path("consents/<int:pk>/scan/", views.consent_scan, name="consent_scan"),
]
