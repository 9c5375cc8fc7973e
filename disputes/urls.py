from .views import blacklist, cases, intervention, personal, referral, safety

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *blacklist.urlpatterns,
    *referral.urlpatterns,
    *personal.urlpatterns,
    *intervention.urlpatterns,
    *safety.urlpatterns,
]
