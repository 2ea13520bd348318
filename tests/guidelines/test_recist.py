"""RECIST 1.1 (liver domain fact sheet §7; Eisenhauer et al. 2009), sequence by sequence,
each worked by hand at the edges the sheet names: −30 % from the baseline, +20 % from the
nadir with and without 5 mm, a new lesion, a disappeared target, a target too small to
measure, a timepoint that cannot be assessed, and the best response so far."""

from __future__ import annotations

import datetime

import pytest

from guidelines import recist
from guidelines.recist import CR, NE, PD, PR, SD, Lesion, Timepoint

A, B, C = Lesion("a", label="lesion 1"), Lesion("b", label="lesion 2"), Lesion("c", "lung")
DAY = datetime.date(2026, 1, 5)


def course(*sizes, **extra) -> list[Timepoint]:
    """Timepoints 8 weeks apart; each entry maps lesion keys to measurements."""
    return [
        Timepoint(DAY + datetime.timedelta(weeks=8 * i), m, **extra.get(f"t{i}", {}))
        for i, m in enumerate(sizes)
    ]


def responses(timepoints, targets=(A, B)):
    return [(a.sod, a.target, a.overall) for a in recist.assess(timepoints, list(targets))]


# (sizes at each timepoint as {a, b}, then the expected (SoD, target, overall) after baseline)
SEQUENCES = {
    # the example: 80 → 52 mm is −35 %
    "partial response": ([(50, 30), (30, 22)], [(52, PR, PR)]),
    "exactly −30 % is PR": ([(60, 40), (42, 28)], [(70, PR, PR)]),
    "−29 % is SD": ([(60, 40), (43, 28)], [(71, SD, SD)]),
    "+20 % and +10 mm from the nadir is PD": ([(30, 20), (36, 24)], [(60, PD, PD)]),
    "+20 % but +4 mm is not PD": ([(12, 8), (15, 9)], [(24, SD, SD)]),
    "+19 % from the nadir is SD": ([(60, 40), (70, 49)], [(119, SD, SD)]),
    # the nadir, not the baseline, decides progression: 100 → 60 → 72 is −28 % of the
    # baseline (not PR) and +20 %, +12 mm from the nadir (PD)
    "PD from the nadir below the baseline": ([(60, 40), (35, 25), (42, 30)],
                                             [(60, PR, PR), (72, PD, PD)]),
    "every target gone is CR": ([(20, 15), (recist.NOT_SEEN, recist.NOT_SEEN)], [(0, CR, CR)]),
    # a disappeared target counts 0, one too small to measure 5 mm: 40 → 5 is −87.5 %
    "one gone, one too small": ([(25, 15), (recist.NOT_SEEN, recist.TOO_SMALL)],
                                [(5, PR, PR)]),
    # after every target had gone (nadir 0), 5 mm again is progression
    "a target seen again after CR": ([(20, 15), (recist.NOT_SEEN, recist.NOT_SEEN),
                                      (recist.NOT_SEEN, 5)], [(0, CR, CR), (5, PD, PD)]),
}  # fmt: skip


@pytest.mark.parametrize("name", SEQUENCES)
def test_each_sequence_gives_the_responses_worked_by_hand(name):
    sizes, expected = SEQUENCES[name]
    timepoints = course(*({"a": a, "b": b} for a, b in sizes))
    found = responses(timepoints)
    assert found[0] == (sum(sizes[0]), "", "")  # the baseline
    assert found[1:] == expected


def test_the_arithmetic_is_shown_and_never_rounds_across_a_cut_off():
    assessed = recist.assess(course({"a": 50, "b": 30}, {"a": 30, "b": 22}), [A, B])
    assert assessed[0].words == "SoD 80 mm (baseline)"
    assert assessed[1].words == "SoD 52 mm, baseline 80 mm: −35 %: PR"
    # 250 → 176 mm is −29.6 %: written "−30 %" it would read as a PR
    sd = recist.assess(course({"a": 150, "b": 100}, {"a": 100, "b": 76}), [A, B])[1]
    assert (sd.target, sd.words) == (SD, "SoD 176 mm, baseline 250 mm: −29.6 %: SD")
    # 50 → 59 mm is +18 %, 50 → 60 mm +20 % (and +10 mm): PD with the nadir shown
    pd = recist.assess(course({"a": 30, "b": 20}, {"a": 36, "b": 24}), [A, B])[1]
    assert pd.words == "SoD 60 mm, nadir 50 mm: +20 %, +10 mm: PD"
    below = recist.assess(course({"a": 60, "b": 40}, {"a": 35, "b": 25}, {"a": 38, "b": 27}),
                          [A, B])[2]  # fmt: skip
    assert below.words == "SoD 65 mm, baseline 100 mm: −35 %; nadir 60 mm: +5 mm: PR"
    assert below.nadir == 60


def test_a_new_lesion_or_non_target_progression_is_progression_whatever_the_targets():
    timepoints = course({"a": 50, "b": 30}, {"a": 30, "b": 22}, t1={"new_lesion": True})
    new = recist.assess(timepoints, [A, B])[1]
    assert (new.target, new.overall) == (PR, PD)
    assert new.words.endswith("; a new lesion: overall PD")
    timepoints = course({"a": 50, "b": 30}, {"a": 50, "b": 30},
                        t1={"non_target": recist.NON_TARGET_PROGRESSION})  # fmt: skip
    assert responses(timepoints)[1] == (80, SD, PD)


@pytest.mark.parametrize(
    ("non_target", "overall"),
    [(recist.NON_TARGET_ABSENT, CR), ("", CR), (recist.NON_TARGET_PRESENT, PR),
     (recist.NON_TARGET_NOT_ASSESSED, PR)],
)  # fmt: skip
def test_target_cr_is_cr_overall_only_without_non_target_disease(non_target, overall):
    gone = {"a": recist.NOT_SEEN, "b": recist.NOT_SEEN}
    timepoints = course({"a": 20, "b": 15}, gone, t1={"non_target": non_target})
    assert responses(timepoints)[1] == (0, CR, overall)


def test_a_timepoint_without_every_target_measured_cannot_be_assessed_and_says_why():
    timepoints = course({"a": 50, "b": 30}, {"a": 30})
    missing = recist.assess(timepoints, [A, B])[1]
    assert (missing.sod, missing.target, missing.overall) == (None, NE, NE)
    assert missing.why_not == "not measured: lesion 2" and missing.words == "cannot be assessed"
    # … unless a new lesion makes it progression all the same
    timepoints = course({"a": 50, "b": 30}, {"a": 30}, t1={"new_lesion": True})
    assert recist.assess(timepoints, [A, B])[1].overall == PD
    nothing = recist.assess(course({"a": 50}, {"a": 30}), [])
    assert [a.why_not for a in nothing] == ["no target lesions chosen"] * 2


def test_the_best_response_so_far_keeps_the_best_and_is_not_confirmed():
    timepoints = course({"a": 50, "b": 30}, {"a": 40, "b": 30}, {"a": 30, "b": 22},
                        {"a": 40, "b": 30})  # fmt: skip
    assessed = recist.assess(timepoints, [A, B])
    assert [a.overall for a in assessed[1:]] == [SD, PR, PD]
    assert [a.best for a in assessed] == ["", SD, PR, PR]
    assert assessed[3].best_words == "PR, partial response (not confirmed)"
    assert assessed[0].best_words == "none yet"


def test_targets_are_at_most_five_two_per_organ_and_measurable_at_baseline():
    baseline = Timepoint(DAY, {"a": 50, "b": 30, "c": 12, "d": 9, "e": 20})
    liver = [A, B, Lesion("e"), Lesion("d"), C]
    assert recist.target_problems(baseline, liver, ["a", "b", "c"]) == []
    problems = recist.target_problems(baseline, liver, ["a", "b", "e", "d"])
    assert problems == [
        "at most 2 target lesions per organ (4 in the liver)",
        "d is not measurable at baseline (9 mm; a target needs a longest diameter of at "
        "least 10 mm)",
    ]
    many = [Lesion(str(i), organ=f"organ {i}") for i in range(6)]
    sized = Timepoint(DAY, {str(i): 20 for i in range(6)})
    assert recist.target_problems(sized, many, [str(i) for i in range(6)]) == [
        "at most 5 target lesions in all (6 chosen)"
    ]
    assert recist.target_problems(baseline, liver, ["x"]) == ["no such lesion: x"]
