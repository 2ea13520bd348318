"""Every URL pattern of the project, from the resolver, so that none can be forgotten."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

SAMPLES = ("1", "guidelines", "pc-counseling", "x")


@dataclass(frozen=True)
class Route:
    namespace: str
    name: str
    params: tuple[str, ...]
    sample_path: str  # the pattern filled with sample values

    @property
    def full_name(self) -> str:
        return f"{self.namespace}:{self.name}" if self.namespace else self.name


def _fill(pattern) -> tuple[str, tuple[str, ...]]:
    regex = pattern.regex
    for template, params in normalize(regex.pattern):
        for sample in SAMPLES:
            candidate = template % dict.fromkeys(params, sample)
            if regex.match(candidate):
                return candidate, tuple(params)
    raise AssertionError(f"no sample path for {pattern}")


def _walk(resolver, prefix="", namespace="", params=()):
    for entry in resolver.url_patterns:
        path, more = _fill(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, prefix + path, entry.namespace or namespace, params + more)
        else:
            yield Route(namespace, entry.name or "", params + more, "/" + prefix + path)


def routes() -> list[Route]:
    return sorted(set(_walk(get_resolver())), key=lambda route: route.sample_path)
