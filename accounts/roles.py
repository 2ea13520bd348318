"""Staff roles as Django groups, and the permissions each one carries.

Roles are data that the code relies on, so they are kept here and synced into
the database after every ``migrate`` (idempotently: a second sync changes
nothing). An administrator assigns people to groups in the admin.
"""

from __future__ import annotations

CLINICIAN = "clinician"
COORDINATOR = "coordinator"
GUIDELINE_EDITOR = "guideline editor"
TRIAL_COORDINATOR = "trial coordinator"
ADMINISTRATOR = "administrator"
# The roles an administrator may hand out. The administrator role itself, superuser
# status and direct permissions are given by superusers only.
ASSIGNABLE_BY_ADMINISTRATORS = (CLINICIAN, COORDINATOR, GUIDELINE_EDITOR, TRIAL_COORDINATOR)

_GUIDELINE_MODELS = (
    "diseasearea",
    "fact",
    "factchoice",
    "guidelinesource",
    "section",
    "subsection",
    "recommendation",
    "caution",
    "readinessitem",
)
_READ_GUIDELINES = [f"guidelines.view_{model}" for model in _GUIDELINE_MODELS]
_EDIT_GUIDELINES = [
    f"guidelines.{action}_{model}"
    for model in _GUIDELINE_MODELS
    for action in ("add", "change", "delete", "view")
]

_WORK_ON_CASES = [
    f"cases.{action}_{model}"
    for model in ("case", "patient")
    for action in ("add", "change", "view")
]

# Any clinician who attends may draft the board's decision.
_DRAFT_DECISIONS = [f"decisions.{action}_decision" for action in ("add", "change", "view")]

# Boards, their members and quorum rules, the decision form's lists and the letter's
# wording are set up in the admin by administrators.
_SET_UP_BOARDS = [
    f"{app}.{action}_{model}"
    for app, model in (
        ("meetings", "board"),
        ("meetings", "boardmember"),
        ("meetings", "specialty"),
        ("decisions", "modality"),
        ("decisions", "notfollowedreason"),
    )
    for action in ("add", "change", "delete", "view")
] + ["decisions.change_lettertemplate", "decisions.view_lettertemplate"]

_RUN_MEETINGS = [
    "meetings.add_meeting",
    "meetings.change_meeting",
    "meetings.view_meeting",
    *(
        f"meetings.{action}_{model}"
        for model in ("agendaitem", "attendance")
        for action in ("add", "change", "delete", "view")
    ),
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    CLINICIAN: [*_READ_GUIDELINES, *_WORK_ON_CASES, "meetings.view_meeting", *_DRAFT_DECISIONS],
    COORDINATOR: [
        *_READ_GUIDELINES,
        *_WORK_ON_CASES,
        *_RUN_MEETINGS,
        *_DRAFT_DECISIONS,
        "quality.view_dashboard",
    ],  # fmt: skip
    # Not "pghistory.view_events": the admin's Events list spans every audited table,
    # patients included. Each item's History page shows its own trail instead.
    GUIDELINE_EDITOR: [*_EDIT_GUIDELINES],
    # The hospital's trial list: trials, their criteria and the rules screening reads
    # (the facts those rules may use are the guidelines', read only).
    TRIAL_COORDINATOR: [
        *(
            f"trials.{action}_{model}"
            for model in ("trial", "criterion")
            for action in ("add", "change", "delete", "view")
        ),
        *_READ_GUIDELINES,
    ],  # fmt: skip
    ADMINISTRATOR: [
        *_READ_GUIDELINES,
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "auth.view_group",
        # Lockouts: see them, and lift one (deleting the attempt record unlocks).
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        # Who read which patient's data (record numbers, not names).
        "accounts.view_readlogentry",
        # Who changed which account, roles and signing rights (accounts.account_changes).
        "accounts.view_accountchange",
        *_SET_UP_BOARDS,
        # The boards' quality figures (no patient data: case numbers, not actions' text).
        "quality.view_dashboard",
    ],
}


def case_workers():
    """Active accounts that work on cases (clinicians and coordinators): who may present a
    case or be assigned an action."""
    from django.contrib.auth.models import User

    return (
        User.objects.filter(is_active=True, groups__name__in=[CLINICIAN, COORDINATOR])
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def sync_roles(sender=None, **kwargs) -> None:
    """Create the role groups and set exactly their permissions."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    if sender is not None and sender is not list(apps.get_app_configs())[-1]:
        return  # once per migrate, after the last app's permissions exist
    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" in wanted
    }
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([by_name[p] for p in perms if p in by_name])
