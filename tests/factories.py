import factory
from django.conf import settings

from apps.accounts.models import User
from apps.accounts.roles import Role
from apps.organizations.models import Department
from apps.regions.selectors import by_code


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.REGION_STAFF
    region = factory.LazyFunction(lambda: by_code("360102"))
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def user_with(role: Role, code: str | None = None, department_kind: str | None = None, **kwargs) -> User:
    """A saved user with a role and jurisdiction, e.g. user_with(Role.REGION_STAFF, "360100")."""
    region = by_code(code) if code else None
    department = Department.objects.get(region=region, kind=department_kind) if department_kind else None
    return UserFactory(role=role, region=region, department=department, **kwargs)
