"""The labour market's pages under /jobs/ (namespace ``jobs``) and the public boards under /board/
(namespace ``board``: job fairs and each operating market's information screen)."""

from django.urls import path

from . import views

app_name = "jobs"

urlpatterns = [
    path("", views.posting_search, name="search"),
    path("<int:pk>/", views.posting_detail, name="detail"),
    path("<int:pk>/apply/", views.posting_apply, name="apply"),
    path("<int:pk>/report/", views.posting_report, name="report"),
    path("me/", views.worker_home, name="worker_home"),
    path("me/profile/", views.worker_profile, name="worker_profile"),
    path("me/seeking/", views.worker_seeking, name="worker_seeking"),
    path("me/certificates/<int:pk>/verify/", views.certificate_verify, name="certificate_verify"),
    path("me/categories/", views.person_category_record, name="person_category_record"),
    path("me/applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("employer/", views.employer_dashboard, name="employer_dashboard"),
    path("employer/register/", views.employer_register, name="employer_register"),
    path("employer/postings/new/", views.posting_new, name="posting_new"),
    path("employer/postings/<int:pk>/", views.posting_workers, name="posting_workers"),
    path("employer/postings/<int:pk>/invite/", views.posting_invite, name="posting_invite"),
    path("employer/postings/<int:pk>/edit/", views.posting_edit, name="posting_edit"),
    path("employer/postings/<int:pk>/submit/", views.posting_submit, name="posting_submit"),
    path("employer/postings/<int:pk>/close/", views.posting_close, name="posting_close"),
    path("employer/applications/<int:pk>/accept/", views.application_accept, name="accept"),
    path("employer/applications/<int:pk>/reject/", views.application_reject, name="reject"),
    path("counter/", views.counter, name="counter"),
    path("counter/referral/", views.referral_create, name="referral_create"),
    path("referrals/<int:pk>/slip/", views.referral_slip, name="referral_slip"),
]

board_patterns = (
    [
        path("markets/<int:market_id>/", views.market_board, name="market"),
        path("fairs/", views.fair_list, name="fairs"),
        path("fairs/<int:pk>/", views.fair_detail, name="fair_detail"),
        path("fairs/<int:pk>/register/", views.fair_register, name="fair_register"),
        path("fairs/<int:pk>/book/", views.fair_book, name="fair_book"),
        path("fairs/<int:pk>/outcome/", views.fair_outcome, name="fair_outcome"),
    ],
    "board",
)
