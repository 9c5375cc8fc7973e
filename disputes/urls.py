from .views import blacklist, cases, intervention, referral

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *blacklist.urlpatterns,
    *referral.urlpatterns,
    *intervention.urlpatterns,
]
