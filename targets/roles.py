"""The role groups and their Django permissions, kept in step after every migrate."""

from __future__ import annotations

from typing import Any

from .services.accounts import role_groups_sync


def sync_role_groups(**kwargs: Any) -> None:
    """``post_migrate`` receiver: the role groups and their permissions, as the code says."""
    role_groups_sync()
