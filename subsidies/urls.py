from .views import applications, claims, programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
    *applications.urlpatterns,
    *claims.urlpatterns,
]
