from django import template
from django.utils.safestring import mark_safe

from common.slots import slot as named

register = template.Library()


@register.simple_tag(takes_context=True)
def slot(context, name: str) -> str:
    """Every template registered for the slot, with the page's context, in order."""
    engine = context.template.engine
    return mark_safe("".join(engine.get_template(t).render(context) for t in named(name).templates))
