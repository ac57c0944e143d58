"""The plan, its indicators, departments, counties, submissions, notices and audit trails.

Invariants that matter are database constraints too: values are never negative, months run
1–12, a cell has exactly one current revision, indicator codes are unique within a plan, and a
rate names both of its count series. Each module holds one kind of thing; Django finds them all
here, as ``targets.models``.
"""

from .audit import AuditEntry, TargetChange
from .evidence import EvidenceFile, StepReportEvidence
from .figures import MAX_FIGURE, Submission, SubmissionEvent
from .notices import SupervisionNotice, SupervisionNoticeEvent
from .plan import (
    DEFAULT_BULLETIN_CC,
    DEFAULT_BULLETIN_ISSUER,
    Department,
    Indicator,
    Membership,
    Milestone,
    Plan,
    RegionTarget,
    bulletin_issuer_of,
    default_deadline_day,
    local_plans,
)
from .projects import Project, ProjectEntry, ProjectEvent, ProjectFile
from .registers import (
    REGISTER_MODELS,
    AnnualPlan,
    Competition,
    EvaluationPilot,
    Level,
    Meeting,
    Rectification,
    RegisterRecord,
    SelfAssessment,
)
from .rosters import FindingNote, PersonalDataReveal, RosterPurge, Trainee, TrainingClass
from .townships import TownshipFigure, TownshipTarget
from .units import (
    CITY_LEVEL_CODE,
    HOME_PROVINCE,
    HOME_UNIT,
    Region,
    home_unit,
    is_province,
    local_places,
    parts_of,
    place_by_code,
    place_of,
    places_of,
    with_has_parts,
)
from .work import StepReport, StepReportEvent, WorkStep, WorkUnit, responsible_units, unit_name

__all__ = [
    "CITY_LEVEL_CODE",
    "DEFAULT_BULLETIN_CC",
    "DEFAULT_BULLETIN_ISSUER",
    "HOME_PROVINCE",
    "HOME_UNIT",
    "MAX_FIGURE",
    "REGISTER_MODELS",
    "AnnualPlan",
    "AuditEntry",
    "Competition",
    "Department",
    "EvaluationPilot",
    "EvidenceFile",
    "FindingNote",
    "Indicator",
    "Level",
    "Meeting",
    "Membership",
    "Milestone",
    "PersonalDataReveal",
    "Plan",
    "Project",
    "ProjectEntry",
    "ProjectEvent",
    "ProjectFile",
    "Rectification",
    "Region",
    "RegionTarget",
    "RegisterRecord",
    "RosterPurge",
    "SelfAssessment",
    "StepReport",
    "StepReportEvent",
    "StepReportEvidence",
    "Submission",
    "SubmissionEvent",
    "SupervisionNotice",
    "SupervisionNoticeEvent",
    "TargetChange",
    "TownshipFigure",
    "TownshipTarget",
    "Trainee",
    "TrainingClass",
    "WorkStep",
    "WorkUnit",
    "bulletin_issuer_of",
    "default_deadline_day",
    "home_unit",
    "is_province",
    "local_places",
    "local_plans",
    "parts_of",
    "place_by_code",
    "place_of",
    "places_of",
    "responsible_units",
    "unit_name",
    "with_has_parts",
]
