"""The register of the school's official accounts."""

from casebook.ui.official_accounts.view import OfficialAccountsView

__all__ = ["OfficialAccountsView"]
