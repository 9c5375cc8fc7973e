from .views import cases, referral

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *referral.urlpatterns,
]
