from django.db.models import Q
from django.shortcuts import render

from apps.accounts.decorators import action_required
from apps.accounts.scoping import Action, restrict
from apps.core.views import paginate
from apps.regions import selectors

from .catalog import DEPARTMENT_KINDS
from .models import Department, DepartmentRole, Sector


@action_required(Action.READ_REFERENCE)
def department_list(request):
    departments = restrict(Department.objects.select_related("region"), request.user, Action.READ_REFERENCE)
    region = request.GET.get("region", "").strip()
    kind = request.GET.get("kind", "")
    role = request.GET.get("role", "")
    q = request.GET.get("q", "").strip()
    if region:
        root = selectors.by_code(region)
        departments = departments.filter(region=root) if root else departments.none()
    if kind:
        departments = departments.filter(kind=kind)
    if role in DepartmentRole.values:
        departments = departments.filter(role=role)
    if q:
        departments = departments.filter(Q(name__contains=q) | Q(name_en__icontains=q))
    page = paginate(request, departments.order_by("region__path", "role", "kind"), 50)
    return render(
        request,
        "organizations/department_list.html",
        {
            "page": page,
            "kinds": DEPARTMENT_KINDS,
            "roles": DepartmentRole.choices,
            "sectors": Sector.objects.all(),
            "kind_names": {k.code: k for k in DEPARTMENT_KINDS},
            "filters": {"region": region, "kind": kind, "role": role, "q": q},
        },
    )
