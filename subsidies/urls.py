from .views import applications, claims, disbursement, offers, programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
    *applications.urlpatterns,
    *offers.urlpatterns,
    *claims.urlpatterns,
    *disbursement.urlpatterns,
]
