"""Who may see which case: the one place every view that shows a case asks."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from accounts.access import require
from cases.models import Case


def get_case_for_user(request: HttpRequest, pk: int, permission: str = "cases.view_case") -> Case:
    """The case (with its patient and area), or 404 when it does not exist or the user may not
    see it; 404 rather than 403, so that a refused user does not learn what exists."""
    require(request, permission)
    return get_object_or_404(Case.objects.select_related("patient", "area"), pk=pk)
