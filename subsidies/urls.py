from .views import applications, offers, programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
    *applications.urlpatterns,
    *offers.urlpatterns,
]
