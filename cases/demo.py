"""Demo cases for development (manage.py seed_demo). Fictional patients.

They differ in primary site, resectability, molecular results and treatment so
that a newcomer sees every kind of match at once; some facts are left unknown
on purpose, to show what 'may apply' looks like. Three have lesion tables and liver
laboratory values, so that the liver map and the scores show at once; one (DEMO-1008) has
a course: baseline and two restaging timepoints under conversion chemotherapy (a partial
response, then two lesions no longer seen), a CEA series and its treatment lines.
"""

from __future__ import annotations

import datetime

from django.contrib.auth.models import User
from django.utils import timezone

from cases.models import Case, CaseStatus, DatedValue, ImagingTimepoint, Patient, Treatment
from guidelines import snapshot
from guidelines.facts import coerce_facts

DEMO_CASES = [
    {
        "patient": ("DEMO-1001", "Henrik Aalto", datetime.date(1961, 3, 14), "male"),
        "referring_clinician": "Dr. M. Okafor, colorectal surgery",
        "question": "Synchronous liver metastases: upfront hepatectomy, or systemic therapy first?",
        "summary": "Sigmoid adenocarcinoma. Staging CT: three lesions in segments VI and VII.",
        "status": CaseStatus.READY,
        "facts": {
            "primary_site": "colorectal",
            "tumor_sidedness": "left",
            "liver_metastases": "confirmed",
            "resectability": "resectable",
            "planned_procedure": "hepatectomy",
            "hepatectomy_extent": "minor",
            "ras_status": "not_tested",
            "braf_v600e_status": "not_tested",
            "mmr_msi_status": "not_tested",
            "smoker_current": True,
            "alcohol_g_per_day": 40,
            "nutrition_status": "adequate",
            "systemic_therapy_line": "none_yet",
            "primary_node_positive": True,
            "primary_diagnosis_date": "2026-09-02",
            "liver_metastases_diagnosis_date": "2026-09-02",
            "cea_ng_ml": 48,
            "ecog": 0,
            "height_cm": 178,
            "weight_kg": 84,
            "serum_bilirubin_umol_l": 12,
            "albumin_g_l": 41,
            "inr": 1.0,
            "ascites": "none",
            "encephalopathy": "none",
            "flr_volume_ml": 740,
            "cirrhosis": False,
            "neoadjuvant_therapy_given": False,
        },
        # (segments, largest mm, imaging, vessels, no longer visible, planned treatment)
        "lesions": [
            (["VI"], 32, "mri", "none", None, "resection"),
            (["VII"], 21, "mri", "hepatic_vein", None, "resection"),
            (["VI"], 9, "mri", "none", None, "ablation"),
        ],
    },
    {
        "patient": ("DEMO-1002", "Maria Santos", datetime.date(1967, 8, 2), "female"),
        "referring_clinician": "Dr. L. Brandt, medical oncology",
        "question": "Unresectable disease: which first-line systemic therapy?",
        "summary": "Ascending colon adenocarcinoma with bilobar liver metastases.",
        "status": CaseStatus.READY,
        "facts": {
            "primary_site": "colorectal",
            "tumor_sidedness": "right",
            "liver_metastases": "confirmed",
            "resectability": "unresectable",
            "systemic_therapy_line": "none_yet",
            "ras_status": "wild_type",
            "braf_v600e_status": "wild_type",
            "mmr_msi_status": "pMMR_MSS",
            "planned_procedure": "systemic_only",
            "primary_node_positive": True,
            "primary_diagnosis_date": "2026-08-14",
            "liver_metastases_diagnosis_date": "2026-08-20",
            "cea_ng_ml": 620,
            "ecog": 1,
            "serum_bilirubin_umol_l": 18,
            "albumin_g_l": 34,
            "inr": 1.2,
            "ascites": "none",
            "encephalopathy": "none",
        },
        "lesions": [
            (["II", "III"], 55, "ct", "none", None, "none_decided"),
            (["IVa"], 30, "ct", "portal_pedicle", None, "none_decided"),
            (["VII", "VIII"], 48, "ct", "hepatic_vein", None, "none_decided"),
            (["V"], 22, "ct", "none", None, "none_decided"),
        ],
    },
    {
        "patient": ("DEMO-1003", "Piotr Nowak", datetime.date(1953, 11, 30), "male"),
        "referring_clinician": "Dr. L. Brandt, medical oncology",
        "question": "Progression after first line: options for a BRAF V600E-mutant tumour?",
        "summary": "Rectosigmoid primary; progression on first-line therapy.",
        "status": CaseStatus.DRAFT,
        "facts": {
            "primary_site": "colorectal",
            "tumor_sidedness": "left",
            "liver_metastases": "confirmed",
            "resectability": "unresectable",
            "systemic_therapy_line": "previously_treated",
            "ras_status": "wild_type",
            "braf_v600e_status": "mutant",
            "mmr_msi_status": "pMMR_MSS",
            "elderly": True,
        },
    },
    {
        "patient": ("DEMO-1004", "Aiko Tanaka", datetime.date(1976, 5, 21), "female"),
        "referring_clinician": "Dr. S. Haddad, gastroenterology",
        "question": "Newly diagnosed dMMR colorectal cancer with liver metastases: first-line plan?",
        "summary": "Transverse colon primary, multiple liver lesions; family history under review.",
        "status": CaseStatus.READY,
        "facts": {
            "primary_site": "colorectal",
            "liver_metastases": "confirmed",
            "resectability": "unresectable",
            "systemic_therapy_line": "none_yet",
            "mmr_msi_status": "dMMR_MSI_H",
            "braf_v600e_status": "not_tested",
        },
    },
    {
        "patient": ("DEMO-1005", "Elena Petrova", datetime.date(1959, 1, 9), "female"),
        "referring_clinician": "Dr. M. Okafor, HPB surgery",
        "question": "After resection of a gastric-cancer liver metastasis: further treatment?",
        "summary": "Gastrectomy two years ago; solitary liver metastasis resected last month.",
        "status": CaseStatus.DISCUSSED,
        "facts": {
            "primary_site": "gastric",
            "liver_metastases": "confirmed",
            "liver_resection_done": True,
            "resectability": "resectable",
        },
    },
    {
        "patient": ("DEMO-1006", "Jonas Weber", datetime.date(1970, 7, 17), "male"),
        "referring_clinician": "Dr. S. Haddad, gastroenterology",
        "question": "GIST liver metastasis resected: adjuvant treatment?",
        "summary": "Gastric GIST; liver metastasis resected with clear margins.",
        "status": CaseStatus.READY,
        "facts": {
            "primary_site": "gist",
            "liver_metastases": "confirmed",
            "liver_resection_done": True,
        },
    },
    {
        "patient": ("DEMO-1007", "Sofia Romano", datetime.date(1991, 12, 3), "female"),
        "referring_clinician": "Dr. K. Mensah, obstetrics",
        "question": "Pregnant, history of breast cancer, indeterminate liver lesion: how to work it up?",
        "summary": "24 weeks pregnant. Breast cancer treated four years ago. Liver lesion on MRI not characterised.",
        "status": CaseStatus.READY,
        "facts": {
            "pregnant": True,
            "history_extrahepatic_cancer": True,
            "cancer_type_metastasizes_to_liver": True,
            "primary_site": "breast",
            "liver_metastases": "suspected",
            "ct_mri_inconclusive": True,
        },
    },
    {
        "patient": ("DEMO-1008", "Ahmed Karimi", datetime.date(1964, 4, 25), "male"),
        "referring_clinician": "Dr. M. Okafor, HPB surgery",
        "question": "Lesions no longer visible after neoadjuvant chemotherapy; jaundiced: plan for major hepatectomy?",
        "summary": (
            "Rectal primary, resected 2024. Conversion chemotherapy since the spring: a partial "
            "response, and on the latest MRI two lesions are no longer seen. Weight loss."
        ),
        "status": CaseStatus.READY,
        "facts": {
            "primary_site": "colorectal",
            "liver_metastases": "confirmed",
            "resectability": "potentially_resectable",
            "neoadjuvant_therapy_given": True,
            "lesions_disappeared_after_neoadjuvant": True,
            "planned_procedure": "hepatectomy",
            "hepatectomy_extent": "major",
            "serum_bilirubin_umol_l": 62,
            "nutrition_status": "severely_malnourished",
            "ras_status": "mutant",
            "systemic_therapy_line": "first_line_ongoing",  # (the treatment lines replace it)
            "primary_node_positive": False,
            "primary_diagnosis_date": "2024-03-11",
            "liver_metastases_diagnosis_date": "2026-02-02",
            "cea_ng_ml": 9,
            "ecog": 1,
            "height_cm": 172,
            "weight_kg": 61,
            "albumin_g_l": 29,
            "inr": 1.4,
            "ascites": "mild",
            "encephalopathy": "none",
            "flr_volume_ml": 410,
            "cirrhosis": False,
        },
        # Its course (days before today): the lesions measured at each imaging (liver demo:
        # "sizes", one per imaging; the first two are the RECIST target lesions).
        "lesions": [
            (["VIII"], (58, 40, 41), None, "hepatic_vein", None, "resection", True),
            (["V"], (24, 15, "not_seen"), None, "none", None, "resection", True),
            (["IVb"], (12, 8, "not_seen"), None, "none", None, "none_decided", False),
        ],
        "imaging": [
            (150, "ct", "University Hospital", "Three liver metastases, segments VIII, V and IVb."),
            (75, "ct", "University Hospital", "All three lesions smaller."),
            (
                14,
                "mri",
                "University Hospital",
                "Segment VIII lesion stable; the lesions in V and IVb are no longer seen.",
            ),
        ],
        "values": {"cea_ng_ml": [(152, 48), (77, 21), (16, 9)]},
        "treatments": [
            ("primary_surgery", None, "Low anterior resection", (640, None), None, ""),
            ("systemic", 1, "FOLFOX + bevacizumab", (145, 90), 4, "toxicity"),
            ("systemic", 2, "FOLFIRI + bevacizumab", (88, None), 5, ""),
        ],
    },
    {
        "patient": ("DEMO-1009", "Greta Lindqvist", datetime.date(1948, 9, 12), "female"),
        "referring_clinician": "Dr. P. Ivanova, nephrology",
        "question": (
            "Focal liver lesion on ultrasound in a patient with a neuroendocrine tumour and "
            "kidney disease: next imaging?"
        ),
        "summary": "Small-bowel neuroendocrine tumour resected 2023. Chronic kidney disease.",
        "status": CaseStatus.DRAFT,
        "facts": {
            "primary_site": "neuroendocrine",
            "history_extrahepatic_cancer": True,
            "fll_detected_on_ultrasound": True,
            "cirrhosis": False,
            "renal_insufficiency": True,
            "liver_metastases": "suspected",
            "elderly": True,
        },
    },
    {
        "patient": ("DEMO-1010", "Tomás Herrera", datetime.date(1972, 2, 28), "male"),
        "referring_clinician": "Dr. L. Brandt, medical oncology",
        "question": "Pancreatic cancer with liver metastases: is any local treatment reasonable?",
        "summary": "Pancreatic head adenocarcinoma; two liver metastases. Many results pending.",
        "status": CaseStatus.DRAFT,
        "facts": {"primary_site": "pancreatic", "liver_metastases": "confirmed"},
    },
]


# Hepatocellular carcinoma, the second area (its pack: guidelines/content/hcc.yaml): one
# case within Milan with a Child-Pugh A liver on the upcoming meeting, one BCLC C case for
# first-line systemic therapy, and one whose past decision chose ablation among the
# early-stage curative alternatives (``decisions.demo``).
HCC_DEMO_CASES = [
    {
        "patient": ("DEMO-2001", "Tomasz Nowak", datetime.date(1961, 11, 3), "male"),
        "referring_clinician": "Dr. A. Lindqvist, hepatology",
        "question": "Two HCC nodules within Milan, Child-Pugh A: transplantation, ablation "
        "or resection?",
        "summary": "Hepatitis C cirrhosis under surveillance. Multiphase MRI: two LR-5 "
        "nodules (segments VI and VIII). Transplant assessment started.",
        "status": CaseStatus.READY,
        "facts": {
            "ecog": 0,
            "cirrhosis": True,
            "liver_disease_etiology": ["hcv"],
            "hcc_diagnosis": "confirmed_imaging",
            "lirads_category": "LR_5",
            "typical_hcc_imaging": True,
            "macrovascular_invasion": False,
            "extrahepatic_spread": False,
            "tumour_pattern": "well_defined_nodules",
            "portal_flow_preserved": True,
            "afp_ng_ml": 45,
            "serum_bilirubin_umol_l": 17,
            "albumin_g_l": 38,
            "inr": 1.1,
            "ascites": "none",
            "encephalopathy": "none",
            "bilirubin_normal": True,
            "platelets_10e9_l": 95,
            "varices": "present_treated",
            "splenomegaly": True,
            "serum_creatinine_umol_l": 80,
            "serum_sodium_mmol_l": 137,
            "transplant_candidate": "under_evaluation",
            "prior_liver_transplant": False,
            "resectability": "resectable",
            "systemic_therapy_line": "none_yet",
        },
        # (segments, largest mm, imaging, vessels, no longer visible, planned treatment,
        #  target, viable mm, bile duct contact)
        "lesions": [
            (["VI"], 26, "mri", "none", None, "none_decided", False, None, False),
            (["VIII"], 18, "mri", "none", None, "none_decided", False, None, False),
        ],
    },  # fmt: skip
    {
        "patient": ("DEMO-2002", "Grace Mensah", datetime.date(1968, 2, 21), "female"),
        "referring_clinician": "Dr. K. Osei, hepatology",
        "question": "HCC with portal vein invasion, Child-Pugh A: which first-line systemic "
        "therapy?",
        "summary": "Chronic hepatitis B. Single 85 mm HCC of the right liver with tumour "
        "thrombus in the right portal vein; biopsy-proven. Fatigue and weight loss since two "
        "months. No upper endoscopy yet.",
        "status": CaseStatus.READY,
        "facts": {
            "ecog": 1,
            "ecog_cancer_related": "yes",
            "pregnant": False,
            "cirrhosis": True,
            "liver_disease_etiology": ["hbv"],
            "hcc_diagnosis": "confirmed_histology",
            "macrovascular_invasion": True,
            "extrahepatic_spread": False,
            "tumour_pattern": "well_defined_nodules",
            "afp_ng_ml": 1250,
            "serum_bilirubin_umol_l": 20,
            "albumin_g_l": 36,
            "inr": 1.15,
            "ascites": "none",
            "encephalopathy": "none",
            "varices": "not_assessed",
            "transplant_candidate": "no",
            "prior_liver_transplant": False,
            "systemic_therapy_line": "none_yet",
            "autoimmune_disease": False,
            "high_bleeding_or_thrombosis_risk": False,
            "serum_creatinine_umol_l": 70,
            "serum_sodium_mmol_l": 134,
        },
        "lesions": [
            (
                ["V", "VI", "VII", "VIII"],
                85,
                "ct",
                "portal_pedicle",
                None,
                "none_decided",
                False,
                None,
                None,
            ),
        ],
    },  # fmt: skip
    {
        "patient": ("DEMO-2003", "Rafael Ortega", datetime.date(1957, 6, 9), "male"),
        "referring_clinician": "Dr. A. Lindqvist, hepatology",
        "question": "Single 24 mm HCC in compensated cirrhosis: which curative treatment?",
        "summary": "Alcohol-related cirrhosis, abstinent. One LR-5 nodule in segment III.",
        "status": CaseStatus.DISCUSSED,
        "facts": {
            "ecog": 0,
            "cirrhosis": True,
            "liver_disease_etiology": ["alcohol"],
            "hcc_diagnosis": "confirmed_imaging",
            "lirads_category": "LR_5",
            "typical_hcc_imaging": True,
            "macrovascular_invasion": False,
            "extrahepatic_spread": False,
            "serum_bilirubin_umol_l": 14,
            "albumin_g_l": 41,
            "inr": 1.0,
            "ascites": "none",
            "encephalopathy": "none",
            "bilirubin_normal": True,
            "platelets_10e9_l": 160,
            "varices": "none",
            "splenomegaly": False,
            "transplant_candidate": "no",
            "resectability": "resectable",
            "ablation_feasible": True,
            "systemic_therapy_line": "none_yet",
        },
        "lesions": [(["III"], 24, "mri", "none", None, "ablation", False, None, False)],
    },  # fmt: skip
]
# Each area's demo cases, by the area's slug.
DEMO_AREAS = {"liver": DEMO_CASES, "hcc": HCC_DEMO_CASES}


def ensure_demo_cases() -> int:
    """Create the demo cases that are missing, of each area whose pack is loaded; return
    how many were created."""
    created = 0
    for slug, demos in DEMO_AREAS.items():
        content = snapshot.current().by_slug(slug)
        if content is not None:  # (a pack not loaded: nothing to show its cases against)
            created += _ensure(demos, content)
    return created


def _ensure(demos: list[dict], content) -> int:
    catalogue = content.catalogue
    author = User.objects.filter(username="clinician").first()
    created = 0
    for index, demo in enumerate(demos):
        mrn, name, born, sex = demo["patient"]
        if Patient.objects.filter(mrn__iexact=mrn).exists():
            continue
        patient = Patient.objects.create(
            mrn=mrn, name=name, date_of_birth=born, sex=sex, updated_by=author
        )
        facts = {k: v for k, v in demo["facts"].items() if k in catalogue}
        Case.objects.create(
            patient=patient,
            area_id=content.area.pk,
            # Referred some weeks ago: the past demo meeting (four weeks ago) lists three.
            referral_date=timezone.localdate() - datetime.timedelta(days=33 + 3 * index),
            referring_clinician=demo["referring_clinician"],
            question=demo["question"],
            clinical_summary=demo["summary"],
            status=demo["status"],
            facts=coerce_facts(facts, catalogue),
            created_by=author,
            updated_by=author,
        )
        _course(patient, demo, author)
        created += 1  # (its lesion rows: the liver module's demo, ``liver/demo.py``)
    return created


def _course(patient: Patient, demo: dict, author) -> None:
    """The demo's imaging, dated values and treatments, dated back from today."""
    today = timezone.localdate()
    case = patient.cases.first()

    def ago(days: int | None) -> datetime.date | None:
        return None if days is None else today - datetime.timedelta(days=days)

    for days, modality, place, conclusion, *identifiers in demo.get("imaging", ()):
        study_uid, accession = identifiers or ("", "")
        ImagingTimepoint.objects.create(
            patient=patient, case=case, day=ago(days), modality=modality, place=place,
            conclusion=conclusion, study_uid=study_uid, accession_number=accession,
            created_by=author, updated_by=author,
        )  # fmt: skip
    for fact, values in demo.get("values", {}).items():
        for days, value in values:
            DatedValue.objects.create(
                patient=patient, case=case, fact=fact, value=value, day=ago(days),
                created_by=author, updated_by=author,
            )  # fmt: skip
    for kind, line, regimen, (start, end), cycles, stop in demo.get("treatments", ()):
        Treatment.objects.create(
            patient=patient, case=case, kind=kind, line=line, regimen=regimen,
            started_on=ago(start), ended_on=ago(end), cycles=cycles, stop_reason=stop,
            created_by=author, updated_by=author,
        )  # fmt: skip


DEMO_MARK = "DEMO material made by the app: not a real report or a real patient's image"


def _demo_report(timepoint: ImagingTimepoint) -> bytes:
    """A one-page radiology report (WeasyPrint), marked as demo material."""
    from django.utils.html import escape

    from printing.pdf import html_to_document

    html = (
        "<html><body style='font-family: sans-serif'>"
        f"<p><strong>{escape(DEMO_MARK)}</strong></p><h1>Radiology report</h1>"
        f"<p>{escape(timepoint.get_modality_display())} of the liver, {escape(timepoint.when)}, "
        f"{escape(timepoint.place)}.</p><h2>Conclusion</h2><p>{escape(timepoint.conclusion)}</p>"
        "</body></html>"
    )
    return html_to_document(html).write_pdf()


def _demo_image() -> bytes:
    """A drawn 'key image' (Pillow): a grey liver outline with one lesion and a calliper,
    and the demo mark; no patient's image."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (960, 720), (12, 12, 12))
    draw = ImageDraw.Draw(image)
    draw.ellipse((120, 140, 820, 600), fill=(105, 105, 105))
    draw.ellipse((470, 260, 590, 370), fill=(60, 60, 60))
    draw.line((470, 315, 590, 315), fill=(255, 215, 0), width=3)
    draw.text((480, 380), "22 mm", fill=(255, 215, 0))
    draw.text((20, 20), DEMO_MARK, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def ensure_demo_attachments() -> int:
    """DEMO-1008's latest MRI report (PDF) and a key image, both made here; how many made."""
    from cases.attachments import PDF, PNG, store
    from cases.models import Attachment, AttachmentKind

    case = Case.objects.filter(patient__mrn="DEMO-1008").first()
    if case is None or case.attachments.exists():
        return 0
    timepoint = case.patient.timepoints.order_by("-day").first()
    author = User.objects.filter(username="clinician").first()
    report = Attachment(kind=AttachmentKind.RADIOLOGY_REPORT, timepoint=timepoint,
                        title=f"MRI liver report (demo) {timepoint.when}", day=timepoint.day)  # fmt: skip
    store(case, report, _demo_report(timepoint), author, content_type=PDF,
          original_name="demo-mri-report.pdf")  # fmt: skip
    image = Attachment(kind=AttachmentKind.KEY_IMAGE, timepoint=timepoint, no_identifiers=True,
                       title="Segment VIII lesion, hepatobiliary phase (demo drawing)",
                       day=timepoint.day)  # fmt: skip
    store(case, image, _demo_image(), author, content_type=PNG, original_name="demo-key.png")
    return 2


def seed() -> list[str]:
    """Demo data of this app (``manage.py seed_demo``): the demo patients and cases, and
    the demo attachments of one of them."""
    created = ensure_demo_cases()
    lines = [f"Created {created} demo case(s); {len(DEMO_CASES)} in all."] if created else []
    if ensure_demo_attachments():
        lines.append("Attached a demo radiology report and key image to DEMO-1008's case.")
    return lines
