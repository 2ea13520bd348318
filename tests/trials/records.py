"""ClinicalTrials.gov API v2 study records, shaped as the registry saves them."""

from __future__ import annotations

import copy
import json

ELIGIBILITY = """Inclusion Criteria:

* Histologically confirmed adenocarcinoma of the colon or rectum
* Liver metastases judged resectable by a multidisciplinary board
* ECOG performance status 0–1
* Adequate organ function:

  * Absolute neutrophil count ≥ 1.5 × 10⁹/L
  * Bilirubin ≤ 1.5 × ULN
* Patients of Zürich and Besançon sites sign the local consent

Exclusion Criteria:

* Extrahepatic disease
* Pregnancy or breastfeeding
"""

RECORD = {
    "protocolSection": {
        "identificationModule": {
            "nctId": "NCT09999991",
            "briefTitle": "Therapy before liver resection",
            "officialTitle": "A randomised trial of therapy before resection of colorectal liver metastases",
        },
        "statusModule": {
            "overallStatus": "RECRUITING",
            "lastUpdatePostDateStruct": {"date": "2026-10-01"},
        },
        "designModule": {"phases": ["PHASE2", "PHASE3"]},
        "conditionsModule": {"conditions": ["Colorectal Liver Metastases"]},
        "armsInterventionsModule": {
            "armGroups": [
                {
                    "label": "Therapy first",
                    "type": "EXPERIMENTAL",
                    "description": "Three months, then resection.",
                },
                {"label": "Resection first", "type": "ACTIVE_COMPARATOR"},
            ]
        },
        "eligibilityModule": {
            "eligibilityCriteria": ELIGIBILITY,
            "sex": "ALL",
            "minimumAge": "18 Years",
            "maximumAge": "80 Years",
        },
        "contactsLocationsModule": {
            "centralContacts": [{"name": "Trial office", "phone": "+41 00 000 00 00"}],
            "overallOfficials": [{"name": "Dr. Principal"}],
            "locations": [{"facility": "University Hospital", "city": "Zürich"}],
        },
    }
}


def record(**changes) -> dict:
    """The record, with changes given as dotted paths: ``{"statusModule.overallStatus": ...}``
    (None removes the key)."""
    data = copy.deepcopy(RECORD)
    for path, value in changes.items():
        *parents, last = path.split(".")
        node = data["protocolSection"]
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return data


def saved(**changes) -> bytes:
    return json.dumps(record(**changes), ensure_ascii=False).encode()
