from .views import applications, programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
    *applications.urlpatterns,
]
