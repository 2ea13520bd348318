"""Attachments as pages show them: key images apart from the reports."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def key_images(attachments) -> list:
    return [a for a in attachments if a.is_image and a.kind == "key_image"]


@register.filter
def other_attachments(attachments) -> list:
    return [a for a in attachments if not (a.is_image and a.kind == "key_image")]


@register.filter
def printed_url(attachment) -> str:
    """(``cases.attachments.printed_url``)"""
    from cases.attachments import printed_url as url

    return url(attachment)
