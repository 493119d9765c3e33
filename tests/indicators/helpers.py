"""Who may edit the catalog (the kinds of user are tests.factories.ROLES)."""

CATALOG_EDITORS = ("provincial", "admin")
