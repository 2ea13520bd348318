"""The codes the FHIR export writes and the import reads: only codes checked in the
published terminologies and implementation guides (the project's INTEROP.md). A fact
without a checked code travels under this app's own code system, so that an export
read back gives the same facts, and no standard code is ever guessed.
"""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
HGNC = "http://www.genenames.org/geneId"
# This app's own codes: a case fact by its catalogue name, and a choice of a fact.
FACT_SYSTEM = "urn:tumorboard:fhir:case-fact"
PSEUDONYM_SYSTEM = "urn:tumorboard:fhir:pseudonym"


def value_system(fact: str) -> str:
    """The code system of a choice fact's values (e.g. ``…:case-fact:primary_site``)."""
    return f"{FACT_SYSTEM}:{fact}"


MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
PROFILE_PATIENT = MCODE + "mcode-cancer-patient"
PROFILE_PRIMARY = MCODE + "mcode-primary-cancer-condition"
PROFILE_SECONDARY = MCODE + "mcode-secondary-cancer-condition"
PROFILE_ECOG = MCODE + "mcode-ecog-performance-status"

TUMOR_BOARD_REVIEW = (SNOMED, "720006006", "Cancer care review (procedure)")
LIVER_METASTASIS = [
    (SNOMED, "94381002", "Metastatic malignant neoplasm to liver"),
    (ICD10, "C78.7", None),
]
# Colon only: a rectal primary has no checked SNOMED code here, so it goes uncoded.
COLON_PRIMARY = (SNOMED, "363406005", "Malignant neoplasm of colon")
COLORECTAL_ICD10_PREFIXES = ("C18", "C19", "C20")  # colon, rectosigmoid, rectum

# Displays only where INTEROP.md quotes them; a display is optional in FHIR.
ECOG = (LOINC, "89247-1", None)
VARIANT = (LOINC, "69548-6", "Genetic variant assessment")
GENE_STUDIED = (LOINC, "48018-6", "Gene studied")
PRESENT = (LOINC, "LA9633-4", "Present")
ABSENT = (LOINC, "LA9634-2", "Absent")
GENES = {  # fact -> the genes its result covers
    "ras_status": [("HGNC:6407", "KRAS"), ("HGNC:7989", "NRAS")],
    "braf_v600e_status": [("HGNC:1097", "BRAF")],
}
VARIANT_VALUES = {"mutant": PRESENT, "wild_type": ABSENT}
MSI = (LOINC, "81695-9", None)
MSI_VALUES = {
    "dMMR_MSI_H": (LOINC, "LA26203-2", "MSI-H"),
    "pMMR_MSS": (LOINC, "LA14122-8", "stable"),
}
HER2 = (LOINC, "48676-1", None)
# Couinaud segments; segment I (caudate) was not checked, so it goes by text only.
SEGMENTS = {
    "II": "277956007", "III": "277957003", "IV": "277958008", "IVa": "871688003",
    "IVb": "871689006", "V": "277959000", "VI": "277960005", "VII": "277961009",
    "VIII": "277962002",
}  # fmt: skip
