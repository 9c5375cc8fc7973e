from .views import applications, claims, offers, programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
    *applications.urlpatterns,
    *offers.urlpatterns,
    *claims.urlpatterns,
]
