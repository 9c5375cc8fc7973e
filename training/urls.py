from .views import attendance, claims, courses, institution

app_name = "training"

urlpatterns = [
    *courses.urlpatterns,
    *institution.urlpatterns,
    *attendance.urlpatterns,
    *claims.urlpatterns,
]
