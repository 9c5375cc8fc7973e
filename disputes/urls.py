from .views import blacklist, cases

app_name = "disputes"

urlpatterns = [
    *cases.urlpatterns,
    *blacklist.urlpatterns,
]
