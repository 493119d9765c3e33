"""Users of every role, for the catalog and targets tests."""

from apps.accounts.roles import Role
from tests.factories import user_with

ROLES = ("county", "city", "department", "provincial", "congress", "admin")
CATALOG_EDITORS = ("provincial", "admin")


def make_user(role: str):
    """A saved user of the named role with a typical Jiangxi jurisdiction."""
    if role == "county":
        return user_with(Role.REGION_STAFF, "360102")
    if role == "city":
        return user_with(Role.REGION_STAFF, "360100")
    if role == "department":
        return user_with(Role.DEPARTMENT_STAFF, "360000", department_kind="energy")
    if role == "provincial":
        return user_with(Role.PROVINCIAL_OFFICIAL, "360000")
    if role == "congress":
        return user_with(Role.CONGRESS_MEMBER, "360000")
    if role == "admin":
        return user_with(Role.ADMINISTRATOR)
    raise ValueError(role)
