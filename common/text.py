"""Checks for text typed by users: invisible text-direction controls.

Bidirectional control characters (U+202E RIGHT-TO-LEFT OVERRIDE and friends) make
text display in another order than it is stored: a name could read as somebody
else's. Names refuse them; longer text has them removed.
"""

from __future__ import annotations

from django import forms

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
_REMOVE = {ord(ch): None for ch in BIDI_CONTROLS}


def has_bidi_controls(text: str) -> bool:
    return any(ch in BIDI_CONTROLS for ch in text)


def without_bidi_controls(text: str) -> str:
    return text.translate(_REMOVE)


class BidiSafeFormMixin:
    """Refuse direction controls in ``name_fields``; remove them from ``text_fields``."""

    name_fields: tuple[str, ...] = ()
    text_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        for name in self.name_fields:
            value = cleaned.get(name)
            if isinstance(value, str) and has_bidi_controls(value):
                self.add_error(
                    name,
                    forms.ValidationError(
                        "Remove the invisible text-direction characters (such as U+202E) "
                        "from this field: they make text show in another order than it reads."
                    ),
                )
        for name in self.text_fields:
            value = cleaned.get(name)
            if isinstance(value, str):
                cleaned[name] = without_bidi_controls(value)
        return cleaned
