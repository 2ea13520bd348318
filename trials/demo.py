"""Demo trials (``manage.py seed_demo``): made-up studies, each marked "example, not a real
study" in its title, with criteria that have rules and criteria to check by hand, so that
the case pages show screening at once."""

from __future__ import annotations

from guidelines.models import DiseaseArea
from trials.models import Criterion, CriterionKind, Trial, TrialStatus

IN, OUT = CriterionKind.INCLUSION, CriterionKind.EXCLUSION
EXAMPLE = " (example, not a real study)"

DEMO_TRIALS = (
    ("EX-LIV-001", "Perioperative systemic therapy before liver resection for colorectal liver "
     "metastases", "Phase 2", TrialStatus.RECRUITING, [
        (IN, "Colorectal adenocarcinoma with confirmed liver metastases",
         "primary_site = colorectal and liver_metastases = confirmed"),
        (IN, "Liver metastases resectable or potentially resectable, as judged by the board",
         "resectability in [resectable, potentially_resectable]"),
        (IN, "ECOG performance status 0 or 1", "ecog <= 1"),
        (IN, "Age 18 years or older", "age_years >= 18"),
        (IN, "Adequate bone marrow, liver and renal function", ""),
        (OUT, "Pregnancy or breastfeeding", "pregnant = true"),
        (OUT, "Extrahepatic disease other than resectable lung metastases", ""),
    ]),
    ("EX-LIV-002", "First-line systemic therapy for RAS wild-type unresectable colorectal liver "
     "metastases", "Phase 3", TrialStatus.NOT_YET_RECRUITING, [
        (IN, "RAS wild-type tumour (KRAS and NRAS)", "ras_status = wild_type"),
        (IN, "Unresectable liver metastases", "resectability = unresectable"),
        (IN, "No previous systemic therapy for metastatic disease", "systemic_therapy_line = none_yet"),
        (IN, "Life expectancy of at least 3 months", ""),
        (OUT, "BRAF V600E mutation", "braf_v600e_status = mutant"),
        (OUT, "Cirrhosis of Child-Pugh class B or C", "child_pugh_class in [B, C]"),
    ]),
    ("EX-LIV-003", "Ablation of liver metastases of neuroendocrine tumours", "Phase 2",
     TrialStatus.RECRUITING, [
        (IN, "Liver metastases of a neuroendocrine tumour", "primary_site = neuroendocrine"),
        (IN, "At most five liver lesions, none larger than 30 mm",
         "lesion_count <= 5 and largest_lesion_mm <= 30"),
    ]),
)  # fmt: skip


def seed() -> list[str]:
    area = DiseaseArea.objects.filter(slug="liver").first()
    if area is None or Trial.objects.filter(identifier__startswith="EX-LIV-").exists():
        return []
    for identifier, title, phase, status, criteria in DEMO_TRIALS:
        trial = Trial.objects.create(
            area=area, identifier=identifier, title=title + EXAMPLE, phase=phase, status=status,
            principal_investigator="Dr. Example Investigator", contact="Trials office, ext. 4242 (example)",
        )  # fmt: skip
        for position, (kind, text, rule) in enumerate(criteria, start=1):
            criterion = Criterion(trial=trial, kind=kind, position=position, text=text, rule=rule)
            criterion.full_clean()  # the rules are checked as the admin checks them
            criterion.save()
    return [f"Created {len(DEMO_TRIALS)} example trials (not real studies) for screening."]
