"""The quality figures of a board (or of several) over a period: what the dashboard,
its CSV files and the annual MDT report show.

Every figure is computed here, from a fixed number of queries whatever the number of
cases, meetings or decisions (each query reads plain values; the arithmetic runs in
Python over them). The definitions are the ones the README states:

- Scope: meetings of the chosen boards that started within the period (and have
  started by now); their agenda items, limited to one disease area if asked.
- The decision of an item is its record in force: the latest signed version (an
  amendment replaces the version it corrects). "Signed" is when its first version was.
- Concordance (``shared/content/concordance.md`` §2, ``decisions.concordance``): the unit is
  the decision. Each record in force has a class, fixed when it was signed: concordant,
  conditionally concordant, discordant (with its reasons' groups) or not assessed. The
  headline is the share of assessed decisions (the first three classes) that are
  concordant or conditionally concordant; the discordant share is split by reason group,
  a decision counted under each group it deviated for. Beside it: the share of judged
  board items marked "not relevant", the decisions with items pending at decision time,
  and the care-pathway line on its own (followed, of the decisions that answered yes or
  no). As detail, per board item and per guideline section: followed (already done and
  alternative chosen count as followed) among those judged relevant. Records signed before
  classes existed: classified from their rows by migration; their care-pathway rows
  (items whose scope is now "pathway") are left out of the detail.
- Intervals in days, median and 90th percentile (nearest rank): the case's referral to
  its first listing on any agenda (once per case); that first listing to the decision
  signed (decisions that made a recommendation); signed to the last action done
  (decisions whose actions are all done).
- Quorum: meetings at which every specialty the board requires was present.
- Completeness: of the facts the area's recommendations read, the share known when the
  record was frozen, over all decisions in force (records made before this was stored
  are left out and counted).
"""

from __future__ import annotations

import datetime
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.models import Case
from decisions import concordance as classes
from decisions.models import (
    Action,
    Concordance,
    Decision,
    DecisionStatus,
    DeferralReason,
    FrozenAs,
    Judgement,
    NotOfferedReason,
    Outcome,
    Pathway,
    TrialConsidered,
    TrialOffer,
)
from guidelines.models import DecisionScope, Recommendation
from guidelines.readiness import NOT_READY
from meetings.models import AgendaItem, Attendance, Board, Meeting

REMOVED_SECTION = "Recommendations since removed"


@dataclass(frozen=True)
class Scope:
    """What the report covers: boards, a period of days (both included), an area."""

    boards: tuple[Board, ...]
    start: datetime.date
    end: datetime.date
    area_id: int | None = None
    area_name: str = ""

    @property
    def label(self) -> str:
        boards = ", ".join(board.name for board in self.boards) or "no board"
        area = f" · {self.area_name}" if self.area_name else ""
        return f"{boards} · {self.start:%d %b %Y} to {self.end:%d %b %Y}{area}"


@dataclass(frozen=True)
class Interval:
    """Days from one step to the next: how many, the median and the 90th percentile by
    nearest rank (the smallest value with at least 90 % of the values at or below it).
    Worked out in PostgreSQL where the values are many (``percentile_cont(0.5)`` and
    ``percentile_disc(0.9)`` are the same two figures), else from the values here."""

    name: str
    count: int
    median: float | None
    p90: int | None

    @classmethod
    def of(cls, name: str, days: Iterable[int]) -> Interval:
        values = sorted(days)
        if not values:
            return cls(name, 0, None, None)
        return cls(
            name, len(values), statistics.median(values), values[math.ceil(0.9 * len(values)) - 1]
        )


@dataclass(frozen=True)
class Share:
    """``part`` of ``whole`` (a share, shown as a percentage), e.g. followed of judged."""

    label: str
    part: int
    whole: int

    @property
    def percent(self) -> float | None:
        return 100 * self.part / self.whole if self.whole else None


@dataclass(frozen=True)
class OverdueAction:
    case_id: int
    meeting_day: datetime.date
    what: str
    owner: str
    due: datetime.date
    days_overdue: int


@dataclass
class Report:
    scope: Scope
    today: datetime.date
    meetings_held: int = 0
    listed: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)  # outcome value -> items
    undecided: int = 0  # items without a signed decision
    # Per decision (records in force): class -> decisions; the headline; deviations.
    classes: dict[str, int] = field(default_factory=dict)
    headline: Share = Share("Concordant or conditionally concordant", 0, 0)
    discordant_by_group: list[Share] = field(default_factory=list)
    # The headline per disease area (the areas' names, in the areas' order): areas compared.
    by_area: list[Share] = field(default_factory=list)
    not_relevant: Share = Share("Board items judged not relevant", 0, 0)
    with_pending: Share = Share("Decisions with items pending", 0, 0)
    pending_items: int = 0
    pathway: Share = Share("Perioperative care follows the hospital's pathway", 0, 0)
    pathway_not_applicable: int = 0
    # Detail, per board item judged (followed of judged relevant).
    concordance: Share = Share("All board items", 0, 0)
    by_section: list[Share] = field(default_factory=list)
    by_recommendation: list[tuple[str, str, Share]] = field(default_factory=list)
    reasons: list[tuple[str, str, int]] = field(default_factory=list)  # reason, group, times
    intervals: list[Interval] = field(default_factory=list)
    quorate: Share = Share("Meetings with a quorum", 0, 0)
    no_quorum_rule: int = 0  # meetings of boards that require no specialty
    attendance: list[Share] = field(default_factory=list)
    completeness: Share = Share("Deciding facts known", 0, 0)
    completeness_decisions: int = 0
    completeness_missing: int = 0  # decisions recorded before completeness was stored
    overdue: list[OverdueAction] = field(default_factory=list)
    deferrals: dict[str, int] = field(default_factory=dict)  # reason value ("": none) -> n
    # Decisions in force whose case was not ready (blocking items open) at the meeting, of
    # those recorded with a checklist.
    not_ready: Share = Share("Cases discussed while not ready", 0, 0)
    # Clinical trials (the record's trials considered): decisions with a possible candidate,
    # of the decisions in force; of those, the ones where a trial was offered; the reasons
    # a trial considered was not offered (reason label -> times).
    trial_candidates: Share = Share("Decisions with a possible trial candidate", 0, 0)
    trial_offered: Share = Share("Of those, a trial offered", 0, 0)
    trial_not_offered: list[tuple[str, int]] = field(default_factory=list)

    @property
    def per_meeting(self) -> float | None:
        return self.listed / self.meetings_held if self.meetings_held else None

    @property
    def activity(self) -> list[tuple[str, int]]:
        """Cases listed and what became of them, in the order of the outcome list."""
        rows = [("Cases listed", self.listed)]
        rows += [(label, self.outcomes.get(value, 0)) for value, label in Outcome.choices]
        rows.append(("No signed decision yet", self.undecided))
        return rows


def build(scope: Scope, now: datetime.datetime | None = None) -> Report:
    """The report of a scope, in ten queries; what it reads grows with the decisions
    recorded, and the cases listed are counted and measured in PostgreSQL."""
    now = now or timezone.now()
    report = Report(scope, timezone.localdate(now))
    start = _midnight(scope.start)
    end = min(_midnight(scope.end + datetime.timedelta(days=1)), now)
    meetings = Meeting.objects.filter(
        board__in=scope.boards, starts_at__gte=start, starts_at__lt=end
    )
    held = list(meetings.values_list("pk", "board_id", "starts_at"))  # 1
    report.meetings_held = len(held)
    _attendance(report, held, scope)  # 2, 3
    items = AgendaItem.objects.filter(meeting__in=meetings)
    if scope.area_id is not None:
        items = items.filter(case__area_id=scope.area_id)
    report.listed, referral_to_listed = _listed(items)  # 4
    # Each item's record in force, with when its first version was signed.
    first_version_signed = (
        Decision.objects.filter(agenda_item=OuterRef("agenda_item"), status=DecisionStatus.SIGNED)
        .order_by("signed_at")
        .values("signed_at")[:1]
    )
    records = (
        Decision.objects.filter(agenda_item__in=items)
        .in_force()
        .annotate(first_signed=Subquery(first_version_signed))
    )
    in_force: dict[int, tuple] = {}  # item -> (decision, outcome, completeness)
    first_signed: dict[int, datetime.datetime] = {}
    judged: dict[int, tuple] = {}  # decision -> (class, reason groups, pathway, format)
    where: dict[int, tuple[int, int]] = {}  # item -> (meeting, case), of decided items
    readiness, deferrals = [], []
    rows = records.values_list(  # 5
        "pk", "agenda_item_id", "agenda_item__meeting_id", "agenda_item__case_id", "outcome",
        "first_signed", "shown__completeness", "shown__readiness", "deferral_reason",
        "classification__klass", "classification__reason_groups", "pathway",
        "shown__record_format", "agenda_item__case__area__position",
        "agenda_item__case__area__name",
    )  # fmt: skip
    for (
        pk,
        item,
        meeting,
        case,
        outcome,
        signed_at,
        completeness,
        ready,
        deferral,
        *judged_as,
    ) in rows:
        in_force[item] = (pk, outcome, completeness)
        where[item] = (meeting, case)
        readiness += [ready[0]] if ready else []
        deferrals += [deferral] if outcome == Outcome.DEFERRED else []
        first_signed[item] = signed_at
        judged[pk] = tuple(judged_as)
    report.outcomes = dict(Counter(outcome for _, outcome, _ in in_force.values()))
    report.undecided = report.listed - len(in_force)
    report.deferrals = dict(Counter(deferrals))
    report.not_ready = Share("Cases discussed while not ready",
                             readiness.count(NOT_READY), len(readiness))  # fmt: skip
    deciding = {
        decision for decision, outcome, _ in in_force.values() if outcome == Outcome.RECOMMENDATION
    }
    _completeness(report, in_force.values())
    _classes(report, judged, deciding)
    _by_area(report, judged)
    _concordance(report, deciding, judged)  # 6, 7
    actions = list(  # 8
        Action.objects.filter(decision__in=[d for d, _, _ in in_force.values()]).values_list(
            "decision_id", "what", "owner", "due", "done_at"
        )
    )
    first_listed = _first_listed(  # 9: of the cases with a recommendation only
        case
        for item, (meeting, case) in where.items()
        if in_force[item][1] == Outcome.RECOMMENDATION
    )
    _intervals(report, referral_to_listed, where, first_listed, in_force, first_signed, actions)
    _overdue(report, where, held, in_force, actions)
    _trials(report, [d for d, _, _ in in_force.values()])  # 10
    return report


def _trials(report: Report, decisions: list[int]) -> None:
    """The trials considered by the decisions in force: who was a possible candidate, and
    whether the board offered the trial (and why not)."""
    rows = TrialConsidered.objects.filter(decision__in=decisions).values_list(
        "decision_id", "offered", "reason"
    )
    candidates, offered, reasons = set(), set(), Counter()
    for decision, answer, reason in rows:
        candidates.add(decision)
        if answer == TrialOffer.OFFERED:
            offered.add(decision)
        elif answer == TrialOffer.NOT_OFFERED:
            reasons[reason] += 1
    report.trial_candidates = Share(report.trial_candidates.label, len(candidates), len(decisions))
    report.trial_offered = Share(report.trial_offered.label, len(offered), len(candidates))
    report.trial_not_offered = [
        (label, reasons[value]) for value, label in NotOfferedReason.choices
    ] + ([("No reason given", reasons[""])] if reasons[""] else [])


def _listed(items) -> tuple[int, Interval]:
    """How many items are listed in the scope, and of every case listed, the days from
    its referral to its first listing on any agenda (the meeting's local day): counted
    and aggregated in PostgreSQL, so that the report's time grows with the boards shown,
    not with their cases."""
    sql, params = listed_sql(items)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        listed, count, median, p90 = cursor.fetchone()
    if median is not None and float(median).is_integer():
        median = int(median)  # as statistics.median gives it: 5, or 5.5
    return listed, Interval("Referral to first listed", count, median, p90)


def listed_sql(items) -> tuple[str, list]:
    """The query of ``_listed`` and its parameters (a test reads its plan)."""
    cases, params = items.order_by().values("case_id").query.sql_with_params()
    sql = f"""
        SELECT (SELECT count(*) FROM ({cases}) listed_items),
               count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY days),
               percentile_disc(0.9) WITHIN GROUP (ORDER BY days)
        FROM (
            SELECT (min(meeting.starts_at AT TIME ZONE %s))::date - kase.referral_date AS days
            FROM {AgendaItem._meta.db_table} item
            JOIN {Meeting._meta.db_table} meeting ON meeting.id = item.meeting_id
            JOIN {Case._meta.db_table} kase ON kase.id = item.case_id
            WHERE item.case_id IN ({cases})
            GROUP BY item.case_id, kase.referral_date
        ) listed
    """  # noqa: S608 (table names from the models; values as parameters)
    return sql, [*params, timezone.get_current_timezone_name(), *params]


def _first_listed(cases: Iterable[int]) -> dict[int, datetime.date]:
    """Each case's first listing on any agenda: the meeting's local day."""
    return dict(
        AgendaItem.objects.filter(case__in=set(cases))
        .values("case_id")
        .annotate(
            first=TruncDate(Min("meeting__starts_at"), tzinfo=timezone.get_current_timezone())
        )
        .values_list("case_id", "first")
    )


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _attendance(report: Report, held: list[tuple], scope: Scope) -> None:
    required: dict[int, list[str]] = defaultdict(list)
    for board, name in Board.required_specialties.through.objects.filter(  # 2
        board__in=scope.boards
    ).values_list("board_id", "specialty__name"):
        required[board].append(name)
    present: dict[int, set[str]] = defaultdict(set)
    spelling: dict[str, str] = {}
    for meeting, specialty in Attendance.objects.filter(  # 3
        meeting__in=[pk for pk, _, _ in held]
    ).values_list("meeting_id", "specialty"):
        present[meeting].add(specialty.casefold())
        spelling.setdefault(specialty.casefold(), specialty)
    for names in required.values():
        for name in names:
            spelling[name.casefold()] = name  # the board's own spelling wins
    with_rule = [(pk, board) for pk, board, _ in held if required[board]]
    met = sum(
        1 for pk, board in with_rule if {n.casefold() for n in required[board]} <= present[pk]
    )
    report.quorate = Share("Meetings with a quorum", met, len(with_rule))
    report.no_quorum_rule = len(held) - len(with_rule)
    counts = Counter(name for pk, _, _ in held for name in present[pk])
    for name in {n.casefold() for names in required.values() for n in names}:
        counts.setdefault(name, 0)
    report.attendance = sorted(
        (Share(spelling[name], count, len(held)) for name, count in counts.items()),
        key=lambda share: (-share.part, share.label.casefold()),
    )


def _completeness(report: Report, in_force: Iterable[tuple]) -> None:
    known = read = decisions = missing = 0
    for _, _, completeness in in_force:
        if not completeness:
            missing += 1
            continue
        known, read, decisions = known + completeness[0], read + completeness[1], decisions + 1
    report.completeness = Share("Deciding facts known", known, read)
    report.completeness_decisions, report.completeness_missing = decisions, missing


def _by_area(report: Report, judged: dict[int, tuple]) -> None:
    """The headline of each disease area with decisions in the scope, side by side, in the
    areas' order."""
    counted: dict[tuple, list[int]] = {}  # (position, name) -> [concordant or not, assessed]
    for klass, _, _, _, *area in judged.values():
        if klass and klass != classes.NOT_ASSESSED:
            tally = counted.setdefault(tuple(area), [0, 0])
            tally[0] += klass in (classes.CONCORDANT, classes.CONDITIONAL)
            tally[1] += 1
    report.by_area = [Share(name, *counted[(pos, name)]) for pos, name in sorted(counted)]


def _classes(report: Report, judged: dict[int, tuple], deciding: set[int]) -> None:
    """The decisions' classes, the headline, the deviations by reason group, the pathway."""
    klasses = Counter(klass or classes.NOT_ASSESSED for klass, *_ in judged.values())
    report.classes = {klass: klasses.get(klass, 0) for klass in classes.CLASS_WORDS}
    assessed = sum(n for klass, n in report.classes.items() if klass != classes.NOT_ASSESSED)
    report.headline = Share(
        "Concordant or conditionally concordant",
        report.classes[classes.CONCORDANT] + report.classes[classes.CONDITIONAL],
        assessed,
    )
    groups = Counter(
        group
        for klass, reason_groups, *_ in judged.values()
        if klass == classes.DISCORDANT
        for group in set(reason_groups or ["judgement"])
    )
    report.discordant_by_group = [
        Share(words, groups.get(group, 0), assessed)
        for group, words in classes.REASON_GROUPS.items()
    ]
    answered = Counter(judged[pk][2] for pk in deciding)
    report.pathway = Share(
        "Perioperative care follows the hospital's pathway",
        answered[Pathway.YES],
        answered[Pathway.YES] + answered[Pathway.NO],
    )
    report.pathway_not_applicable = answered[Pathway.NOT_APPLICABLE]


def _concordance(report: Report, decisions: set[int], judged: dict[int, tuple]) -> None:
    rows = list(  # 7
        Concordance.objects.filter(decision__in=decisions)
        .order_by("decision_id", "position")
        .values_list(
            "decision_id", "recommendation", "statement", "frozen_as", "judgement",
            "reason__name", "reason__group",
        )
    )  # fmt: skip
    about = {  # 8
        slug: (section, scope)
        for slug, section, scope in Recommendation.objects.filter(
            slug__in={row[1] for row in rows}
        ).values_list("slug", "subsection__section__name", "decision_scope")
    }
    followed: Counter = Counter()
    counted: Counter = Counter()
    statements: dict[str, str] = {}
    reasons: Counter = Counter()
    not_relevant = judged_items = 0
    pending: Counter = Counter()
    for decision, slug, statement, frozen_as, judgement, reason, group in rows:
        if frozen_as == FrozenAs.PENDING:
            pending[decision] += 1
            continue
        legacy = judged[decision][3] is None  # signed before classes: rows as they were
        if legacy and about.get(slug, ("", ""))[1] == DecisionScope.PATHWAY:
            continue  # a care-pathway item, judged row by row then: set aside
        if legacy and reason == "Already done":
            judgement = Judgement.ALREADY_DONE
        statements[slug] = statement  # the latest wording the board saw
        if not judgement:
            continue  # (old records) not marked
        judged_items += 1
        if judgement == Judgement.NOT_RELEVANT:
            not_relevant += 1
            continue
        counted[slug] += 1
        if judgement in classes.SATISFIED:
            followed[slug] += 1
        else:
            reasons[(reason or "No reason recorded", group or "judgement")] += 1
    report.not_relevant = Share("Board items judged not relevant", not_relevant, judged_items)
    report.with_pending = Share("Decisions with items pending", len(pending), len(decisions))
    report.pending_items = sum(pending.values())
    report.concordance = Share("All board items", sum(followed.values()), sum(counted.values()))
    by_section_followed: Counter = Counter()
    by_section_judged: Counter = Counter()
    for slug, count in counted.items():
        section = about.get(slug, (REMOVED_SECTION, ""))[0]
        by_section_judged[section] += count
        by_section_followed[section] += followed[slug]
    report.by_section = [
        Share(section, by_section_followed[section], count)
        for section, count in sorted(by_section_judged.items())
    ]
    report.by_recommendation = sorted(
        (
            (slug, statements[slug], Share(slug, followed[slug], count))
            for slug, count in counted.items()
        ),
        key=lambda row: (row[2].percent, row[0]),
    )
    report.reasons = sorted(
        ((reason, classes.REASON_GROUPS.get(group, group), n)
         for (reason, group), n in reasons.items()),
        key=lambda row: (-row[2], row[0]),
    )  # fmt: skip


def _intervals(report, referral_to_listed, where, first_listed, in_force, first_signed, actions):
    listed_to_signed = []
    signed_to_done = []
    by_decision: dict[int, list] = defaultdict(list)
    for decision, _, _, _, done_at in actions:
        by_decision[decision].append(done_at)
    for item, (_, case) in where.items():
        if in_force[item][1] != Outcome.RECOMMENDATION:
            continue
        signed_day = _day(first_signed[item])
        listed_to_signed.append((signed_day - first_listed[case]).days)
        done = by_decision.get(in_force[item][0], [])
        if done and all(done):
            signed_to_done.append((_day(max(done)) - signed_day).days)
    report.intervals = [
        referral_to_listed,
        Interval.of("First listed to decision signed", listed_to_signed),
        Interval.of("Decision signed to actions done", signed_to_done),
    ]


def _overdue(report, where, held, in_force, actions) -> None:
    meeting_day = {pk: _day(starts) for pk, _, starts in held}
    item_of = {decision: item for item, (decision, _, _) in in_force.items()}
    found = []
    for decision, what, owner, due, done_at in actions:
        if done_at is None and due is not None and due < report.today:
            meeting, case = where[item_of[decision]]
            found.append(
                OverdueAction(
                    case, meeting_day[meeting], what, owner, due, (report.today - due).days
                )
            )
    report.overdue = sorted(found, key=lambda a: (a.due, a.case_id, a.what))


def share_text(share: Share) -> str:
    """'12 of 16 (75 %)', or 'none' when there is nothing to count."""
    if not share.whole:
        return "none"
    return f"{share.part} of {share.whole} ({share.percent:.0f} %)"


def days_text(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:g}"


@dataclass(frozen=True)
class Table:
    """One table of the report: what the page shows beside a chart and a CSV holds."""

    name: str
    title: str
    header: tuple[str, ...]
    rows: list[list]
    text_columns: int = 1  # the first columns hold words; the rest are numbers
    definition: str = ""  # the anchor of its definition on the page


def tables(report: Report) -> list[Table]:
    """Every table of the report, in the order the page and the PDF show them."""
    assessed = report.headline.whole
    return [
        Table("activity", "Cases listed and their outcome", ("What", "Cases"),
              [[label, n] for label, n in report.activity]
              + [["Meetings held", report.meetings_held],
                 ["Cases per meeting", _round(report.per_meeting)]], definition="def-activity"),
        Table("concordance-classes",
              "Decisions by guideline concordance class",
              ("Class", "Decisions", "Share of assessed (%)"),
              [[classes.CLASS_WORDS[klass].capitalize(), n,
                "" if klass == classes.NOT_ASSESSED else _round(Share(klass, n, assessed).percent)]
               for klass, n in report.classes.items()]
              + [[report.headline.label, report.headline.part,
                  _round(report.headline.percent)]], definition="def-class"),
        Table("concordance-by-area",
              "Concordant or conditionally concordant decisions, by disease area",
              ("Disease area", "Concordant or conditional", "Assessed", "Share (%)"),
              [[s.label, s.part, s.whole, _round(s.percent)] for s in report.by_area],
              definition="def-class"),
        Table("discordant-by-reason-group",
              "Discordant decisions by reason group (a decision under each of its groups)",
              ("Reason group", "Decisions", "Share of assessed (%)"),
              [[s.label, s.part, _round(s.percent)] for s in report.discordant_by_group],
              definition="def-discordant"),
        Table("beside-concordance", "Beside the class: not relevant, pending, pathway",
              ("Figure", "Counted", "Of", "Share (%)"),
              [[s.label, s.part, s.whole, _round(s.percent)]
               for s in (report.not_relevant, report.with_pending, report.pathway)]
              + [["Items pending at decision time", report.pending_items, "", ""],
                 ["Pathway not applicable", report.pathway_not_applicable, "", ""]],
              definition="def-beside"),
        Table("concordance-by-section",
              "Board items followed, by guideline section (detail)",
              ("Section", "Followed", "Judged", "Share followed (%)"),
              [[s.label, s.part, s.whole, _round(s.percent)] for s in report.by_section]
              + [["All", report.concordance.part, report.concordance.whole,
                  _round(report.concordance.percent)]], definition="def-items"),
        Table("concordance-by-recommendation",
              "Board items followed, one by one (least followed first)",
              ("Recommendation", "Statement", "Followed", "Judged", "Share followed (%)"),
              [[slug, statement, s.part, s.whole, _round(s.percent)]
               for slug, statement, s in report.by_recommendation], text_columns=2,
              definition="def-items"),
        Table("reasons-not-followed", "Reasons for not following a board item",
              ("Reason", "Group", "Times"), [list(row) for row in report.reasons],
              text_columns=2, definition="def-discordant"),
        Table("intervals", "Intervals in days: median (dark), 90th percentile (light)",
              ("Interval", "Count", "Median (days)", "90th percentile (days)"),
              [[i.name, i.count, _round(i.median), _round(i.p90)] for i in report.intervals],
              definition="def-intervals"),
        Table("attendance", "Share of meetings each specialty attended",
              ("Specialty", "Meetings attended", "Meetings held", "Share (%)"),
              [[s.label, s.part, s.whole, _round(s.percent)] for s in report.attendance]
              + [["Quorum met", report.quorate.part, report.quorate.whole,
                  _round(report.quorate.percent)]], definition="def-attendance"),
        Table("completeness", "Deciding facts known when the board decided",
              ("Decisions", "Deciding facts known", "Deciding facts", "Share (%)",
               "Decisions recorded before this was kept"),
              [[report.completeness_decisions, report.completeness.part,
                report.completeness.whole, _round(report.completeness.percent),
                report.completeness_missing]], text_columns=0, definition="def-completeness"),
        Table("readiness", "Readiness: deferrals by reason, cases discussed while not ready",
              ("Figure", "Counted", "Of", "Share (%)"),
              [[f"Deferred: {label}", report.deferrals.get(value, 0), "", ""]
               for value, label in [*DeferralReason.choices, ("", "no reason recorded")]]
              + [[report.not_ready.label, report.not_ready.part, report.not_ready.whole,
                  _round(report.not_ready.percent)]], definition="def-readiness"),
        Table("trials", "Clinical trials: possible candidates, trials offered, and why not",
              ("Figure", "Counted", "Of", "Share (%)"),
              [[s.label, s.part, s.whole, _round(s.percent)]
               for s in (report.trial_candidates, report.trial_offered)]
              + [[f"Trial considered not offered: {label}", n, "", ""]
                 for label, n in report.trial_not_offered], definition="def-trials"),
        Table("overdue-actions", "Actions past their due date",
              ("Case", "Meeting", "Action", "Owner", "Due", "Days overdue"),
              [[a.case_id, a.meeting_day.isoformat(), a.what, a.owner, a.due.isoformat(),
                a.days_overdue] for a in report.overdue], text_columns=5,
              definition="def-overdue"),
    ]  # fmt: skip


def _round(value: float | None) -> float | str:
    return "" if value is None else round(value, 1)
