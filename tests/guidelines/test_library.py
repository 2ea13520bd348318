"""The guideline library as clinicians read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guidelines.models import Recommendation
from tests.factories import make_recommendation

pytestmark = pytest.mark.django_db


def test_library_groups_published_recommendations_by_section_and_subsection(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("guidelines:library"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "54 recommendations." in page
    sections = [s.name for s, _ in response.context["sections"]]
    assert sections == [
        "Diagnostic investigations",
        "Medical management",
        "Therapeutic procedures",
        "Perioperative care",
        "Surgical interventions",
        "Specific circumstances",
    ]
    assert (
        page.index("Diagnostic imaging")
        < page.index("Molecular testing")
        < page.index("Adjuvant chemotherapy")
    )


def test_library_hides_unpublished_drafts(client, clinician):
    client.force_login(clinician)
    page = client.get(reverse("guidelines:library")).content.decode()
    assert "tp-embolization-placeholder" not in page
    assert "pc-smoking-cessation" in page


def test_library_shows_source_strength_and_the_unverified_marker(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("guidelines:library"))
    cards = {
        rec.slug: rec
        for _, subs in response.context["sections"]
        for _, recs in subs
        for rec in recs
    }
    assert cards["pc-alcohol-cessation"].shows_unverified_marker
    page = response.content.decode()
    start = page.index('id="rec-pc-alcohol-cessation"')
    card = page[start : page.index("</article>", start)]
    assert "Not verified against the primary guideline text" in card
    assert "ERAS Society 2022 (2023)" in card
    assert "Planned procedure is Hepatectomy and" in card
    start = page.index('id="rec-pc-smoking-cessation"')
    card = page[start : page.index("</article>", start)]
    assert "Not verified against the primary guideline text" not in card


def test_library_filters_by_source(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("guidelines:library"), {"source": "S9"})
    slugs = {
        rec.slug for _, subs in response.context["sections"] for _, recs in subs for rec in recs
    }
    assert slugs == set(
        Recommendation.objects.published().filter(source__code="S9").values_list("slug", flat=True)
    )
    assert len(slugs) == 5


def test_library_filters_by_status_and_search(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("guidelines:library"), {"status": "digest_only", "q": "MRI"})
    slugs = {
        rec.slug for _, subs in response.context["sections"] for _, recs in subs for rec in recs
    }
    assert slugs == {"dx-mri-before-resection", "dx-mri-disappearing-metastases"}


def test_library_ignores_unknown_filter_values(client, clinician):
    client.force_login(clinician)
    response = client.get(reverse("guidelines:library"), {"source": "<script>", "status": "bogus"})
    assert response.status_code == 200
    assert "54 recommendations." in response.content.decode()
    assert "<script>" not in response.content.decode()


def test_library_runs_a_fixed_number_of_queries(client, clinician, django_assert_num_queries):
    client.force_login(clinician)
    client.get(reverse("guidelines:library"))  # warm the session
    # session, user, permissions (2), sources, guideline content version, recommendations,
    # their cautions and the plan's modality names.
    with django_assert_num_queries(9):
        client.get(reverse("guidelines:library"))
    for n in range(20):
        make_recommendation(slug=f"extra-{n}", condition="smoker_current = true")
    client.get(reverse("guidelines:library"))  # rebuilds the changed content once
    with django_assert_num_queries(9):
        client.get(reverse("guidelines:library"))


def test_recommendation_page_explains_its_condition_and_provenance(client, clinician):
    client.force_login(clinician)
    page = client.get(
        reverse("guidelines:recommendation_detail", args=["pc-alcohol-cessation"])
    ).content.decode()
    assert "Sex is Female" in page
    assert "Alcohol intake is above 24 g/day" in page
    assert "verified-primary (≥4 weeks) / seed-only (thresholds and 4–8 week window)" in page
    assert "the digest's own scale" in page
    assert "Edit in the admin" not in page


def test_drafts_are_404_for_clinicians_but_visible_to_editors(client, clinician, editor):
    url = reverse("guidelines:recommendation_detail", args=["tp-embolization-placeholder"])
    client.force_login(clinician)
    assert client.get(url).status_code == 404
    client.force_login(editor)
    page = client.get(url).content.decode()
    assert "Draft, not published" in page
    assert "Edit in the admin" in page


def test_statement_markup_is_shown_as_text(client, clinician):
    make_recommendation(
        slug="markup", statement='<script>alert(1)</script><img src=x onerror="alert(2)">'
    )
    client.force_login(clinician)
    page = client.get(reverse("guidelines:library")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sources_page_lists_citations_and_counts(client, clinician):
    client.force_login(clinician)
    page = client.get(reverse("guidelines:source_list")).content.decode()
    assert "doi:10.1007/s00268-022-06732-5" in page
    assert "What could be read: Abstract only." in page
    assert "5 published recommendations" in page


def test_fact_catalogue_page_lists_facts_by_section(client, clinician):
    client.force_login(clinician)
    page = client.get(reverse("guidelines:fact_list")).content.decode()
    assert "The 67 facts a case can record" in page
    assert (
        page.index("Patient") < page.index("Molecular profile") < page.index("Perioperative risk")
    )
    assert "dMMR / MSI-high (<code>dMMR_MSI_H</code>)" in page


def test_users_without_a_role_cannot_read_the_library(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("guidelines:library")).status_code == 403
