from .views import disbursement, programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
    *disbursement.urlpatterns,
]
