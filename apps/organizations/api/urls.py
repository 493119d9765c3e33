from rest_framework.routers import DefaultRouter

from .views import DepartmentViewSet, SectorViewSet

router = DefaultRouter()
router.register("departments", DepartmentViewSet, basename="department")
router.register("sectors", SectorViewSet, basename="sector")
urlpatterns = router.urls
