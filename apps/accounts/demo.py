"""Demo users, one per role (README: "Demo logins"). Demo data only, never for production."""

from django.conf import settings
from django.contrib.auth.hashers import make_password

from apps.organizations.models import Department
from apps.regions.selectors import by_codes

from .models import User
from .roles import Role

DEMO_USERS = [
    # username, role, region code, department kind, full name
    ("admin", Role.ADMINISTRATOR, None, None, "系统管理员"),
    ("province", Role.PROVINCIAL_OFFICIAL, "360000", None, "省发展改革委 审核员"),
    ("congress", Role.CONGRESS_MEMBER, "360000", None, "省人大常委会 委员"),
    # roles.md v1.1: congresses at every level (a city's and a county's standing committee)
    ("congress_nanchang", Role.CONGRESS_MEMBER, "360100", None, "南昌市人大常委会 委员"),
    ("congress_donghu", Role.CONGRESS_MEMBER, "360102", None, "东湖区人大常委会 委员"),
    ("energy_dept", Role.DEPARTMENT_STAFF, "360000", "energy", "省能源局 规划处"),
    ("nanchang_drc", Role.DEPARTMENT_STAFF, "360100", "development_reform", "南昌市发展改革委 举报受理"),
    ("nanchang", Role.REGION_STAFF, "360100", None, "南昌市 填报员"),
    ("donghu", Role.REGION_STAFF, "360102", None, "东湖区 填报员"),
    ("xihu", Role.REGION_STAFF, "360103", None, "西湖区 填报员"),
    ("donghu_ndrc", Role.DEPARTMENT_STAFF, "360102", "development_reform", "东湖区发展改革委 工作人员"),
]


def seed(stdout) -> None:
    regions = by_codes([code for _, _, code, _, _ in DEMO_USERS if code])
    # Every demo user has the same published password: hash it once (a hash costs ~1 s).
    encoded = make_password(settings.DEMO_PASSWORD)
    for username, role, code, kind, full_name in DEMO_USERS:
        region = regions.get(code) if code else None
        department = Department.objects.get(region=region, kind=kind) if kind else None
        user, created = User.objects.get_or_create(username=username)
        user.role, user.region, user.department = role, region, department
        user.last_name, user.first_name = full_name, ""
        if created:
            user.password = encoded
        user.full_clean()
        user.save()
        stdout.write(f"  demo user {username} ({role}) {'created' if created else 'kept'}")
