from apps.accounts.navigation import NavItem

ITEMS: list[NavItem] = []
