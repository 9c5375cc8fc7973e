from .views import cases, intervention

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *intervention.urlpatterns,
]
