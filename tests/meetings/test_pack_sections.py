"""Packs and summaries made from case sections laid out ahead (``cases.sections``):
the same document as a single pass, nothing laid out twice, never another key's
section, and a lease per section."""

from __future__ import annotations

import datetime
import io
import re
import subprocess

import pikepdf
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from cases import sections
from cases.models import Case, CaseSummary, PrintedSection
from cases.summary import build_section, render_case_summary
from cases.tasks import lay_out_section
from guidelines.models import Recommendation
from meetings import agenda, handouts, prerender
from meetings.models import Meeting
from printing import merge
from printing.merge import FONT_FILES
from tests.factories import make_board_cases, make_case, make_lesion, make_meeting, make_patient
from tests.helpers import pdf_text
from tests.printed import assert_pdf_ua

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

LONG = {"primary_site": "colorectal", "primary_node_positive": True, "cea_ng_ml": 240,
        "serum_bilirubin_umol_l": 20, "albumin_g_l": 40, "planned_procedure": "hepatectomy",
        "smoker_current": True, "alcohol_g_per_day": 40, "liver_metastases": "confirmed"}  # fmt: skip


@pytest.fixture(scope="module")
def long_meeting(module_db):
    """Three cases, the middle one running over several pages with lesions and a long
    summary."""
    long = make_case(
        patient=make_patient(mrn="S-1", name="Sara Sections"),
        facts=LONG,
        clinical_summary="Synchronous liver metastases after a sigmoid primary. " * 40,
    )
    for segments in (["II", "III"], ["VI"], ["VII", "VIII"]):
        make_lesion(long, segments=segments, diameter_mm=30)
    short = [
        make_case(patient=make_patient(mrn=f"S-{n}", name=name), facts=facts)
        for n, name, facts in (
            (2, "Grace Short", {"primary_site": "gist", "liver_resection_done": True}),
            (3, "Emmy Short", {"ct_mri_inconclusive": True}),
        )
    ]
    return make_meeting([short[0], long, short[1]], board_name="Sections board")


@pytest.fixture(scope="module")
def both(long_meeting):
    """The pack made from sections, and the same pack laid out in one pass."""
    return handouts.render_meeting_handout(long_meeting), handouts.render_in_one_pass(long_meeting)


def outline(pdf: bytes) -> list[tuple[str, int]]:
    with pikepdf.open(io.BytesIO(pdf)) as document:
        pages = {page.objgen: n for n, page in enumerate(document.pages)}
        with document.open_outline() as tree:
            return [(item.title, pages[item.destination[0].objgen]) for item in tree.root]


PRINTED = re.compile(r"printed \d{1,2} \w+ \d{4}, \d\d:\d\d · ")


def lines(page: str) -> list[str]:
    """A page's lines in order, the footer's time of printing aside (the two packs
    compared are made a moment apart, maybe in different minutes)."""
    return sorted(
        PRINTED.sub("printed · ", line.strip()) for line in page.splitlines() if line.strip()
    )


def test_the_merged_pack_has_the_pages_and_text_of_a_single_pass(both):
    merged, single = both
    assert merged.page_count == single.page_count > 5
    merged_pages, single_pages = pdf_text(merged.pdf), pdf_text(single.pdf)
    for number, (ours, reference) in enumerate(zip(merged_pages, single_pages, strict=True), 1):
        assert lines(ours) == lines(reference), f"page {number} differs"
        assert PRINTED.search(ours) and f"page {number} of {merged.page_count}" in ours
        assert "Sections board" in ours and "Confidential — contains patient data" in ours
    assert merged.content_versions == single.content_versions


MARGIN_TEXTS = re.compile(
    r"^(Sections board|\w+day \d+ \w+ \d{4}, \d\d:\d\d|Confidential — contains patient data|"
    r"printed \d+ \w+ \d{4}, \d\d:\d\d · page \d+ of \d+)$"
)


def margin_texts(pdf: bytes) -> list[dict[str, tuple[float, float, float]]]:
    """Where each page's margin texts start: x and y of the baseline in points from the
    page's lower left, and the font size."""
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        texts = {}

        def seen(text, cm, tm, font, size, texts=texts):
            if MARGIN_TEXTS.match(text.strip()):
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                texts[PRINTED.sub("printed · ", text.strip())] = (x, y, abs(size * tm[3] * cm[3]))

        page.extract_text(visitor_text=seen)
        found.append(texts)
    return found


def test_the_drawn_page_headers_sit_where_a_single_pass_lays_them_out(both):
    """The header is drawn onto the pages (``printing.stamp``), not laid out: each text
    starts where WeasyPrint puts it in the pack laid out in one pass, within a quarter
    of a point (a right-aligned text may differ by the font's kerning, which the drawn
    text leaves out: within a point)."""
    merged, single = both
    ours, reference = margin_texts(merged.pdf), margin_texts(single.pdf)
    assert len(ours) == len(reference) == merged.page_count
    for number, (drawn, laid_out) in enumerate(zip(ours, reference, strict=True), 1):
        assert drawn.keys() == laid_out.keys() and len(drawn) == 4, number
        for text, (x, y, size) in drawn.items():
            x_ref, y_ref, size_ref = laid_out[text]
            right_aligned = text.startswith("printed") or "day " in text
            assert abs(x - x_ref) <= (1 if right_aligned else 0.25), (number, text, x, x_ref)
            assert abs(y - y_ref) <= 0.25, (number, text, y, y_ref)
            assert size == pytest.approx(size_ref, abs=0.01) == 8


def page_images(pdf: bytes, tmp_path, name: str) -> list:
    """Each page as poppler draws it (an independent renderer), in grey at 60 dpi, its
    header and footer cut off (their time of printing may differ by a minute)."""
    from PIL import Image

    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", str(tmp_path / f"{name}.pdf"),
                    str(tmp_path / name)], check=True)  # fmt: skip
    images = []
    for path in sorted(tmp_path.glob(f"{name}-*.png")):
        image = Image.open(path)
        margin = round(20 / 25.4 * 60)  # the top margin, 20 mm; the bottom one is 18 mm
        images.append(image.crop((0, margin, image.width, image.height - margin)))
    return images


def test_the_merged_pack_looks_like_a_single_pass_page_by_page(both, tmp_path):
    """The parts are kept without Inter's font programs and the pack embeds each face once,
    cut to the glyphs its pages use: drawn by poppler, every page's body is the single
    pass's, pixel for pixel but for anti-aliasing (a glyph drawn from the wrong program
    would differ in whole letters)."""
    from PIL import ImageChops, ImageStat

    merged, single = both
    ours, reference = (
        page_images(merged.pdf, tmp_path, "ours"),
        page_images(single.pdf, tmp_path, "single"),
    )
    assert len(ours) == len(reference) == merged.page_count
    for number, (page, expected) in enumerate(zip(ours, reference, strict=True), 1):
        assert page.size == expected.size
        assert ImageStat.Stat(ImageChops.difference(page, expected)).mean[0] < 0.5, number


def test_a_kept_section_holds_no_program_of_inter_and_the_pack_one_of_each_face(both):
    merged, _ = both
    stored = PrintedSection.objects.exclude(pdf=None)
    assert stored.count() == 3
    for row in stored:
        with pikepdf.open(io.BytesIO(bytes(row.pdf))) as section:
            inter = [
                obj
                for obj in section.objects
                if isinstance(obj, pikepdf.Dictionary)
                and obj.get("/Type") == "/FontDescriptor"
                and "Inter" in str(obj.FontName)
            ]
            assert inter  # every section sets text in Inter
            for obj in inter:
                assert obj.FontFile3.read_raw_bytes() == b"" and "/TbFace" in obj.FontFile3
    with pikepdf.open(io.BytesIO(merged.pdf)) as document:
        programs = {
            str(obj.FontName).partition("+")[2]: set()
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        }
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in FONT_FILES:
                    if key in obj:
                        programs[str(obj.FontName).partition("+")[2]].add(obj[key].objgen)
    # Inter's regular face: the cover's own subset (laid out apart) and one program that
    # every section's pages share.
    assert len(programs["Inter"]) == 2


def test_the_merged_pack_has_one_bookmark_per_case_like_a_single_pass(both):
    merged, single = both
    marks = outline(merged.pdf)
    assert marks == outline(single.pdf)
    cases = {case.patient.name: case.pk for case in Case.objects.select_related("patient")}
    assert [title for title, _ in marks] == [
        "Sections board",
        f"Item 1 · Case {cases['Grace Short']}: Grace Short · MRN S-2 · born 01 May 1960 · Female",
        f"Item 2 · Case {cases['Sara Sections']}: Sara Sections · MRN S-1 · born 01 May 1960 · Female",
        f"Item 3 · Case {cases['Emmy Short']}: Emmy Short · MRN S-3 · born 01 May 1960 · Female",
    ]
    pages = pdf_text(merged.pdf)
    for title, page in marks[1:]:
        assert f"{title.split(':')[0].upper()}\n" in pages[page]


def test_each_font_program_is_kept_once_and_the_file_stays_small(both):
    merged, single = both
    with pikepdf.open(io.BytesIO(merged.pdf)) as document:
        programs = [
            obj[key]
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
            for key in FONT_FILES
            if key in obj
        ]
        assert programs
        distinct = {bytes(program.read_raw_bytes()) for program in programs}
        assert len({program.objgen for program in programs}) == len(distinct)
    assert len(merged.pdf) <= 4 * len(single.pdf)


class LayOuts:
    """Counts the sections laid out (``cases.sections.lay_out``) and the covers (what the
    merge lays out: ``printing.merge.html_to_document``)."""

    def __init__(self, monkeypatch):
        self.cases: list[int] = []
        self.covers = 0
        real, real_cover = sections.lay_out, merge.html_to_document

        def counted(prepared):
            self.cases.append(prepared.section.number)
            return real(prepared)

        def cover(*args):
            self.covers += 1
            return real_cover(*args)

        monkeypatch.setattr(sections, "lay_out", counted)
        monkeypatch.setattr(merge, "html_to_document", cover)


@pytest.fixture
def laid_out(monkeypatch):
    return LayOuts(monkeypatch)


@pytest.fixture
def small_meeting(db):
    return make_meeting(make_board_cases(), board_name="Liver metastases board")


def test_making_a_current_pack_again_lays_out_nothing(small_meeting, laid_out):
    first = handouts.render_meeting_handout(small_meeting)
    assert (laid_out.cases, laid_out.covers) == ([1, 2, 3], 1)
    again = handouts.render_meeting_handout(small_meeting)
    assert (laid_out.cases, laid_out.covers) == ([1, 2, 3], 1)  # the cover kept, too
    # Page by page the same, but for the time of printing in each footer.
    assert [lines(page) for page in pdf_text(again.pdf)] == [
        lines(page) for page in pdf_text(first.pdf)
    ]
    assert PrintedSection.objects.filter(case__meetings=small_meeting).count() == 3
    assert small_meeting.covers.count() == 1


def test_the_cover_is_laid_out_again_when_what_it_shows_changes_and_says_when_printed(
    small_meeting, laid_out
):
    """The agenda lists each case's question: a new question is a new cover (the older
    one is not kept); an edit the cover does not show keeps it. The time of printing is
    each page's, drawn at the merge."""
    handouts.render_meeting_handout(small_meeting)
    grace = small_meeting.agenda_items.get(position=2).case
    grace.clinical_summary += " Seen again."
    grace.save()
    handouts.render_meeting_handout(small_meeting)
    assert laid_out.covers == 1 and laid_out.cases == [1, 2, 3, 2]
    grace.question = "Resect the remaining lesion in segment VI?"
    grace.save()
    pack = handouts.render_meeting_handout(small_meeting)
    assert laid_out.covers == 2
    assert small_meeting.covers.count() == 1
    pages = pdf_text(pack.pdf)
    assert "Resect the remaining lesion in segment VI?" in " ".join(pages[0].split())
    now = timezone.localtime()
    for number, page in enumerate(pages, start=1):
        printed = PRINTED.search(page).group(0)
        stamped = datetime.datetime.strptime(printed, "printed %d %B %Y, %H:%M · ")
        assert abs(
            stamped - now.replace(tzinfo=None, second=0, microsecond=0)
        ) <= datetime.timedelta(minutes=1)
        assert f"page {number} of {pack.page_count}" in page


def test_an_edited_case_lays_out_its_own_section_only(small_meeting, laid_out):
    handouts.render_meeting_handout(small_meeting)
    grace = small_meeting.agenda_items.get(position=2).case
    grace.question = "Resected GIST metastasis: imatinib for how long?"
    grace.version += 1
    grace.save()
    rendered = handouts.render_meeting_handout(small_meeting)
    assert laid_out.cases == [1, 2, 3, 2]
    assert "imatinib for how long?" in " ".join(pdf_text(rendered.pdf))
    # The superseded section is gone: one stored section per case and agenda number.
    assert PrintedSection.objects.filter(case=grace).count() == 1


def test_a_content_edit_lays_out_again_only_the_sections_that_show_it(small_meeting, laid_out):
    handouts.render_meeting_handout(small_meeting)
    shown = {
        number: {
            item.rule.id
            for item in [*section.seen.matches.applies, *section.seen.matches.may_apply]
        }
        for number, section in enumerate(handouts.meeting_sections(small_meeting), 1)
    }
    unshown = Recommendation.objects.exclude(slug__in=set().union(*shown.values())).first()
    unshown.statement += " (edited for the test)"
    unshown.save()
    handouts.render_meeting_handout(small_meeting)
    assert laid_out.cases == [1, 2, 3]  # the content changed, but not what they show
    rec = Recommendation.objects.get(slug=sorted(shown[2])[0])
    rec.statement += " (edited for the test)"
    rec.save()
    rendered = handouts.render_meeting_handout(small_meeting)
    assert laid_out.cases[3:] == [n for n in (1, 2, 3) if rec.slug in shown[n]]
    assert "(edited for the test)" in " ".join(pdf_text(rendered.pdf)).replace("\n", " ")


def test_moving_a_case_on_the_agenda_lays_out_the_two_it_renumbers(small_meeting, laid_out):
    handouts.render_meeting_handout(small_meeting)
    agenda.move(small_meeting.agenda_items.get(position=3), "up")
    handouts.render_meeting_handout(small_meeting)
    assert sorted(laid_out.cases[3:]) == [2, 3]


def test_a_pseudonymised_pack_never_uses_an_identified_section(small_meeting, laid_out):
    handouts.render_meeting_handout(small_meeting)
    Meeting.objects.filter(pk=small_meeting.pk).update(pseudonymise=True)
    small_meeting.refresh_from_db()
    rendered = handouts.render_meeting_handout(small_meeting)
    assert laid_out.cases == [1, 2, 3, 1, 2, 3]
    text = " ".join(pdf_text(rendered.pdf))
    for name in ("Ada Lovelace", "Grace Hopper", "Emmy Noether", "H-1001"):
        assert name not in text
    # Asked for with the other pseudonymisation, a stored key finds nothing.
    for section in handouts.meeting_sections(small_meeting):
        prepared = sections.prepare(section)
        assert prepared.lookup().filter(pdf__isnull=False).count() == 1
        assert not PrintedSection.objects.showing(
            prepared.case_id, prepared.key, pseudonymised=False
        ).exists()


def test_a_section_held_by_a_live_worker_is_waited_for_and_one_whose_lease_ran_out_is_taken_over(
    settings,
):
    settings.HANDOUT_LEASE_SECONDS = 60
    case = make_case()
    prepared = sections.prepare(build_section(case, 1, pseudonymise=False))
    held = sections.claim(prepared)
    assert held is not None and held.pdf is None
    assert sections.claim(prepared) is None  # another worker holds it
    assert sections.lay_out_if_needed(prepared) is False
    PrintedSection.objects.filter(pk=held.pk).update(
        heartbeat_at=timezone.now() - datetime.timedelta(seconds=61)
    )
    assert sections.lay_out_if_needed(prepared) is True  # the dead worker's: taken over
    stored = prepared.lookup().get()
    assert stored.pk == held.pk and bytes(stored.pdf).startswith(b"%PDF-")
    assert sections.lay_out_if_needed(prepared) is False  # done: nothing to do


def test_a_failed_layout_leaves_nothing_half_made(monkeypatch):
    case = make_case()
    prepared = sections.prepare(build_section(case, 1, pseudonymise=False))

    def broken(html, css=""):
        raise OSError("out of memory")

    monkeypatch.setattr(sections, "html_to_document", broken)
    with pytest.raises(OSError):
        sections.obtain([prepared])
    assert not case.printed_sections.exists()  # the next try starts at once


def test_the_case_summary_is_laid_out_whole_not_from_stored_sections(laid_out):
    case = make_case(patient=make_patient(mrn="M-2", name="Sam Summary"))
    meeting = make_meeting([case])
    handouts.render_meeting_handout(meeting)
    assert laid_out.cases == [1]
    # The summary is laid out whole, so that it is a tagged PDF (drawing a stored section
    # onto stamp pages would drop the tags): it neither uses nor stores a section.
    summary = render_case_summary(case)
    assert laid_out.cases == [1]
    pages = pdf_text(summary.pdf)
    assert "Case summary" in pages[0] and f"page 1 of {summary.page_count}" in pages[0]
    assert "Sam Summary" in pages[0]
    assert_pdf_ua(summary.pdf)
    assert not CaseSummary.objects.exists()


def test_render_handout_twice_lays_out_nothing_the_second_time(small_meeting, laid_out, tmp_path):
    out = io.StringIO()
    call_command(
        "render_handout", meeting=small_meeting.pk, output=str(tmp_path / "a.pdf"), stdout=out
    )
    assert laid_out.cases == [1, 2, 3]
    call_command(
        "render_handout", meeting=small_meeting.pk, output=str(tmp_path / "b.pdf"), stdout=out
    )
    assert laid_out.cases == [1, 2, 3]
    assert (tmp_path / "b.pdf").read_bytes().startswith(b"%PDF-")


def queued(path: str) -> list[dict]:
    return [
        task.args_kwargs
        for task in DBTaskResult.objects.filter(task_path=path, status="READY").order_by(
            "enqueued_at"
        )
    ]


LOOK = "meetings.prerender.prepare_upcoming"
LAY_OUT = "cases.tasks.lay_out_section"


def test_changes_queue_a_look_for_sections_to_lay_out_ahead(
    django_capture_on_commit_callbacks,
):
    case = make_case(patient=make_patient(mrn="Q-1"))
    meeting = make_meeting([])
    with django_capture_on_commit_callbacks(execute=True):
        agenda.add_case(meeting, case)
    assert {"args": [], "kwargs": {"case_ids": None, "meeting_id": meeting.pk}} in queued(LOOK)
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        case.question = "Edited"
        case.save()
        make_lesion(case)
        case.patient.name = "Renamed"
        case.patient.save()
    assert queued(LOOK) == [{"args": [], "kwargs": {"case_ids": [case.pk], "meeting_id": None}}]
    DBTaskResult.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        rec = Recommendation.objects.first()
        rec.save()
        Recommendation.objects.last().save()
    assert queued(LOOK) == [{"args": [], "kwargs": {"case_ids": None, "meeting_id": None}}]


def test_the_look_queues_one_task_per_missing_section_of_upcoming_meetings_only():
    shown, stored = (
        make_case(patient=make_patient(mrn="U-1")),
        make_case(patient=make_patient(mrn="U-2")),
    )
    past = make_case(patient=make_patient(mrn="U-3"))
    make_meeting([shown, stored])
    make_meeting([past], starts_at=timezone.now() - datetime.timedelta(days=2))
    prepared = sections.prepare(build_section(stored, 2, pseudonymise=False))
    sections.lay_out_if_needed(prepared)
    DBTaskResult.objects.all().delete()
    assert prerender.prepare_upcoming.call() == 1
    assert queued(LAY_OUT) == [{"args": [shown.pk, 1, False, []], "kwargs": {}}]
    # The queued task lays the section out; run again, it finds it stored.
    assert lay_out_section.call(shown.pk, 1, False) is True
    assert lay_out_section.call(shown.pk, 1, False) is False
    assert prerender.prepare_upcoming.call() == 0


def test_the_nearest_meetings_sections_are_laid_out_first_whatever_the_order_queued():
    """A guideline edit makes every upcoming section stale: the worker takes tomorrow's
    meeting's sections before those of next week's and next month's, though the later
    meetings were made (and their cases queued) first."""
    now = timezone.now()
    later = make_meeting([make_case(patient=make_patient(mrn="L-1"))], board_name="Later",
                         starts_at=now + datetime.timedelta(days=30))  # fmt: skip
    week = make_meeting([make_case(patient=make_patient(mrn="W-1"))], board_name="Week",
                        starts_at=now + datetime.timedelta(days=7))  # fmt: skip
    soon = make_meeting([make_case(patient=make_patient(mrn="S-9"))], board_name="Soon",
                        starts_at=now + datetime.timedelta(hours=20))  # fmt: skip
    DBTaskResult.objects.all().delete()
    assert prerender.prepare_upcoming.call() == 3
    waiting = DBTaskResult.objects.filter(task_path=LAY_OUT, status="READY")
    # The worker's order (django_tasks_db: priority, then when it may run, then queued).
    taken = [task.args_kwargs["args"][0] for task in waiting.order_by(
        "-priority", "run_after", "enqueued_at")]  # fmt: skip
    cases = [m.agenda_items.get().case_id for m in (soon, week, later)]
    assert taken == cases
    assert [t.priority for t in waiting.order_by("-priority")] == [-10, -16, -39]


def test_a_burst_of_edits_makes_one_pass_over_the_sections():
    """Each edit queues a look; a look finds the sections whose tasks wait already and
    queues nothing again (the task lays the section out as it is when it runs)."""
    make_meeting([make_case(patient=make_patient(mrn=f"B-{n}")) for n in range(3)],
                 starts_at=timezone.now() + datetime.timedelta(days=2))  # fmt: skip
    DBTaskResult.objects.all().delete()
    assert prerender.prepare_upcoming.call() == 3
    for _ in range(3):  # three more edits, each with its look
        assert prerender.prepare_upcoming.call() == 0
    assert len(queued(LAY_OUT)) == 3


def test_the_look_reads_the_stored_sections_of_a_meeting_at_once():
    def look_at(size: int) -> int:
        meeting = make_meeting(
            [make_case(patient=make_patient(mrn=f"N{size}-{n}")) for n in range(size)],
            board_name=f"Board of {size}",
        )
        for section in handouts.meeting_sections(meeting):
            sections.lay_out_if_needed(sections.prepare(section))
        with CaptureQueriesContext(connection) as reads:
            assert prerender.prepare_upcoming.call(meeting_id=meeting.pk) == 0
        return len(reads)

    assert look_at(1) == look_at(4)


def test_lay_out_ahead_queues_what_upcoming_packs_need_and_says_how_many():
    make_meeting([make_case(patient=make_patient(mrn=f"A-{n}")) for n in range(2)])
    DBTaskResult.objects.all().delete()
    out = io.StringIO()
    call_command("lay_out_ahead", stdout=out)
    assert out.getvalue() == "Queued 2 case section(s) of upcoming meetings for the task workers.\n"
    assert len(queued(LAY_OUT)) == 2


def test_a_board_name_too_long_for_its_line_is_laid_out_on_stamp_pages(small_meeting):
    """Drawn, the name would run into the date; WeasyPrint wraps it in its box instead."""
    board = small_meeting.board
    board.name = "Hepatobiliary, pancreatic and liver metastases multidisciplinary board " * 2
    board.save()
    pack = handouts.render_meeting_handout(small_meeting)
    pages = pdf_text(pack.pdf)
    assert len(pages) == pack.page_count > 3
    for number, text in enumerate(pages, start=1):
        words = " ".join(text.split())
        assert "Hepatobiliary, pancreatic and liver metastases multidisciplinary" in words
        assert f"page {number} of {pack.page_count}" in words
    with pikepdf.open(io.BytesIO(pack.pdf)) as document:
        fonts = {str(name) for page in document.pages for name in page.Resources.Font}
    assert not any(name.startswith("/TbStamp") for name in fonts)
