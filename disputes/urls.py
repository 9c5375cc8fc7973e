from .views import cases

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
]
