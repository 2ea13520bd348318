"""Benchmark: a meeting pack whose case sections are all laid out already ("all
current"), against the floor of reading the stored sections and concatenating them.

For meetings of 10, 30 and 100 demo-like cases (in a transaction rolled back at the
end: the database is left as it was), in one process, medians of CPU time and wall
time over several runs:

- floor: read the stored section PDFs (one query) and concatenate them with pikepdf,
  putting in the typefaces they are kept without (``printing.merge.kept``): the least a
  readable document takes;
- floor + header: the same, with the page header and "page X of Y" drawn on every
  page (``printing.stamp``): what the header costs by content streams;
- pack, all current: ``meetings.handouts.render_meeting_handout`` as a worker runs it
  (each case's section built and its key checked, the cover's HTML built and the cover
  laid out before taken, the sections appended, the header and footer drawn, font
  programs kept once);
- pack, sections current, cover laid out: the same when the agenda changed (a case
  added, a question edited), so that the cover is laid out again;
- pack, stamp pages: the same pack with its header laid out by WeasyPrint on blank
  pages (the way before issue 28, still used where a header cannot be drawn).

Target (issue 28): the pack, all current, <= 6x the floor at 10, 30 and 100 cases.
Also printed: where the pack's time goes, the file size, and the stored section size
per case (with the share of it that is font programs).

Run after `make setup`:  .venv/bin/python bench/pack.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from figures import django_setup, figure, summary, timed  # noqa: E402

SIZES = (10, 30, 100)
RUNS = {10: 7, 30: 5, 100: 3}


def make_meeting(size: int):
    """A meeting of ``size`` demo-like cases (``bench/handout.py``'s)."""
    from handout import make_meeting as made

    from meetings.models import Meeting

    return Meeting.objects.select_related("board").get(pk=made(size))


def main() -> None:
    django_setup()
    from django.db import transaction

    print("Meeting pack, every section laid out already (medians; CPU of this process).")
    with transaction.atomic():
        for size in SIZES:
            one_size(size)
        transaction.set_rollback(True)
    summary()


def one_size(size: int) -> None:
    import pikepdf
    from django.utils import timezone

    from cases import sections as printed
    from cases.models import PrintedSection
    from meetings import handouts
    from printing import merge, stamp

    meeting = make_meeting(size)
    handouts.render_meeting_handout(meeting)  # lays out and stores every section
    keys = [printed.prepare(s).key for s in handouts.meeting_sections(meeting)]
    stored = list(PrintedSection.objects.filter(key__in=keys).values_list("pdf", flat=True))

    def concatenate(draw: bool = False):
        rows = dict(PrintedSection.objects.filter(key__in=keys).values_list("key", "pdf"))
        document = pikepdf.new()
        for key in keys:
            document.pages.extend(pikepdf.open(io.BytesIO(rows[key])).pages)
        merge._embed_faces(document)  # the sections are kept without Inter's programs
        if draw:
            stamp.stamp(document, handouts._header(meeting, timezone.localtime()))
        out = io.BytesIO()
        document.save(out)
        return out.getvalue()

    def old_way():
        sections = handouts.meeting_sections(meeting)
        got = printed.obtain([printed.prepare(s) for s in sections], None)
        return merge.stamped("pdf/meeting_pack.html", handouts._cover(meeting, sections), got)

    def built():
        return [printed.prepare(s) for s in handouts.meeting_sections(meeting)]

    runs = RUNS[size]
    floor = timed(concatenate, runs)
    print(f"\n{size} cases ({runs} runs each)")
    figure("floor: read + concatenate", floor)
    figure("floor + header drawn", timed(lambda: concatenate(True), runs), floor=floor)
    pack = timed(lambda: handouts.render_meeting_handout(meeting), runs)
    figure("pack, all current", pack, floor=floor, ratio_target=6)

    def cover_again():  # as when the agenda changed: only the cover laid out
        meeting.covers.all().delete()
        return handouts.render_meeting_handout(meeting)

    figure("pack, sections current, cover laid out", timed(cover_again, runs), floor=floor)
    figure("pack, stamp pages (before)", timed(old_way, max(1, runs // 2)), floor=floor)
    figure("  of which: sections built, keys checked", timed(built, runs), floor=floor)
    rendered = handouts.render_meeting_handout(meeting)
    fonts = sum(_font_bytes(pdf) for pdf in stored)
    print(f"  pack {len(rendered.pdf) / 1e6:.2f} MB, {rendered.page_count} pages; stored "
          f"sections {sum(map(len, stored)) / size / 1e3:.0f} kB a case, "
          f"{fonts / max(1, sum(map(len, stored))):.0%} of it font programs")  # fmt: skip


def _font_bytes(pdf: bytes) -> int:
    import pikepdf

    total = 0
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for obj in document.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in obj:
                        total += len(obj[key].read_raw_bytes())
    return total


if __name__ == "__main__":
    main()
