from django import template

from meetings.models import Board

register = template.Library()


@register.filter
def sees_quality(user) -> bool:
    """The quality dashboard: every board's for coordinators, a chair's own boards'."""
    return user.has_perm("quality.view_dashboard") or Board.objects.signed_for_by(user).exists()
