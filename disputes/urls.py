from .views import blacklist, cases, intervention, referral, safety

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *blacklist.urlpatterns,
    *referral.urlpatterns,
    *intervention.urlpatterns,
    *safety.urlpatterns,
]
