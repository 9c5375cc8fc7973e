from .views import programs

app_name = "subsidies"

urlpatterns = [
    *programs.urlpatterns,
]
