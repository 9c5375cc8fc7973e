from .views import blacklist, cases, referral

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *blacklist.urlpatterns,
    *referral.urlpatterns,
]
