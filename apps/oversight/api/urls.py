from rest_framework.routers import DefaultRouter

from .inquiries import InquiryViewSet

router = DefaultRouter()
router.register("inquiries", InquiryViewSet, basename="inquiry")
urlpatterns = router.urls
