"""A case and its board decisions as a FHIR R4 Bundle (JSON), built with
``fhir.resources`` (R4B models, whose JSON equals R4 for these resources).

- Patient (the mCODE cancer patient profile only when identified), the primary cancer
  and the liver metastases as Conditions (mCODE profiles where a checked code fits),
  ECOG and the molecular results as Observations (LOINC), every other fact entered as
  an Observation under this app's own code system, and each lesion as an Observation
  with its Couinaud segments (SNOMED CT where checked).
- The patient's course: each imaging timepoint as an ImagingStudy (its Study Instance UID
  and accession number as identifiers), each lesion's measurement there and the response by
  RECIST 1.1 as Observations derived from it, each dated value of a fact recorded over time
  as an Observation of that fact with its date, each treatment as a Procedure with its
  period (line, cycles and reason for stopping under this app's own codes).
- Each signed decision in force: the board review as a Procedure (SNOMED CT
  720006006) and the decision as a CarePlan that addresses the Conditions.
- Pseudonymised (for pseudonymised meetings): no name, no hospital number, the year of
  birth only, free text scrubbed of the patient's identifiers, and no profile claim that
  needs an identified patient.

Every coded resource also carries the fact under this app's own code, so that an
export read back by ``interop.fhir_import`` gives the same facts.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from functools import partial

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.utils import timezone

from cases import course
from cases.models import Case, Sex
from cases.pseudonym import pseudonym, scrub
from decisions.models import Decision, Outcome
from guidelines import recist, snapshot
from guidelines.facts import Coding, FactSpec
from guidelines.matching import compile_condition
from guidelines.terminology import components
from interop import codes

GENDER = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.OTHER: "other", Sex.UNKNOWN: "unknown"}


def _id(*parts) -> str:
    """A stable id: the same case exported twice gives the same references."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "tumorboard:" + ":".join(map(str, parts))))


def coding(system: str, code: str, display: str | None = None) -> dict:
    found = {"system": system, "code": code}
    if display:
        found["display"] = display
    return found


def written(codes: Iterable[Coding], values: Mapping[str, object]) -> list[dict]:
    """The codes written for a case: never a prefix (a family of codes, read only), and
    a code with a condition only where the case's values make it hold."""
    return [
        coding(c.system, c.code, c.display)
        for c in codes
        if not c.prefix and (not c.when or compile_condition(c.when).evaluate(values)[0] is True)
    ]


def fact_coding(spec: FactSpec) -> dict:
    return coding(codes.FACT_SYSTEM, spec.name, spec.label)


def value_coding(spec: FactSpec, value: str) -> dict:
    return coding(codes.value_system(spec.name), value, dict(spec.choices).get(value))


class _Builder:
    def __init__(self, case: Case, *, pseudonymised: bool):
        self.case = case
        self.pseudonymised = pseudonymised
        self.catalogue = snapshot.for_case(case).catalogue
        self.entries: list[dict] = []
        self.patient_ref = self.ref("Patient")
        self.conditions: list[str] = []

    def ref(self, kind: str, *more) -> str:
        return "urn:uuid:" + _id(kind, self.case.pk, *more)

    def add(self, url: str, resource: dict) -> None:
        self.entries.append({"fullUrl": url, "resource": resource})

    def text(self, value: str) -> str:
        return scrub(value, self.case) if self.pseudonymised else value

    def subject(self) -> dict:
        return {"reference": self.patient_ref}

    # --- the patient ------------------------------------------------------------

    def patient(self) -> None:
        patient = self.case.patient
        resource: dict = {"resourceType": "Patient", "gender": GENDER.get(patient.sex, "unknown")}
        if self.pseudonymised:
            resource["identifier"] = [
                {"system": codes.PSEUDONYM_SYSTEM, "value": pseudonym(self.case)}
            ]
            resource["birthDate"] = str(patient.date_of_birth.year)
        else:
            resource["meta"] = {"profile": [codes.PROFILE_PATIENT]}
            resource["identifier"] = [{"system": settings.FHIR_MRN_SYSTEM, "value": patient.mrn}]
            resource["name"] = [{"text": patient.name}]
            resource["birthDate"] = patient.date_of_birth.isoformat()
        self.add(self.patient_ref, resource)

    # --- facts ------------------------------------------------------------------

    def facts(self) -> None:
        # What was typed, but not what the lesion table and the course replace (the lesions
        # and the course go out as resources of their own, the dated values with their date).
        replaced = self.case.given_values(self.catalogue)
        values = {
            k: v for k, v in self.case.facts.items() if k in self.catalogue and k not in replaced
        }
        for name, value in values.items():
            self.fact(self.catalogue[name], value, values)

    def fact(self, spec: FactSpec, value, values, *, when: dict | None = None,
             key: str = "") -> None:  # fmt: skip
        """One fact as its terminology says (``guidelines.terminology``): a Condition, or
        an Observation with its standard codes, its value's, its unit's and components."""
        how = spec.fhir
        choice = value if isinstance(value, str) else None  # (one value of a choice fact)
        verification = how.get("verification")
        condition = verification is None or choice in verification
        if how.get("resource") == "Condition" and condition:
            if choice in spec.not_known_values:
                return  # an unknown primary is no condition to state
            codings = written(spec.choice_codes.get(choice, ()), values)
            status = verification[choice] if verification else "confirmed"
            self.condition(spec, value, codings, status, how.get("profile") if codings else None)
            return
        coded = "coded_values" not in how or choice in how["coded_values"]
        standard = written(spec.codes, values) if coded else []
        value_codes = written(spec.choice_codes.get(choice, ()), values) if coded else []
        parts = [
            {"code": {"coding": written(c.codes, values)},
             "valueCodeableConcept": {"coding": written(c.values, values)}}
            for c in components(spec)
        ] if standard else []  # fmt: skip
        self.observation(
            spec, standard, spec.type.to_fhir(spec, value, partial(value_coding, spec), value_codes),
            profile=how.get("profile") if standard else None, components=parts, when=when,
            key=key,
        )  # fmt: skip

    def condition(self, spec, value, codings, verification, profile=None) -> None:
        url = self.ref("Condition", spec.name)
        resource = {
            "resourceType": "Condition",
            "clinicalStatus": {"coding": [coding(
                "http://terminology.hl7.org/CodeSystem/condition-clinical", "active")]},
            "verificationStatus": {"coding": [coding(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", verification)]},
            "code": {"coding": [*codings, value_coding(spec, value)],
                     "text": spec.display_value(value)},
            "subject": self.subject(),
        }  # fmt: skip
        if profile:
            resource["meta"] = {"profile": [profile]}
        self.add(url, resource)
        self.conditions.append(url)

    def observation(self, spec, codings, value, *, profile=None, components=(), when=None,
                    key="") -> None:  # fmt: skip
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "code": {"coding": [*codings, fact_coding(spec)], "text": spec.label},
            "subject": self.subject(),
            **(when or {}),
            **value,
        }
        if profile:
            resource["meta"] = {"profile": [profile]}
        if components:
            resource["component"] = list(components)
        self.add(self.ref("Observation", spec.name, *([key] if key else [])), resource)

    # --- lesions ----------------------------------------------------------------

    def lesions(self) -> None:
        for lesion in self.case.lesions.all():
            segments = [
                {"code": {"coding": [coding(codes.FACT_SYSTEM, "couinaud_segment",
                                            "Couinaud segment")]},
                 "valueCodeableConcept": {
                     "coding": ([coding(codes.SNOMED, codes.SEGMENTS[s])] if s in codes.SEGMENTS
                                else []) + [coding(codes.value_system("couinaud_segment"), s)],
                     "text": f"Segment {s}"}}
                for s in lesion.segments
            ]  # fmt: skip
            size = {"code": {"coding": [coding(codes.FACT_SYSTEM, "diameter_mm",
                                               "Largest diameter")]},
                    "valueQuantity": {"value": lesion.diameter_mm, "unit": "mm"}}  # fmt: skip
            self.add(self.ref("Lesion", lesion.number), {
                "resourceType": "Observation",
                "status": "final",
                "code": {"coding": [coding(codes.FACT_SYSTEM, "liver_lesion", "Liver lesion")],
                         "text": f"Liver lesion {lesion.number}"},
                "subject": self.subject(),
                "component": [size, *segments],
            })  # fmt: skip

    # --- the course -------------------------------------------------------------

    def course(self) -> None:
        seen = course.course_of(self.case)
        for point in seen.points:
            self.imaging(point)
        for spec in self.catalogue.values():
            for value in seen.series.get(spec.name, ()) if spec.over_time else ():
                self.fact(spec, value.value, {spec.name: value.value},
                          when={"effectiveDateTime": value.day.isoformat()},
                          key=f"{value.day.isoformat()}")  # fmt: skip
        for treatment in seen.treatments:
            self.treatment(treatment)

    def imaging(self, point) -> None:
        timepoint = point.timepoint
        study = self.ref("ImagingStudy", timepoint.day.isoformat(), timepoint.modality)
        identifiers = []  # (never in a pseudonymised export: they find the patient in PACS)
        if timepoint.study_uid and not self.pseudonymised:
            identifiers.append(
                {"system": codes.DICOM_UID, "value": f"urn:oid:{timepoint.study_uid}"}
            )
        if timepoint.accession_number and not self.pseudonymised:
            identifiers.append({"type": {"coding": [coding(*codes.ACCESSION)]},
                                "value": timepoint.accession_number})  # fmt: skip
        resource = {
            "resourceType": "ImagingStudy",
            "status": "available",
            "subject": self.subject(),
            "started": timepoint.day.isoformat(),
        }
        if identifiers:
            resource["identifier"] = identifiers
        if timepoint.modality:
            resource["modality"] = [coding(codes.course_system("modality"), timepoint.modality,
                                           timepoint.get_modality_display())]  # fmt: skip
        if timepoint.conclusion:
            resource["description"] = self.text(timepoint.conclusion)[:1024]
        extensions = [
            {"url": codes.course_extension(name), **value}
            for name, value in (
                ("place", {"valueString": self.text(timepoint.place)} if timepoint.place else {}),
                ("non-target", {"valueCode": timepoint.non_target} if timepoint.non_target else {}),
                ("new-lesion", {"valueBoolean": True} if timepoint.new_lesion else {}),
            )
            if value
        ]  # fmt: skip
        if extensions:
            resource["extension"] = extensions
        self.add(study, resource)
        when = {"effectiveDateTime": timepoint.day.isoformat(),
                "derivedFrom": [{"reference": study}]}  # fmt: skip
        for row, measured in point.measured:
            value = ({"valueQuantity": {"value": measured.diameter_mm, "unit": "mm",
                                        "system": "http://unitsofmeasure.org", "code": "mm"}}
                     if measured.diameter_mm is not None else
                     {"valueCodeableConcept": {"coding": [coding(
                         codes.course_system("measurement"), measured.state,
                         measured.get_state_display())]}})  # fmt: skip
            self.add(self.ref("Measurement", row.number, timepoint.pk), {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [coding(codes.COURSE_SYSTEM, "lesion_measurement",
                                           "Liver lesion, longest diameter")],
                         "text": f"Liver lesion {row.number}"},
                "subject": self.subject(), **when, **value,
            })  # fmt: skip
        assessment = point.assessment
        if assessment is not None and not assessment.baseline:
            self.add(self.ref("Response", timepoint.pk), {
                "resourceType": "Observation", "status": "final",
                "code": {"coding": [coding(codes.COURSE_SYSTEM, "recist_overall_response",
                                           "Overall response (RECIST 1.1)")]},
                "subject": self.subject(), **when,
                "valueCodeableConcept": {"coding": [coding(
                    codes.course_system("recist_response"), assessment.overall,
                    recist.WORDS[assessment.overall])], "text": assessment.words},
            })  # fmt: skip

    def treatment(self, treatment) -> None:
        period = {"start": treatment.started_on.isoformat()}
        if treatment.ended_on:
            period["end"] = treatment.ended_on.isoformat()
        extensions = [
            {"url": codes.course_extension(name), **value}
            for name, value in (
                ("line", {"valuePositiveInt": treatment.line} if treatment.line else {}),
                ("cycles", {"valueUnsignedInt": treatment.cycles}
                 if treatment.cycles is not None else {}),
            )
            if value
        ]  # fmt: skip
        resource = {
            "resourceType": "Procedure",
            "status": "in-progress" if treatment.ongoing else "completed",
            "code": {"coding": [coding(codes.course_system("treatment"), treatment.kind,
                                       treatment.get_kind_display())],
                     "text": self.text(treatment.regimen) or treatment.get_kind_display()},
            "subject": self.subject(),
            "performedPeriod": period,
        }  # fmt: skip
        if treatment.stop_reason:
            resource["statusReason"] = {"coding": [coding(
                codes.course_system("stop_reason"), treatment.stop_reason,
                treatment.get_stop_reason_display())]}  # fmt: skip
        if extensions:
            resource["extension"] = extensions
        self.add(self.ref("Treatment", treatment.pk), resource)

    # --- decisions --------------------------------------------------------------

    def decisions(self, decisions: Iterable[Decision]) -> None:
        for decision in decisions:
            item = decision.agenda_item
            review = self.ref("Procedure", item.pk)
            self.add(review, {
                "resourceType": "Procedure",
                "status": "completed",
                "code": {"coding": [coding(*codes.TUMOR_BOARD_REVIEW)],
                         "text": f"{item.meeting.board.name}: tumor board review"},
                "subject": self.subject(),
                "performedDateTime": item.meeting.starts_at.isoformat(),
            })  # fmt: skip
            self.add(self.ref("CarePlan", item.pk), self.care_plan(decision, review))

    def care_plan(self, decision: Decision, review: str) -> dict:
        open_actions = [a for a in decision.actions.all() if a.done_at is None]
        status = {Outcome.DEFERRED: "on-hold"}.get(
            decision.outcome, "active" if open_actions else "completed"
        )
        activities = [
            {"detail": {"status": "not-started", "description": modality.name}}
            for modality in decision.modalities.all()
        ] + [
            {"detail": {"status": "not-started" if a.done_at is None else "completed",
                        "description": self.text(a.what),
                        **({"scheduledString": f"due {a.due.isoformat()}"} if a.due else {})}}
            for a in decision.actions.all()
        ]  # fmt: skip
        summary = [decision.get_outcome_display()]
        if decision.intent:
            summary.append(f"intent: {decision.get_intent_display().lower()}")
        summary.append(f"guideline concordance: {decision.concordance_summary()}")
        described = decision.plan or decision.information_needed
        signer = decision.signed_by
        resource = {
            "resourceType": "CarePlan",
            "status": status,
            "intent": "plan",
            "category": [{"text": "Tumor board decision"}],
            "title": f"{decision.agenda_item.meeting.board.name}: decision",
            "subject": self.subject(),
            "created": decision.signed_at.isoformat(),
            "author": {"display": signer.get_full_name() or signer.get_username()},
            "addresses": [{"reference": url} for url in self.conditions],
            "supportingInfo": [{"reference": review}],
            "note": [{"text": self.text("; ".join(summary))}],
        }
        if described:
            resource["description"] = self.text(described)
        if activities:
            resource["activity"] = activities
        return resource


def decisions_in_force(case: Case) -> list[Decision]:
    """Each agenda item's record in force (``Decision.objects.in_force``)."""
    return list(
        Decision.objects.filter(agenda_item__case=case)
        .in_force()
        .select_related("agenda_item__meeting__board", "signed_by", "classification")
        .prefetch_related("modalities", "actions", "concordance__reason")
        .order_by("agenda_item__meeting__starts_at", "pk")
    )


def case_resources(case: Case, *, pseudonymised: bool = False) -> list[dict]:
    """The bundle entries of one case (``case.patient`` selected with it)."""
    prefetch_related_objects([case], *course.relations())
    builder = _Builder(case, pseudonymised=pseudonymised)
    builder.patient()
    builder.facts()
    builder.lesions()
    builder.course()
    builder.decisions(decisions_in_force(case))
    return builder.entries


def bundle(entries: list[dict]) -> dict:
    """The entries as a checked Bundle, as JSON-ready data (``fhir.resources`` raises
    on anything structurally wrong: a bug here, never sent out)."""
    from fhir.resources.R4B.bundle import Bundle  # 0.2–0.4 s to import: only when asked

    data = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }
    return Bundle.model_validate(data).model_dump(mode="json", exclude_none=True)


def case_bundle(case: Case, *, pseudonymised: bool = False) -> dict:
    return bundle(case_resources(case, pseudonymised=pseudonymised))


def meeting_bundle(meeting) -> dict:
    """Every case on a meeting's agenda, pseudonymised when the meeting is."""
    entries = []
    for item in meeting.agenda_items.select_related("case__patient").order_by("position"):
        entries += case_resources(item.case, pseudonymised=meeting.pseudonymise)
    return bundle(entries)
