from rest_framework.routers import DefaultRouter

from .views import CaseViewSet, TaskViewSet

router = DefaultRouter()
router.register("accountability/cases", CaseViewSet, basename="accountability-case")
router.register("accountability/tasks", TaskViewSet, basename="accountability-task")
urlpatterns = router.urls
