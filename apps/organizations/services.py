"""Idempotent loading of the decision's departments (at every region) and sectors."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.regions.models import Region, RegionLevel

from .catalog import DEPARTMENT_KINDS, SECTORS
from .models import Department, DepartmentRole, Sector


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def department_names(region: Region, kind_code: str) -> tuple[str, str]:
    kind = next(k for k in DEPARTMENT_KINDS if k.code == kind_code)
    title = kind.province_name if region.level == RegionLevel.PROVINCE else kind.local_name
    return f"{region.name}{title}", f"{kind.name_en}, {region.name} ({region.code})"


@transaction.atomic
def load_departments(regions=None) -> LoadResult:
    """Create or refresh one Department of each kind at every given region (default: all)."""
    regions = list(regions if regions is not None else Region.objects.all())
    existing = {
        (d.region_id, d.kind): d for d in Department.objects.filter(region__in=regions).select_for_update()
    }
    to_create, to_update, unchanged = [], [], 0
    for region in regions:
        for kind in DEPARTMENT_KINDS:
            name, name_en = department_names(region, kind.code)
            role = DepartmentRole.LEAD if kind.lead else DepartmentRole.SUPPORTING
            dept = existing.get((region.pk, kind.code))
            if dept is None:
                to_create.append(
                    Department(region=region, kind=kind.code, role=role, name=name, name_en=name_en)
                )
            elif (dept.name, dept.name_en, dept.role) != (name, name_en, role):
                dept.name, dept.name_en, dept.role = name, name_en, role
                to_update.append(dept)
            else:
                unchanged += 1
    Department.objects.bulk_create(to_create, batch_size=2000)
    Department.objects.bulk_update(to_update, ["name", "name_en", "role"], batch_size=2000)
    s_created, s_updated, s_unchanged = load_sectors()
    return LoadResult(
        created=len(to_create) + s_created,
        updated=len(to_update) + s_updated,
        unchanged=unchanged + s_unchanged,
    )


def load_sectors() -> tuple[int, int, int]:
    created = updated = unchanged = 0
    for s in SECTORS:
        values = {
            "name": s.name_zh,
            "name_en": s.name_en,
            "lead_kind": s.lead_kind,
            "peak_plan_required": s.peak_plan_required,
        }
        obj = Sector.objects.filter(code=s.code).first()
        if obj is None:
            Sector.objects.create(code=s.code, **values)
            created += 1
        elif any(getattr(obj, k) != v for k, v in values.items()):
            Sector.objects.filter(pk=obj.pk).update(**values)
            updated += 1
        else:
            unchanged += 1
    return created, updated, unchanged
