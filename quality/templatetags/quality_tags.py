from django import template

from meetings.models import Board
from quality.forms import DASHBOARD

register = template.Library()


@register.filter
def sees_quality(user) -> bool:
    """The quality dashboard: every board's for coordinators, a chair's own boards'."""
    return user.has_perm(DASHBOARD) or Board.objects.signed_for_by(user).exists()
