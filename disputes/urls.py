from .views import cases, safety

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *safety.urlpatterns,
]
