"""The labour market's models, split by entity (NetBox's ``dcim/models/``) and re-exported here."""

from .applications import APPLICATION_WORKFLOW, Application, ApplicationEvent, Invitation
from .fairs import FAIR_FIELDS, FairBooth, FairRegistration, JobFair
from .occupations import Occupation
from .postings import (
    POSTING_FIELDS,
    POSTING_WORKFLOW,
    REPORT_WORKFLOW,
    Posting,
    PostingEvent,
    PostingReport,
    PostingReportEvent,
)
from .profiles import (
    CERTIFICATE_WORKFLOW,
    EMPLOYER_WORKFLOW,
    WORKER_PROFILE_FIELDS,
    Certificate,
    CertificateEvent,
    EmployerEvent,
    EmployerProfile,
    PersonCategory,
    WorkerProfile,
    WorkerSkill,
)
from .windows import PostingWindow, SeekerSpell

__all__ = [
    "APPLICATION_WORKFLOW",
    "CERTIFICATE_WORKFLOW",
    "EMPLOYER_WORKFLOW",
    "FAIR_FIELDS",
    "POSTING_FIELDS",
    "POSTING_WORKFLOW",
    "REPORT_WORKFLOW",
    "WORKER_PROFILE_FIELDS",
    "Application",
    "ApplicationEvent",
    "Certificate",
    "CertificateEvent",
    "EmployerEvent",
    "EmployerProfile",
    "FairBooth",
    "FairRegistration",
    "Invitation",
    "JobFair",
    "Occupation",
    "PersonCategory",
    "Posting",
    "PostingEvent",
    "PostingWindow",
    "PostingReport",
    "PostingReportEvent",
    "SeekerSpell",
    "WorkerProfile",
    "WorkerSkill",
]
