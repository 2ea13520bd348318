"""The code systems and the app's own codes that the FHIR export writes and the import
reads. The standard codes of facts and values are data, in the content packs; only
codes checked in the published terminologies and implementation guides (the project's
INTEROP.md) go there. A fact without a checked code travels under this app's own code
system, so that an export read back gives the same facts, and no standard code is ever
guessed.
"""

from __future__ import annotations

SNOMED = "http://snomed.info/sct"
LOINC = "http://loinc.org"
ICD10 = "http://hl7.org/fhir/sid/icd-10"
HGNC = "http://www.genenames.org/geneId"
# This app's own codes: a case fact by its catalogue name, and a choice of a fact.
FACT_SYSTEM = "urn:tumorboard:fhir:case-fact"
PSEUDONYM_SYSTEM = "urn:tumorboard:fhir:pseudonym"
# The patient's course (no checked standard code fits these; RECIST has none in INTEROP.md):
# an imaging's modality, where it was done, a treatment's kind, line, cycles and reason for
# stopping, and the computed response and measurements (exported, not imported).
COURSE_SYSTEM = "urn:tumorboard:fhir:course"
DICOM_UID = "urn:dicom:uid"  # ImagingStudy.identifier of a Study Instance UID (FHIR R4)
ACCESSION = ("http://terminology.hl7.org/CodeSystem/v2-0203", "ACSN")


def course_system(name: str) -> str:
    """The code system of one of the course's lists (``…:course:modality``)."""
    return f"{COURSE_SYSTEM}:{name}"


def course_extension(name: str) -> str:
    return f"{COURSE_SYSTEM}:extension:{name}"


def value_system(fact: str) -> str:
    """The code system of a choice fact's values (e.g. ``…:case-fact:primary_site``)."""
    return f"{FACT_SYSTEM}:{fact}"


MCODE = "http://hl7.org/fhir/us/mcode/StructureDefinition/"
PROFILE_PATIENT = MCODE + "mcode-cancer-patient"

TUMOR_BOARD_REVIEW = (SNOMED, "720006006", "Cancer care review (procedure)")
# The codes of facts and their values are the content packs' (``Fact.codes``,
# ``FactChoice.codes``, ``guidelines.terminology``); the liver pack carries those of
# INTEROP.md. The lesion table's segments are the liver lesion module's:
# Couinaud segments; segment I (caudate) was not checked, so it goes by text only.
SEGMENTS = {
    "II": "277956007", "III": "277957003", "IV": "277958008", "IVa": "871688003",
    "IVb": "871689006", "V": "277959000", "VI": "277960005", "VII": "277961009",
    "VIII": "277962002",
}  # fmt: skip
