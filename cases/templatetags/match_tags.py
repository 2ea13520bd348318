"""A match as the case page shows it: its card and its "Why" (``guidelines.matching``),
built here rather than in templates. The match panel shows some sixty cards on every case
page (and on every keystroke of the live form): included template by template they were
the largest part of the page's server time. The markup is the one ``_match_panel.html``
had for them; every value is escaped by ``format_html``."""

from functools import cache

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import slugify

register = template.Library()

MARKS = {"held": "✓", "failed": "✗"}
EMPTY = SafeString("")


@cache
def _recommendation_url(slug: str) -> str:
    return reverse("guidelines:recommendation_detail", args=[slug])


@cache
def _slug(text: str) -> str:
    return slugify(text)


def _lines(lines, nested: bool) -> SafeString:
    items = format_html_join(
        "",
        '<li class="why-{}"><span class="why-mark" aria-hidden="true">{}</span> {}{}</li>',
        (
            (line.state, MARKS.get(line.state, "?"), line.text,
             format_html(":{}", _lines(line.children, True)) if line.children else EMPTY)
            for line in lines
        ),
    )  # fmt: skip
    return format_html("<ul{}>{}</ul>", SafeString(' class="why-nested"') if nested else "", items)


@register.simple_tag
def why_lines(lines) -> SafeString:
    """The lines, each marked held (✓), failed (✗) or not known (?), nested as the
    condition is."""
    return _lines(lines, False)


def cautions_html(cautions) -> SafeString:
    """A match's cautions (fact sheet revision 3): shown when their condition holds, marked
    "may apply" while not known."""
    return format_html_join("", '<p class="caution{}" role="note"><strong>Caution{}:</strong> {}</p>', (
        (SafeString(" caution-may-apply") if c.may_apply else EMPTY,
         (format_html(" (may apply{})", format_html(": enter {} to decide", ", ".join(
             c.missing_labels)) if c.missing_labels else EMPTY) if c.may_apply else EMPTY),
         c.text)
        for c in cautions
    ))  # fmt: skip


@register.simple_tag
def cautions(items) -> SafeString:
    return cautions_html(items)


@register.simple_tag
def match_card(shown, outcome: str) -> SafeString:
    """One recommendation's card: action, id, verification, statement, cautions, source,
    what would decide it, and why."""
    rule = shown.rule
    action = (format_html('<span class="action action-{}">{}</span>', _slug(rule.action),
                          rule.action) if rule.action else EMPTY)  # fmt: skip
    marker = (SafeString('<span class="badge marker" role="note">Not verified against the '
                         "primary guideline text</span>")
              if rule.shows_unverified_marker else EMPTY)  # fmt: skip
    missing = (format_html('<p class="missing">Enter {} to decide.</p>',
                           ", ".join(shown.missing_labels)) if shown.missing_labels else EMPTY)  # fmt: skip
    error = (format_html('<p class="missing">{}</p>', shown.match.error)
             if shown.match.error else EMPTY)  # fmt: skip
    why = (format_html('<details class="why" id="why-{}"><summary>Why</summary>{}</details>',
                       rule.id, _lines(shown.why_tree, False)) if shown.why
           else SafeString('<p class="why-none">Applies to every case.</p>'))  # fmt: skip
    return format_html(
        '<article class="match match-{}" id="match-{}"><header>{} <a class="rec-id" href="{}" '
        'title="Recommendation id (for editors)">{}</a> {} <span class="badge level-{}">{}</span>'
        '</header><p class="statement">{}</p>{}<p class="match-meta">{} · {} › {} · Strength '
        "(source's wording): {}</p>{}{}{}</article>",
        outcome, rule.id, action, _recommendation_url(rule.id), rule.id, marker,
        rule.verification, rule.verification_words, rule.statement, cautions_html(shown.cautions),
        rule.source, rule.section, rule.subsection, rule.strength, missing, error, why,
    )  # fmt: skip
