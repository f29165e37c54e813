"""Casework for the demo authority: eighteen months of a children's social care service.

`write_casework` runs after the people, agencies and staff exist. It plans the front door's
contacts at English rates, the referrals, assessments, strategy discussions, section 47
enquiries, conferences, plans, core groups, visits, child in need plans, early help and
looked-after episodes that follow, with a chronology entry for every event, and writes
them with `bulk_create` (a few INSERTs per table, no per-row queries; the chronology, the
biggest table, with plain batched INSERTs).

Planning is plain Python from one `random.Random(seed)` and `today` (`seed_demo` passes
the real date, so the work lists look current), so the same seed over the same people on
the same day gives the same casework. Whatever day that is (a weekend, a bank holiday),
the work lists keep the promises in `SHOWN`. It works in three passes:

1. Journeys. Contacts come in date order; each one decided to refer opens an episode
   whose whole future (assessment, enquiry, conference, plan, closure) is planned at
   once, up to `today`. The worker holding a case is a `Segment` of it (from
   allocation to reallocation or closure), not yet a person.
2. Allocation. The demo sign-in `social_worker` is given a caseload of about 17 open
   episodes (fewer in a small authority) with a mix of stages, something overdue and
   something due this week; the other segments go to the workers of the right team,
   evening out open caseloads.
3. Writing. The records that name a worker are filled in from their segments, then
   every table is written in dependency order, the chronology last (it points at the
   records by primary key).

Scale: the demo's workforce (about thirty social workers) is fixed, so casework covers
the first `CASEWORK_CHILDREN_CAP` children (20,000 by default; `seed_demo
--casework-children` changes it, 0 skips casework). That keeps caseloads believable and
a million-person build a few seconds longer, not an hour.

Everything here is made up.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime
import functools
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from jigsaw.access.roles import Role
from jigsaw.casework import timescales
from jigsaw.casework.models import (
    AbuseCategory,
    Allocation,
    Assessment,
    AssessmentFactor,
    AssessmentOutcome,
    Attendance,
    CaseNote,
    CaseNoteAddendum,
    CaseNoteKind,
    ChildInNeedPlan,
    ChildInNeedPlanReview,
    ChildProtectionConference,
    ChildProtectionPlan,
    ChronologyEntry,
    ChronologyKind,
    ClosureReason,
    ConferenceChild,
    ConferenceDecision,
    ConferenceInvitation,
    ConferenceKind,
    Consent,
    Contact,
    CoreGroupMeeting,
    CoreGroupMember,
    EarlyHelpEndReason,
    EarlyHelpEpisode,
    FamilyRole,
    FrontDoorDecision,
    LegalStatus,
    LookedAfterEpisode,
    PlacementType,
    PlanEndReason,
    PrimaryNeed,
    Referral,
    ReferralSource,
    Section47Enquiry,
    Section47Outcome,
    StrategyDecision,
    StrategyDiscussion,
    StrategyDiscussionAttendee,
    Timescale,
    TimescaleKey,
    TimescaleUnit,
    Urgency,
    Visit,
    VisitKind,
)
from jigsaw.core.demo import AGENCIES, CSC, FIRST_SCHOOL
from jigsaw.core.templatetags.jigsaw_tags import govuk_date
from jigsaw.partners.models import Agency, AgencyKind, NamedProfessional, Notification, Practitioner
from jigsaw.people.models import (
    BirthDatePrecision,
    Disability,
    HouseholdMember,
    Person,
    Relationship,
    RelationshipKind,
)
from jigsaw.workforce.models import Team

# --- Rates and sizes --------------------------------------------------------------------

# Contacts a year per 10,000 children (English front doors see roughly 500-600).
CONTACTS_PER_10K_A_YEAR = 550
WINDOW_MONTHS = 18
# Episodes opened before the window and still open when it starts, per 10,000 children:
# long child protection plans, looked-after children, long-term children in need (often
# disabled children).
LEGACY_PER_10K = {"cp": 6, "lac": 16, "cin": 55}
# Casework covers this many children at most: the demo's fixed workforce could not carry more.
CASEWORK_CHILDREN_CAP = 20_000
# The demo social worker's caseload (open episodes).
SOCIAL_WORKER_CASELOAD = 17
# Timescales if the policy in force lacks one (the Working Together 2023 defaults).
DEFAULT_RULES: dict[str, tuple[int, TimescaleUnit]] = {
    TimescaleKey.CONTACT_DECISION: (1, TimescaleUnit.WORKING_DAYS),
    TimescaleKey.ASSESSMENT: (45, TimescaleUnit.WORKING_DAYS),
    TimescaleKey.INITIAL_CONFERENCE: (15, TimescaleUnit.WORKING_DAYS),
    TimescaleKey.FIRST_CORE_GROUP: (10, TimescaleUnit.WORKING_DAYS),
    TimescaleKey.CORE_GROUP_INTERVAL: (4, TimescaleUnit.WEEKS),
    TimescaleKey.FIRST_REVIEW: (3, TimescaleUnit.MONTHS),
    TimescaleKey.LATER_REVIEW: (6, TimescaleUnit.MONTHS),
    TimescaleKey.PLAN_VISIT: (10, TimescaleUnit.WORKING_DAYS),
}

# Referral sources as the children in need census sees them (weights out of 100): police
# about 30%, schools 20% (a few of theirs go to health: a school cannot refer a baby),
# health 15%, the local authority 10%, individuals 8%.
SOURCES: list[tuple[str, int]] = [
    (ReferralSource.POLICE, 30),
    (ReferralSource.SCHOOLS, 22),
    (ReferralSource.EDUCATION_SERVICES, 1),
    (ReferralSource.GP, 3),
    (ReferralSource.HEALTH_VISITOR, 3),
    (ReferralSource.SCHOOL_NURSE, 1),
    (ReferralSource.OTHER_PRIMARY_HEALTH, 1),
    (ReferralSource.A_AND_E, 4),
    (ReferralSource.OTHER_HEALTH, 2),
    (ReferralSource.LA_SOCIAL_CARE, 4),
    (ReferralSource.LA_OTHER_INTERNAL, 2),
    (ReferralSource.LA_EXTERNAL, 2),
    (ReferralSource.EARLY_HELP, 2),
    (ReferralSource.FAMILY_MEMBER, 4),
    (ReferralSource.RELATIVE, 1),
    (ReferralSource.SELF, 1),
    (ReferralSource.OTHER_INDIVIDUAL, 2),
    (ReferralSource.HOUSING, 3),
    (ReferralSource.OTHER_LEGAL, 3),
    (ReferralSource.OTHER, 4),
    (ReferralSource.ANONYMOUS, 2),
    (ReferralSource.UNKNOWN, 1),
]
# The front door's decisions: about 40% open a referral.
DECISIONS: list[tuple[str, int]] = [
    (FrontDoorDecision.ASSESSMENT, 32),
    (FrontDoorDecision.STRATEGY_DISCUSSION, 8),
    (FrontDoorDecision.NO_FURTHER_ACTION, 24),
    (FrontDoorDecision.INFORMATION_AND_ADVICE, 22),
    (FrontDoorDecision.EARLY_HELP, 14),
]
NEEDS: list[tuple[str, int]] = [
    (PrimaryNeed.N1, 55),
    (PrimaryNeed.N4, 12),
    (PrimaryNeed.N5, 10),
    (PrimaryNeed.N2, 8),
    (PrimaryNeed.N3, 5),
    (PrimaryNeed.N6, 3),
    (PrimaryNeed.N8, 2),
    (PrimaryNeed.N7, 1),
    (PrimaryNeed.N9, 2),
    (PrimaryNeed.N0, 2),
]
OUTCOMES: list[tuple[str, int]] = [
    (AssessmentOutcome.NO_FURTHER_ACTION, 42),
    (AssessmentOutcome.EARLY_HELP, 10),
    (AssessmentOutcome.CHILD_IN_NEED_PLAN, 33),
    (AssessmentOutcome.STRATEGY_DISCUSSION, 12),
    (AssessmentOutcome.LOOKED_AFTER, 3),
]
CATEGORIES: list[tuple[str, int]] = [
    (AbuseCategory.NEGLECT, 50),
    (AbuseCategory.EMOTIONAL, 35),
    (AbuseCategory.PHYSICAL, 7),
    (AbuseCategory.SEXUAL, 4),
    (AbuseCategory.MULTIPLE, 4),
]
STRATEGY_DECISIONS: list[tuple[str, int]] = [
    (StrategyDecision.SECTION_47, 17),
    (StrategyDecision.SINGLE_AGENCY, 2),
    (StrategyDecision.NO_FURTHER_ACTION, 1),
]
SECTION47_OUTCOMES: list[tuple[str, int]] = [
    (Section47Outcome.CONFERENCE, 31),
    (Section47Outcome.CHILD_IN_NEED, 10),
    (Section47Outcome.NOT_SUBSTANTIATED, 9),
]
# How long a child protection plan runs, in months: it ends at the first review
# conference after that (most within a year, a few for over two).
PLAN_MONTHS: list[tuple[int, int]] = [(3, 7), (9, 8), (15, 3), (21, 1), (30, 1)]
# Factors at the end of assessment, the commonest first (domestic abuse, mental health,
# neglect, drugs and alcohol).
FACTORS: list[tuple[str, int]] = [
    (AssessmentFactor.DOMESTIC_ABUSE_PARENT, 22),
    (AssessmentFactor.DOMESTIC_ABUSE_OTHER, 8),
    (AssessmentFactor.MENTAL_HEALTH_PARENT, 20),
    (AssessmentFactor.NEGLECT, 12),
    (AssessmentFactor.DRUGS_PARENT, 9),
    (AssessmentFactor.ALCOHOL_PARENT, 8),
    (AssessmentFactor.EMOTIONAL_ABUSE, 9),
    (AssessmentFactor.MENTAL_HEALTH_CHILD, 5),
    (AssessmentFactor.PHYSICAL_ABUSE_BY_ADULT, 4),
    (AssessmentFactor.LEARNING_DISABILITY_PARENT, 2),
    (AssessmentFactor.PHYSICAL_DISABILITY_CHILD, 2),
    (AssessmentFactor.SELF_HARM, 2),
    (AssessmentFactor.GOING_MISSING, 2),
    (AssessmentFactor.SOCIALLY_UNACCEPTABLE_BEHAVIOUR, 2),
    (AssessmentFactor.CRIMINAL_EXPLOITATION, 1),
    (AssessmentFactor.SEXUAL_EXPLOITATION, 1),
    (AssessmentFactor.YOUNG_CARER, 1),
]
CATEGORY_FACTOR = {
    AbuseCategory.NEGLECT: AssessmentFactor.NEGLECT,
    AbuseCategory.EMOTIONAL: AssessmentFactor.EMOTIONAL_ABUSE,
    AbuseCategory.PHYSICAL: AssessmentFactor.PHYSICAL_ABUSE_BY_ADULT,
    AbuseCategory.SEXUAL: AssessmentFactor.SEXUAL_ABUSE_BY_ADULT,
    AbuseCategory.MULTIPLE: AssessmentFactor.NEGLECT,
}
# Share of new assessment-team work per team: the demo team manager's team takes most.
ASSESSMENT_TEAMS = [("Assessment Team 1", 45), ("Assessment Team 2", 28), ("Assessment Team 3", 27)]
CP_TEAM = "Child Protection Team"
CIC_TEAM = "Children in Care Team"
MASH_TEAM = "Front Door (MASH)"
IRO_TEAM = "Conference Chairs and IRO Unit"
SECONDARY_SCHOOLS = [
    "Riverford Academy",
    "Northgate High School",
    "Stonebridge Community College",
    "Kingsmead School",
]
SPECIAL_SCHOOL = "Hillcrest Special School"
POLICE = "Riverdale Police (Riverford District)"
HOSPITAL = "Riverford Royal Infirmary"
HEALTH_VISITING = "Riverford Health Visiting Service"
NURSERY = "Little Acorns Day Nursery"
HOUSING = "Riverford Homes"
VOLUNTARY = "Riverford Family Action"

# --- What people write ------------------------------------------------------------------

CONCERNS: dict[str, list[str]] = {
    "police": [
        "Police attended a domestic incident at the home overnight; {child} was present and very upset.",
        "Police called to a disturbance at the address; mother was heavily intoxicated and the children were at home.",
        "{child} was found alone in the town centre late at night and brought home by police.",
        "Police report an assault on mother by her partner; the children were in the next room.",
        "Cannabis and scales found at the address during a police search; the children live there.",
        "{child} was reported missing for the third time this month and found at an older man's flat.",
    ],
    "school": [
        "{child} came to school with a bruise on the cheek and said it happened at home.",
        "{child} often arrives hungry and in unwashed clothes; attendance is 81% this term.",
        "{child} told a teacher there is shouting and fighting at home most nights.",
        "{child} has marks on the arms that look like self-harm and says home is not safe.",
        "{child} has not been collected from school on time four times this month.",
    ],
    "health": [
        "Missed immunisations and three missed health visitor appointments; mother seems low in mood.",
        "{child} was brought to the emergency department with an injury the explanation does not fit.",
        "{child} attended the emergency department after taking an overdose of paracetamol.",
        "Mother told the health visitor her partner controls the money and who she sees.",
        "Home conditions poor at the health visitor's visit: no clean bedding and little food.",
    ],
    "authority": [
        "Housing report the flat is in very poor condition, with rent arrears and a threat of eviction.",
        "Another authority reports the family moved here while the children were on a plan there.",
        "Early help worker concerned: the family stopped engaging and the worries have grown.",
        "Youth offending service concerned that {child} is being drawn into county lines.",
    ],
    "individual": [
        "A neighbour says the children are left alone in the evenings.",
        "Grandmother is worried about mother's drinking and how the children are cared for.",
        "{child} rang to say things at home are too much and asked for help.",
        "Father, who does not live with the children, is worried about his ex-partner's new partner.",
    ],
    "unborn": [
        "Midwife concerned: mother is 28 weeks pregnant, using heroin, and her older children were removed.",
        "Pregnant mother disclosed domestic abuse by her partner at the booking appointment.",
        "Expectant mother with severe depression, not engaging with antenatal care.",
    ],
}
SOURCE_GROUP: dict[str, str] = {
    ReferralSource.POLICE: "police",
    ReferralSource.SCHOOLS: "school",
    ReferralSource.EDUCATION_SERVICES: "school",
    ReferralSource.GP: "health",
    ReferralSource.HEALTH_VISITOR: "health",
    ReferralSource.SCHOOL_NURSE: "health",
    ReferralSource.OTHER_PRIMARY_HEALTH: "health",
    ReferralSource.A_AND_E: "health",
    ReferralSource.OTHER_HEALTH: "health",
}
DECISION_REASONS: dict[str, list[str]] = {
    FrontDoorDecision.ASSESSMENT: [
        "Needs are complex and growing; a child and family assessment is needed.",
        "Repeated concerns from several agencies: assess the family's needs.",
    ],
    FrontDoorDecision.STRATEGY_DISCUSSION: [
        "Reasonable cause to suspect significant harm: strategy discussion with police and health today.",
        "Injury with no clear explanation: strategy discussion needed.",
    ],
    FrontDoorDecision.NO_FURTHER_ACTION: [
        "Checks show no current concerns; the school will keep an eye on things.",
        "A one-off incident; the parent acted protectively.",
    ],
    FrontDoorDecision.INFORMATION_AND_ADVICE: [
        "Advice given to the referrer; the family can be signposted to universal services.",
        "Referrer advised to talk to the family and refer again if the worries continue.",
    ],
    FrontDoorDecision.EARLY_HELP: [
        "Needs can be met by early help with the family's consent.",
        "Family agree to support: early help assessment with a lead professional.",
    ],
}
# Referrers who are not one of the demo's agencies.
OTHER_REFERRERS: dict[str, list[str]] = {
    ReferralSource.FAMILY_MEMBER: ["Mother", "Father", "Stepfather", "Older sister"],
    ReferralSource.RELATIVE: ["Grandmother", "Aunt", "Uncle"],
    ReferralSource.SELF: ["The child"],
    ReferralSource.OTHER_INDIVIDUAL: ["A neighbour", "A family friend", "A member of the public"],
    ReferralSource.LA_EXTERNAL: ["Another local authority's children's services"],
    ReferralSource.LA_OTHER_INTERNAL: ["Council housing benefits team", "Council youth service"],
    ReferralSource.OTHER_LEGAL: ["Youth offending service", "Probation service", "Cafcass"],
    ReferralSource.EDUCATION_SERVICES: ["Education welfare officer"],
    ReferralSource.OTHER_PRIMARY_HEALTH: ["Community dentist", "Pharmacist"],
}
OPEN_CASE_REASON = "The child has an allocated social worker: the information has been passed to them."
PARTNER_EVENTS: dict[str, list[tuple[str, bool]]] = {
    "police": [
        ("Police attended a domestic incident at the home", False),
        ("Police attended a domestic incident at the home; mother had a facial injury", True),
        ("Police called to a noise complaint at the address; no offences", False),
        ("Mother's partner arrested for breach of a non-molestation order", True),
        ("Police made a welfare check after the children were heard screaming", False),
    ],
    "school": [
        ("Attendance below 85% this term; letters home unanswered", False),
        ("Fixed-term exclusion for two days after a fight", False),
        ("Disclosed to a teacher that Dad hit Mum at the weekend", True),
        ("Arrived without a coat in the rain and asked for breakfast again", False),
    ],
    "gp": [
        ("Missed two appointments for the child's asthma review", False),
        ("Mother seen for low mood; antidepressants started", False),
        ("Missed the 12-month development review and immunisations", False),
    ],
    "hospital": [
        ("Attended the emergency department with a head injury after a fall", False),
        ("Attended the emergency department with a burn; delay in seeking treatment", True),
    ],
    "housing": [("Notice of seeking possession served for rent arrears", False)],
}
CASE_NOTES: list[tuple[str, str]] = [
    (
        CaseNoteKind.PHONE_CALL,
        "Spoke to the school's safeguarding lead: {child} is attending and seems brighter.",
    ),
    (
        CaseNoteKind.PHONE_CALL,
        "Phoned mother to arrange the next visit; she was tearful and said money is tight.",
    ),
    (
        CaseNoteKind.HOME_VISIT,
        "Home visit: the house was tidier; food in the fridge; {child} showed me their room.",
    ),
    (
        CaseNoteKind.HOME_VISIT,
        "Unannounced visit: no answer; a neighbour said the family were out. Left a card.",
    ),
    (CaseNoteKind.MEETING, "Met the health visitor to share the plan; she will visit fortnightly."),
    (CaseNoteKind.EMAIL, "Emailed the police domestic abuse officer for the incident log."),
    (CaseNoteKind.OBSERVATION, "{child} was relaxed with mother and went to her for comfort after a bump."),
    (CaseNoteKind.OTHER, "Completed a referral to the domestic abuse service for mother."),
]
MANAGEMENT_NOTES = [
    "Management oversight: the plan is right; visit weekly until the core group meets.",
    "Supervision: progress is slow; consider a legal planning meeting if nothing changes in 6 weeks.",
    "Management oversight: the assessment can finish early; the family's needs are clear.",
]
CHILD_VIEWS = [
    "{child} told their social worker they feel safe at school but worry when the adults argue.",
    "{child} drew a picture of home with everyone in it and said they want the shouting to stop.",
    "{child} did not want to come but wrote a letter: they want to stay at home with Mum.",
]
BABY_VIEWS = "Too young to give views; seen relaxed and well cared for at the nursery."
LAC_ENDINGS = [
    ("Returned home to live with parents", ClosureReason.RC7),
    ("Special guardianship order to grandmother", ClosureReason.RC4),
    ("Child arrangements order to father", ClosureReason.RC3),
]

OPENS_REFERRAL = (FrontDoorDecision.ASSESSMENT, FrontDoorDecision.STRATEGY_DISCUSSION)
# What the work lists must show on any day, however small the authority, each from a contact
# planned for it (`Planner.run`): at the front door a contact awaiting a decision and one
# awaiting its authorisation; for the team manager a referral awaiting allocation and an
# assessment awaiting sign-off; for the demo social worker an assessment due in the next
# seven days and one overdue.
SHOWN = ("decision", "authorisation", "allocation", "sign-off", "due this week", "overdue")
# Those of them that open a referral: decided and authorised the day they came in.
SHOWN_REFERRALS = ("allocation", "sign-off", "due this week", "overdue")
ANALYSIS: dict[str, str] = {
    AssessmentOutcome.NO_FURTHER_ACTION: "Parents have acted on the concerns; universal services meet the child's needs.",
    AssessmentOutcome.EARLY_HELP: "The needs are real but early help can meet them, and the family agree.",
    AssessmentOutcome.CHILD_IN_NEED_PLAN: "The child is in need: a plan with the family, school and health will meet the needs.",
    AssessmentOutcome.STRATEGY_DISCUSSION: "There is reasonable cause to suspect the child is suffering significant harm.",
    AssessmentOutcome.LOOKED_AFTER: "The child cannot live safely at home; the parents agree to accommodation.",
}
STRATEGY_SUMMARIES: dict[str, str] = {
    StrategyDecision.SECTION_47: "Threshold for section 47 met: joint visit with police today; medical if needed.",
    StrategyDecision.SINGLE_AGENCY: "Threshold for section 47 not met: the assessment continues.",
    StrategyDecision.NO_FURTHER_ACTION: "The explanation fits the injury: no further action.",
}
CONFERENCE_SUMMARIES: dict[str, str] = {
    ConferenceDecision.PLAN: "Risk of significant harm: a child protection plan agreed with the family and agencies.",
    ConferenceDecision.CONTINUE_PLAN: "Some progress; the plan continues with the changes agreed.",
    ConferenceDecision.END_PLAN: "Sustained progress: no longer at continuing risk of significant harm. The plan ends.",
    ConferenceDecision.NO_PLAN: "The concerns are real but a child in need plan can meet them.",
}
PROFESSIONAL_ATTENDANCE = [
    (Attendance.IN_PERSON, 42),
    (Attendance.VIDEO, 26),
    (Attendance.PHONE, 10),
    (Attendance.REPORT_ONLY, 12),
    (Attendance.APOLOGIES, 6),
    (Attendance.DID_NOT_ATTEND, 4),
]
PARENT_ATTENDANCE = [
    (Attendance.IN_PERSON, 60),
    (Attendance.VIDEO, 8),
    (Attendance.PHONE, 6),
    (Attendance.DID_NOT_ATTEND, 26),
]
CORE_GROUP_SUMMARIES = [
    "Reviewed the plan: school attendance improving; home conditions still a worry.",
    "Mother attended; a routine for bedtimes and school mornings agreed.",
    "Father did not attend; the police shared an update on his bail conditions.",
    "Good progress on the plan; the health visitor will keep visiting weekly.",
]
CIN_REVIEW_SUMMARIES = [
    "Needs still being met; the plan continues.",
    "Good progress; plan reviewed with the family.",
    "Some actions slipped; renewed with dates.",
]
PLACEMENTS = [
    (PlacementType.U4, 30),
    (PlacementType.U6, 35),
    (PlacementType.K2, 14),
    (PlacementType.U3, 12),
    (PlacementType.P1, 4),
    (PlacementType.R1, 5),
]
EARLY_HELP_ENDINGS = [
    (EarlyHelpEndReason.NEEDS_MET, 60),
    (EarlyHelpEndReason.DISENGAGED, 20),
    (EarlyHelpEndReason.STEPPED_UP, 10),
    (EarlyHelpEndReason.MOVED, 10),
]
MOVE_REASONS = [
    "The previous worker left the authority",
    "Caseloads evened out across the team",
    "The previous worker is on long-term sick leave",
]

T = TypeVar("T")
M = TypeVar("M", bound=models.Model)
Who = Callable[[], int]


def _weighted(rng: random.Random, options: Sequence[tuple[T, int]]) -> T:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


class Deck(Generic[T]):
    """Draws in the given proportions, like `random.choices`, but dealt from a shuffled
    deck so that the shares hold even over a few dozen draws (a small authority)."""

    def __init__(self, rng: random.Random, options: Sequence[tuple[T, int]]) -> None:
        self.rng = rng
        self.cards = [option for option, weight in options for _ in range(weight)]
        self.left: list[T] = []

    def draw(self) -> T:
        if not self.left:
            self.left = self.cards[:]
            self.rng.shuffle(self.left)
        return self.left.pop()


def _months_between(earlier: datetime.date, later: datetime.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


# --- Time: the policy's timescales with the lookups done once ----------------------------


class Clock:
    """Due dates by the timescale policy in force, as `timescales.due_date` gives them, but
    with the rules read once (it queries on every call) and working days found by
    bisection rather than counted day by day."""

    def __init__(self, today: datetime.date) -> None:
        policy = timescales.policy_in_force()
        found = {t.key: (t.amount, TimescaleUnit(t.unit)) for t in Timescale.objects.filter(policy=policy)}
        self.rules = {**DEFAULT_RULES, **found}
        first = today - datetime.timedelta(days=365 * 9)
        days = (first + datetime.timedelta(days=n) for n in range(365 * 12))
        self.working_days = [d for d in days if timescales.is_working_day(d)]

    def add_working_days(self, start: datetime.date, days: int) -> datetime.date:
        """`days` working days after `start` (before it, if negative); start is not counted."""
        if days == 0:
            return start
        if days > 0:
            i = bisect.bisect_right(self.working_days, start) + days - 1
        else:
            i = bisect.bisect_left(self.working_days, start) + days
        if start < self.working_days[0] or not 0 <= i < len(self.working_days):
            if days > 0:
                return timescales.add_working_days(start, days)
            return start + datetime.timedelta(days=round(days * 7 / 5))
        return self.working_days[i]

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """Working days after `start` up to and including `end` (within the calendar's years)."""
        return bisect.bisect_right(self.working_days, end) - bisect.bisect_right(self.working_days, start)

    def is_working_day(self, day: datetime.date) -> bool:
        i = bisect.bisect_left(self.working_days, day)
        if self.working_days[0] <= day <= self.working_days[-1]:
            return i < len(self.working_days) and self.working_days[i] == day
        return timescales.is_working_day(day)

    def working_day_on_or_after(self, day: datetime.date) -> datetime.date:
        i = bisect.bisect_left(self.working_days, day)
        return self.working_days[i] if i < len(self.working_days) else day

    def due(self, key: str, start: datetime.date) -> datetime.date:
        amount, unit = self.rules[key]
        if unit == TimescaleUnit.WORKING_DAYS:
            return self.add_working_days(start, amount)
        return timescales.apply(amount, unit, start)


# --- Staff and families ------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Worker:
    """Someone named in the casework: a practitioner, and their user if they have one."""

    user_id: int
    practitioner_id: int
    name: str
    agency_id: int
    team_id: int | None
    job_title: str
    phone: str
    secure_email: str
    preferred_contact: str


def _worker(p: Practitioner) -> Worker:
    return Worker(
        user_id=p.user_id or 0,
        practitioner_id=p.pk,
        name=p.full_name,
        agency_id=p.agency_id,
        team_id=p.team_id,
        job_title=p.job_title,
        phone=p.phone,
        secure_email=p.secure_email,
        preferred_contact=p.preferred_contact,
    )


@dataclasses.dataclass
class Staff:
    agencies: dict[str, int]
    teams: dict[str, int]
    team_names: dict[int, str]
    workers: dict[int, list[Worker]]  # case-holding social workers by team
    managers: dict[int, list[Worker]]  # team managers by team
    front_door: list[Worker]
    chairs: list[Worker]
    partners: dict[int, list[Worker]]  # partner practitioners by agency
    social_worker: Worker
    team_manager: Worker
    front_door_officer: Worker
    conference_chair: Worker
    school_dsl: Worker | None
    names: dict[int, str] = dataclasses.field(default_factory=dict)  # by user

    def __post_init__(self) -> None:
        everyone = [*self.front_door, *self.chairs, *itertools.chain(*self.workers.values())]
        everyone += [*itertools.chain(*self.managers.values()), self.team_manager, self.social_worker]
        self.names = {w.user_id: w.name for w in everyone}

    def partner(self, rng: random.Random, agency: str, title: str = "") -> Worker | None:
        found = self.partners.get(self.agencies.get(agency, 0), [])
        if title:
            found = [w for w in found if title.lower() in w.job_title.lower()] or found
        return rng.choice(found) if found else None


def demo_staff() -> Staff | None:
    """The demo's staff. Each children's social care practitioner who holds casework gets
    a user of their own, with no usable password: one sign-in per role stays the demo's
    rule. The users are named by team and place (`assessment-team-2-social-worker-3`), so
    a rerun after `--reset` reuses them. None if the demo agencies are not there."""
    names = [a[0] for a in AGENCIES]
    agencies = dict(Agency.objects.filter(name__in=names).values_list("name", "pk"))
    if CSC not in agencies:
        return None
    teams = dict(Team.objects.filter(agency_id=agencies[CSC]).values_list("name", "pk"))
    holding = [Role.SOCIAL_WORKER, Role.TEAM_MANAGER, Role.FRONT_DOOR_OFFICER, Role.CONFERENCE_CHAIR]
    staff = list(
        Practitioner.objects.filter(agency_id=agencies[CSC], team__isnull=False, role__in=holding)
        .select_related("team", "user")
        .order_by("pk")
    )
    wanted: dict[str, Practitioner] = {}
    places: dict[tuple[int, str], int] = defaultdict(int)
    for p in staff:
        if p.user_id is not None or p.team is None:
            continue
        places[(p.team.pk, p.role)] += 1
        wanted[f"{slugify(p.team.name)}-{p.role.replace('_', '-')}-{places[(p.team.pk, p.role)]}"] = p
    existing = {u.username: u for u in User.objects.filter(username__in=wanted)}
    unusable = make_password(None)
    new: list[User] = []
    for username, p in wanted.items():
        user = existing.get(username) or User(username=username)
        first, _, last = p.full_name.partition(" ")
        user.first_name, user.last_name, user.email, user.password = first, last, p.secure_email, unusable
        user.is_active, user.is_staff, user.is_superuser = True, False, False
        if user.pk is None:
            new.append(user)
    User.objects.bulk_create(new)
    User.objects.bulk_update(
        list(existing.values()),
        ["first_name", "last_name", "email", "password", "is_active", "is_staff", "is_superuser"],
    )
    users = {u.username: u for u in [*existing.values(), *new]}
    for username, p in wanted.items():
        p.user = users[username]
    Practitioner.objects.bulk_update(list(wanted.values()), ["user"])

    workers: dict[int, list[Worker]] = defaultdict(list)
    managers: dict[int, list[Worker]] = defaultdict(list)
    front_door: list[Worker] = []
    chairs: list[Worker] = []
    signed: dict[str, Worker] = {}
    for p in staff:
        if p.team_id is None:
            continue
        w = _worker(p)
        if p.user is not None and p.user.username == p.role:
            signed[p.role] = w
        {
            Role.SOCIAL_WORKER: workers[p.team_id],
            Role.TEAM_MANAGER: managers[p.team_id],
            Role.FRONT_DOOR_OFFICER: front_door,
        }.get(Role(p.role), chairs).append(w)
    if not all(r in signed for r in holding):
        return None
    partners: dict[int, list[Worker]] = defaultdict(list)
    school_dsl = None
    for p in (
        Practitioner.objects.filter(role=Role.PARTNER_PRACTITIONER, agency_id__in=agencies.values())
        .select_related("user")
        .order_by("pk")
    ):
        w = _worker(p)
        partners[p.agency_id].append(w)
        if p.user is not None and p.user.username == Role.PARTNER_PRACTITIONER:
            school_dsl = w
    return Staff(
        agencies=agencies,
        teams=teams,
        team_names={pk: name for name, pk in teams.items()},
        workers=dict(workers),
        managers=dict(managers),
        front_door=front_door,
        chairs=chairs,
        partners=dict(partners),
        social_worker=signed[Role.SOCIAL_WORKER],
        team_manager=signed[Role.TEAM_MANAGER],
        front_door_officer=signed[Role.FRONT_DOOR_OFFICER],
        conference_chair=signed[Role.CONFERENCE_CHAIR],
        school_dsl=school_dsl,
    )


@dataclasses.dataclass(eq=False)
class Family:
    key: int
    children: list[Child] = dataclasses.field(default_factory=list)
    parents: list[str] = dataclasses.field(default_factory=list)
    weight: float = 1.0
    gp: str = ""
    primary: str = ""
    secondary: str = ""


@dataclasses.dataclass(eq=False)
class Child:
    pk: int
    given: str
    dob: datetime.date
    unborn: bool
    family: Family
    # The day the current episode closed (date.max while one is open).
    busy_until: datetime.date | None = None
    last_referral: datetime.date | None = None

    def age(self, on: datetime.date) -> float:
        return (on - self.dob).days / 365.25

    @property
    def first_name(self) -> str:
        return self.given.split(" ")[0] if self.given else "the baby"


def load_families(cap: int, rng: random.Random) -> list[Family]:
    """The first `cap` children (in the order they were written) grouped by household,
    unborn children with their mother's, each family with its parents' names, a GP
    practice, a primary and a secondary school."""
    child_ids = list(
        Relationship.objects.filter(kind=RelationshipKind.PARENT)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .distinct()[:cap]
    )
    if not child_ids:
        return []
    last = child_ids[-1]
    people = {
        row[0]: row[1:]
        for row in Person.objects.filter(pk__lte=last).values_list(
            "pk", "given_names", "family_name", "date_of_birth", "birth_date_precision"
        )
    }
    household_of = dict(
        HouseholdMember.objects.filter(person_id__lte=last).values_list("person_id", "household_id")
    )
    parents_of: dict[int, list[int]] = defaultdict(list)
    for child, parent in (
        Relationship.objects.filter(kind=RelationshipKind.PARENT, person_id__lte=last)
        .order_by("pk")
        .values_list("person_id", "relative_id")
    ):
        parents_of[child].append(parent)
    schools = [n for n, k, _ in AGENCIES if k == AgencyKind.SCHOOL]
    primaries = [s for s in schools if s not in SECONDARY_SCHOOLS and s != SPECIAL_SCHOOL]
    secondaries = [s for s in schools if s in SECONDARY_SCHOOLS]
    gps = [n for n, k, _ in AGENCIES if k == AgencyKind.GP_PRACTICE]
    families: dict[int, Family] = {}
    for pk in child_ids:
        given, _, dob, precision = people[pk]
        key = household_of.get(pk)
        if key is None:
            key = next((household_of[p] for p in parents_of[pk] if p in household_of), None)
        if key is None or dob is None:
            continue
        family = families.get(key)
        if family is None:
            family = families[key] = Family(
                key=key,
                # A few families draw most of the concern: a long-tailed spread of weights.
                weight=rng.choice([0.15, 0.3, 0.6, 1.0, 1.5, 3.0, 8.0, 20.0]),
                gp=rng.choice(gps),
                primary=rng.choice(primaries),
                secondary=rng.choice(secondaries),
            )
        family.children.append(Child(pk, given, dob, precision == BirthDatePrecision.EXPECTED, family))
        for parent in parents_of[pk]:
            if parent in people:
                pg, pf, _, _ = people[parent]
                name = f"{pg.split(' ')[0]} {pf}".strip()
                if name not in family.parents:
                    family.parents.append(name)
    return list(families.values())


# --- The plan ----------------------------------------------------------------------------


@dataclasses.dataclass(eq=False)
class Segment:
    """A stretch of a case held by one worker, from allocation to reallocation or closure.
    Which worker (and which team, for assessment-team work) is chosen in the allocation pass."""

    kind: str  # "assessment" (an assessment team), "cp" (child protection team) or "lac"
    start: datetime.datetime
    end: datetime.datetime | None = None
    reason: str = ""
    team_id: int = 0
    worker: Worker | None = None
    manager: Worker | None = None


@dataclasses.dataclass(eq=False)
class Case:
    """The episode of one child, or the episodes of siblings referred together (they run
    as one: same worker, same meetings, each child with their own records)."""

    children: list[Child]
    referrals: list[Referral]
    segments: list[Segment] = dataclasses.field(default_factory=list)
    team_id: int = 0
    due: list[datetime.date] = dataclasses.field(default_factory=list)
    stage: str = ""
    open: bool = True
    # What the demo needs the case to show today, if anything: one of `SHOWN_REFERRALS`.
    waiting: str = ""

    @property
    def family(self) -> Family:
        return self.children[0].family

    def segment_on(self, day: datetime.date) -> Segment:
        held = self.segments[0]
        for s in self.segments:
            if s.start.date() <= day:
                held = s
        return held


@dataclasses.dataclass
class Entry:
    """A chronology entry, written once its record has a primary key and its worker is known."""

    person_id: int
    on: datetime.date
    kind: str
    summary: str | Callable[[], str]
    source: models.Model | None
    by: Who | int | None
    agency_id: int | None
    at: datetime.datetime | None = None
    detail: str = ""
    significant: bool = False


@dataclasses.dataclass
class CaseworkCounts:
    children_covered: int = 0
    contacts: int = 0
    awaiting_front_door: int = 0
    referrals: int = 0
    open_referrals: int = 0
    unallocated: int = 0
    assessments: int = 0
    strategy_discussions: int = 0
    section47s: int = 0
    conferences: int = 0
    cp_plans_open: int = 0
    cin_plans_open: int = 0
    looked_after_open: int = 0
    early_help: int = 0
    visits: int = 0
    case_notes: int = 0
    chronology: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"Casework for {self.children_covered:,} children: {self.contacts:,} contacts, "
            f"{self.referrals:,} referrals ({self.open_referrals:,} open, {self.unallocated} unallocated), "
            f"{self.assessments:,} assessments, {self.section47s:,} section 47 enquiries, "
            f"{self.conferences:,} conferences, {self.visits:,} visits, {self.chronology:,} chronology "
            f"entries; today {self.cp_plans_open} on a child protection plan, {self.cin_plans_open} on a "
            f"child in need plan, {self.looked_after_open} looked after ({self.seconds:.1f}s)."
        )


class Planner:
    """Plans the casework as unsaved rows; see the module docstring for the three passes."""

    def __init__(self, *, seed: int, today: datetime.date, staff: Staff, families: list[Family]) -> None:
        self.rng = random.Random(seed * 7919 + 404)  # noqa: S311 - synthetic demo data, not security  # nosec B311
        self.today = today
        self.tz = timezone.get_default_timezone()
        self.now = self.at(today, 16, 30)
        self.window_start = timescales.add_months(today, -WINDOW_MONTHS)
        self.clock = Clock(today)
        self.staff = staff
        self.csc = staff.agencies[CSC]
        self.families = families
        self.children = [c for f in families for c in f.children]
        self._family_weights = list(itertools.accumulate(f.weight for f in families))
        self.referred: list[Child] = []
        self.sources = Deck(self.rng, SOURCES)
        self.decisions = Deck(self.rng, DECISIONS)
        self.needs = Deck(self.rng, NEEDS)
        self.outcomes = Deck(self.rng, OUTCOMES)
        self.categories = Deck(self.rng, CATEGORIES)
        self.strategy_decisions = Deck(self.rng, STRATEGY_DECISIONS)
        self.section47_outcomes = Deck(self.rng, SECTION47_OUTCOMES)
        self.plan_months = Deck(self.rng, PLAN_MONTHS)
        self.with_siblings = Deck(self.rng, [(True, 2), (False, 3)])
        # A few of each thing the demo must show, however small the authority.
        self.quota = max(2, round(len(self.children) / 2500))
        self.shown: dict[str, int] = defaultdict(int)
        self.cases: list[Case] = []
        self.fills: list[Callable[[], None]] = []
        self.entries: list[Entry] = []
        # Rows, by table.
        self.contacts: list[Contact] = []
        self.referrals: list[Referral] = []
        # When each referral was opened (its `created_at`, which a bulk INSERT sets to now).
        self.opened_at: list[datetime.datetime] = []
        self.allocations: list[Allocation] = []
        self.assessments: list[Assessment] = []
        self.discussions: list[StrategyDiscussion] = []
        self.discussion_links: list[tuple[StrategyDiscussion, Referral]] = []
        self.attendees: list[StrategyDiscussionAttendee] = []
        self.section47s: list[Section47Enquiry] = []
        self.conferences: list[ChildProtectionConference] = []
        self.plans: list[ChildProtectionPlan] = []
        self.conference_children: list[ConferenceChild] = []
        self.invitations: list[ConferenceInvitation] = []
        self.core_groups: list[CoreGroupMeeting] = []
        self.members: list[CoreGroupMember] = []
        self.visits: list[Visit] = []
        self.cin_plans: list[ChildInNeedPlan] = []
        self.cin_reviews: list[ChildInNeedPlanReview] = []
        self.early_help: list[EarlyHelpEpisode] = []
        self.looked_after: list[LookedAfterEpisode] = []
        self.case_notes: list[CaseNote] = []
        self.named: dict[tuple[int, int], NamedProfessional] = {}

    # --- Helpers -------------------------------------------------------------------------

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=self.tz)

    def work_time(self, day: datetime.date, earliest: int = 9, latest: int = 16) -> datetime.datetime:
        return self.at(
            day, self.rng.randint(earliest, latest), self.rng.choice([0, 10, 15, 20, 30, 40, 45, 50])
        )

    def wd(self, day: datetime.date, low: int, high: int) -> datetime.date:
        """A day `low` to `high` working days after `day`."""
        return self.clock.add_working_days(day, self.rng.randint(low, high))

    def pick_family(self) -> Family:
        x = self.rng.random() * self._family_weights[-1]
        return self.families[min(bisect.bisect_right(self._family_weights, x), len(self.families) - 1)]

    @staticmethod
    def free(child: Child, on: datetime.date) -> bool:
        return child.busy_until is None or child.busy_until < on

    @staticmethod
    def eligible(child: Child, on: datetime.date) -> bool:
        return not child.unborn and child.dob <= on and child.age(on) < 17

    def pick_child(self, on: datetime.date, *, free: bool, tries: int = 30) -> Child | None:
        for _ in range(tries):
            options = [
                c
                for c in self.pick_family().children
                if self.eligible(c, on) and (not free or self.free(c, on))
            ]
            if options:
                return self.rng.choice(options)
        return None

    def siblings(self, child: Child, on: datetime.date) -> list[Child]:
        return [
            c for c in child.family.children if c is not child and self.eligible(c, on) and self.free(c, on)
        ]

    def school_of(self, child: Child, on: datetime.date) -> str:
        age = child.age(on)
        if child.unborn or age < 2:
            return ""
        if age < 4:
            return NURSERY
        if age < 11:
            return child.family.primary
        return SPECIAL_SCHOOL if child.pk % 41 == 0 else child.family.secondary

    def entry(
        self,
        child: Child,
        on: datetime.date,
        kind: str,
        summary: str | Callable[[], str],
        source: models.Model | None,
        by: Who | int | None,
        *,
        agency_id: int | None = None,
        partner: bool = False,
        at: datetime.datetime | None = None,
        detail: str = "",
        significant: bool = False,
    ) -> None:
        """One event in the child's chronology. The agency is the recorder's (children's
        social care) unless `partner` says the event is another agency's."""
        agency = agency_id if partner else self.csc
        self.entries.append(Entry(child.pk, on, kind, summary, source, by, agency, at, detail, significant))

    # Records that name the worker (or a manager) of a case are filled in after the
    # allocation pass; these return the lookup, to use for the record and its entry alike.

    def worker_on(self, case: Case, day: datetime.date) -> Who:
        def who() -> int:
            worker = case.segment_on(day).worker
            assert worker is not None
            return worker.user_id

        return who

    def manager_on(self, case: Case, day: datetime.date) -> Who:
        chosen: list[int] = []

        def who() -> int:
            if not chosen:
                chosen.append(self.pick_manager(case.segment_on(day).team_id).user_id)
            return chosen[0]

        return who

    def fill(self, record: models.Model, field: str, who: Who) -> Who:
        self.fills.append(lambda: setattr(record, field, who()))
        return who

    def fill_worker(self, case: Case, day: datetime.date, set_worker: Callable[[Worker], None]) -> None:
        def fill() -> None:
            worker = case.segment_on(day).worker
            assert worker is not None
            set_worker(worker)

        self.fills.append(fill)

    def naming(self, template: str, who: Who) -> Callable[[], str]:
        """A summary naming the worker or manager `who` turns out to be: "{name}" in `template`."""
        return lambda: template.format(name=self.staff.names.get(who(), ""))

    def first_few(self, what: str) -> bool:
        """True for the first few times `what` could happen, so that a small authority
        still shows it (an assessment awaiting sign-off, siblings conferenced together)."""
        self.shown[what] += 1
        return self.shown[what] <= self.quota

    def pick_manager(self, team_id: int) -> Worker:
        """A manager of the team; in the demo team manager's team, mostly them."""
        if team_id == self.staff.team_manager.team_id and self.rng.random() < 0.65:
            return self.staff.team_manager
        return self.rng.choice(self.staff.managers.get(team_id) or [self.staff.team_manager])

    # --- The front door ------------------------------------------------------------------

    def run(self) -> None:
        """Every contact in date order: the window's stream at English rates, the older
        episodes still open when the window starts, and a few unborn children."""
        rng, n = self.rng, len(self.children)
        starts: list[tuple[datetime.datetime, str, int]] = []
        total = round(n / 10_000 * CONTACTS_PER_10K_A_YEAR * WINDOW_MONTHS / 12)
        span = (self.today - self.window_start).days
        while len(starts) < total:
            day = self.window_start + datetime.timedelta(days=rng.randint(1, span))
            closed = not self.clock.is_working_day(day)  # a weekend or a bank holiday
            if closed and rng.random() > 0.3:
                continue
            if closed or rng.random() < 0.1:  # out of hours: mostly the police
                when = self.at(day, rng.choice([0, 1, 2, 3, 19, 20, 21, 22, 23]), rng.randint(0, 59))
            else:
                when = self.at(day, rng.randint(8, 17), rng.randint(0, 59))
            if when <= self.now:
                starts.append((when, "window", 0))
        # Today's front door: contacts since the last working day still wait for a decision
        # or for a manager to authorise it.
        last = self.clock.add_working_days(self.clock.working_day_on_or_after(self.today), -1)
        for i in range(max(4, round(n / 1500))):
            day = last if not self.clock.is_working_day(self.today) or rng.random() < 0.5 else self.today
            when = min(self.at(day, rng.randint(9, 15), rng.randint(0, 59)), self.now)
            starts.append((when, "queue", i % 2))
        # And a few referrals from the last working days wait for a manager to allocate them.
        for _ in range(max(1, round(n / 2500))):
            day = self.clock.add_working_days(
                self.clock.working_day_on_or_after(self.today), -rng.randint(1, 3)
            )
            starts.append((self.at(day, rng.randint(9, 12), rng.randint(0, 59)), "queue", 2))
        # And assessments finished in the last few days wait for a manager's sign-off.
        for _ in range(max(1, round(n / 5000))):
            day = self.clock.add_working_days(self.today, -rng.randint(30, 40))
            starts.append((self.at(day, rng.randint(9, 12), rng.randint(0, 59)), "queue", 3))
        # And the demo social worker has an assessment due in the next seven days and one
        # overdue by up to three weeks, whatever day of the week (or bank holiday) it is.
        for pk, low, high in (
            (4, self.today, self.today + datetime.timedelta(days=6)),
            (5, self.today - datetime.timedelta(days=20), self.today - datetime.timedelta(days=1)),
        ):
            days = self.referred_for_assessment_due(low, high)
            if days:
                starts.append(
                    (self.at(rng.choice(days), rng.randint(9, 12), rng.randint(0, 59)), "queue", pk)
                )
        for route, per_10k in LEGACY_PER_10K.items():
            for _ in range(round(n / 10_000 * per_10k)):
                back = rng.randint(WINDOW_MONTHS + 1, 40 if route != "lac" else 60)
                day = timescales.add_months(self.today, -back) + datetime.timedelta(days=rng.randint(0, 27))
                starts.append(
                    (self.at(self.clock.working_day_on_or_after(day), rng.randint(9, 15)), route, 0)
                )
        unborn = [c for c in self.children if c.unborn]
        for child in rng.sample(unborn, k=min(len(unborn), max(1, round(len(unborn) * 0.06)))):
            day = self.today - datetime.timedelta(days=rng.randint(35, 95))
            starts.append(
                (self.at(self.clock.working_day_on_or_after(day), rng.randint(9, 15)), "unborn", child.pk)
            )
        by_pk = {c.pk: c for c in unborn}
        starts.sort(key=lambda s: (s[0], s[1], s[2]))
        for when, route, pk in starts:
            if route in ("window", "queue"):
                self.contact(
                    when,
                    waiting="" if route == "window" else SHOWN[pk],
                )
            elif route == "unborn":
                if self.free(by_pk[pk], when.date()):
                    self.contacts_for(
                        [by_pk[pk]],
                        when,
                        FrontDoorDecision.STRATEGY_DISCUSSION,
                        source=ReferralSource.OTHER_HEALTH,
                        force="unborn",
                    )
            else:
                self.legacy(route, when)

    def referred_for_assessment_due(self, low: datetime.date, high: datetime.date) -> list[datetime.date]:
        """The working days before today on which a referral's assessment (by the policy in
        force) falls due between `low` and `high`."""
        days: list[datetime.date] = []
        day = self.today
        for _ in range(800):
            day -= datetime.timedelta(days=1)
            if not self.clock.is_working_day(day):
                continue
            due = self.clock.due(TimescaleKey.ASSESSMENT, day)
            if due < low:
                break
            if due <= high:
                days.append(day)
        return days

    def contact(self, received: datetime.datetime, *, waiting: str = "") -> None:
        """One contact of the window's stream: the decision first, then a child it fits.
        One `waiting` for a "decision" or its "authorisation" is still at the front door;
        the others (`SHOWN_REFERRALS`) open a referral to show (see `SHOWN`)."""
        rng, on = self.rng, received.date()
        if waiting in SHOWN_REFERRALS:
            decision: str = FrontDoorDecision.ASSESSMENT
        else:
            decision = self.decisions.draw()
        refers = decision in OPENS_REFERRAL
        child: Child | None = None
        if refers and rng.random() < 0.2:
            # A re-referral: within twelve months of the child's last referral.
            recent = [
                c
                for c in self.referred
                if c.last_referral is not None
                and (on - c.last_referral).days <= 365
                and self.free(c, on)
                and self.eligible(c, on)
            ]
            child = rng.choice(recent) if recent else None
        # Look harder for a child for the few contacts the demo must show.
        child = child or self.pick_child(on, free=refers, tries=300 if waiting else 30)
        if child is None:
            return
        if not self.free(child, on):
            self.contacts_for(
                [child], received, FrontDoorDecision.INFORMATION_AND_ADVICE, open_case=True, waiting=waiting
            )
            return
        group = [child]
        if decision == FrontDoorDecision.STRATEGY_DISCUSSION or (refers and rng.random() < 0.15):
            siblings = self.siblings(child, on)
            if siblings and (self.first_few("siblings together") or self.with_siblings.draw()):
                group += rng.sample(siblings, k=min(len(siblings), rng.choice([1, 1, 2])))
        self.contacts_for(group, received, decision, waiting=waiting)

    def legacy(self, route: str, when: datetime.datetime) -> None:
        """An episode opened before the window and still open when it starts."""
        on = when.date()
        child = self.pick_child(on, free=True)
        if child is None or child.age(on) > 14:
            return
        group = [child]
        siblings = self.siblings(child, on)
        if route == "cp" and siblings and (self.first_few("siblings together") or self.with_siblings.draw()):
            group.append(self.rng.choice(siblings))
        decision = FrontDoorDecision.STRATEGY_DISCUSSION if route == "cp" else FrontDoorDecision.ASSESSMENT
        self.contacts_for(group, when, decision, force=route)

    def contacts_for(
        self,
        group: list[Child],
        received: datetime.datetime,
        decision: str,
        *,
        open_case: bool = False,
        source: str = "",
        force: str = "",
        waiting: str = "",
    ) -> None:
        """A contact about each child of the group, decided (almost always within the
        working day) and authorised by a different manager; an authorised decision to
        refer opens the case, one for early help opens early help."""
        rng, on, lead = self.rng, received.date(), group[0]
        if not source:
            source = self.sources.draw()
            if (
                source in (ReferralSource.SCHOOLS, ReferralSource.EDUCATION_SERVICES)
                and not 4 <= lead.age(on) < 17
            ):
                source = rng.choice(
                    [
                        ReferralSource.HEALTH_VISITOR,
                        ReferralSource.HEALTH_VISITOR,
                        ReferralSource.POLICE,
                        ReferralSource.GP,
                    ]
                )
        concern = rng.choice(CONCERNS[self.concern_kind(source, lead)]).format(child=lead.first_name)
        agency_name, referrer = self.referrer(source, lead, on)
        agency_id = self.staff.agencies.get(agency_name) if agency_name else None
        strategy = decision == FrontDoorDecision.STRATEGY_DISCUSSION
        urgency = (
            Urgency.IMMEDIATE
            if strategy and rng.random() < 0.6
            else _weighted(rng, [(Urgency.IMMEDIATE, 6), (Urgency.SAME_DAY, 24), (Urgency.ROUTINE, 70)])
        )
        consent = (
            Consent.NOT_SOUGHT
            if strategy and rng.random() < 0.7
            else _weighted(rng, [(Consent.GIVEN, 72), (Consent.NOT_SOUGHT, 18), (Consent.REFUSED, 10)])
        )
        due = self.clock.due(TimescaleKey.CONTACT_DECISION, on)
        if waiting in SHOWN_REFERRALS:
            # Received on a working morning before today (see `run`), so decided and
            # authorised that day: the referral it opens is what the demo shows.
            decided = received + datetime.timedelta(minutes=rng.randint(20, 90))
        elif force or rng.random() < 0.95:
            same_day = (
                self.clock.working_day_on_or_after(on) == on and received.hour < 14 and rng.random() < 0.7
            )
            decided = max(
                received + datetime.timedelta(minutes=rng.randint(20, 90)),
                self.work_time(on if same_day else due, 9, 17),
            )
        else:  # late
            decided = self.work_time(self.wd(due, 1, 3))
        authorised = decided + datetime.timedelta(minutes=rng.randint(10, 200))
        if authorised.hour >= 18 or authorised.date() != decided.date():
            authorised = self.work_time(self.clock.add_working_days(decided.date(), 1), 9, 11)
        if not waiting and not force and received >= self.now - datetime.timedelta(days=2):
            # The last day or two: some still wait for a decision or its authorisation.
            roll = rng.random()
            waiting = "decision" if roll < 0.4 else ("authorisation" if roll < 0.7 else "")
        if waiting in ("decision", "authorisation"):
            authorised = self.now + datetime.timedelta(days=1)
            decided = authorised if waiting == "decision" else min(decided, self.now)
        decider = self.pick_decider()
        mash = self.staff.managers.get(self.staff.teams.get(MASH_TEAM, 0), [])
        authoriser = rng.choice([w for w in [*mash, self.staff.team_manager] if w.user_id != decider.user_id])
        need: str = PrimaryNeed.N1
        if strategy or force == "cp":
            need = PrimaryNeed.N1
        elif force == "cin" and rng.random() < 0.5:
            need = PrimaryNeed.N2
        else:
            need = self.needs.draw()
        reason = OPEN_CASE_REASON if open_case else rng.choice(DECISION_REASONS[decision])
        contacts: list[Contact] = []
        label = ReferralSource(source).label
        for child in group:
            contact = Contact(
                person_id=child.pk,
                received_at=received,
                source=source,
                referrer_name=referrer,
                referrer_agency_id=agency_id,
                concern=concern,
                consent=consent,
                urgency=urgency,
                decision_due=due,
                recorded_by_id=rng.choice(self.staff.front_door).user_id,
            )
            if decided <= self.now:
                contact.decision, contact.decision_reason = decision, reason
                contact.decided_by_id, contact.decided_at = decider.user_id, decided
                contact.primary_need = need if decision in OPENS_REFERRAL else ""
            self.contacts.append(contact)
            contacts.append(contact)
            self.entry(
                child,
                on,
                ChronologyKind.CONTACT,
                f"Contact from {label}" + (f" ({agency_name})" if agency_id else "") + f": {concern[:200]}",
                contact,
                contact.recorded_by_id,
                agency_id=agency_id,
                partner=True,
                at=received,
            )
            if authorised <= self.now:
                contact.authorised_by_id, contact.authorised_at = authoriser.user_id, authorised
                self.entry(
                    child,
                    decided.date(),
                    ChronologyKind.DECISION,
                    f"Front-door decision: {FrontDoorDecision(decision).label} (authorised)",
                    contact,
                    authoriser.user_id,
                    at=decided,
                    detail=reason,
                )
        if authorised > self.now or open_case:
            return
        if decision == FrontDoorDecision.EARLY_HELP:
            for child, contact in zip(group, contacts, strict=True):
                self.early_help_episode(child, authorised.date(), contact=contact, by=authoriser.user_id)
        elif decision in OPENS_REFERRAL:
            self.partner_history(group, on)
            case = self.open_case(group, contacts, need, source, authoriser, authorised)
            case.waiting = waiting
            self.journey(case, authorised, strategy_first=strategy, force=force)

    @staticmethod
    def concern_kind(source: str, lead: Child) -> str:
        if lead.unborn:
            return "unborn"
        if source in SOURCE_GROUP:
            return SOURCE_GROUP[source]
        individual = {
            ReferralSource.FAMILY_MEMBER,
            ReferralSource.RELATIVE,
            ReferralSource.SELF,
            ReferralSource.OTHER_INDIVIDUAL,
            ReferralSource.ANONYMOUS,
        }
        return "individual" if source in individual else "authority"

    def pick_decider(self) -> Worker:
        roll = self.rng.random()
        if roll < 0.1:
            mash = self.staff.managers.get(self.staff.teams.get(MASH_TEAM, 0)) or [self.staff.team_manager]
            return self.rng.choice(mash)
        if roll < 0.35:
            return self.staff.front_door_officer
        return self.rng.choice(self.staff.front_door)

    def referrer(self, source: str, child: Child, on: datetime.date) -> tuple[str, str]:
        """The referrer's agency (if one of the demo's) and name or description."""
        rng = self.rng

        def named(agency: str, title: str = "") -> tuple[str, str]:
            w = self.staff.partner(rng, agency, title)
            return agency, w.name if w else ""

        match source:
            case ReferralSource.POLICE:
                return named(POLICE)
            case ReferralSource.SCHOOLS:
                return named(self.school_of(child, on) or child.family.primary, "safeguarding")
            case ReferralSource.GP:
                return named(child.family.gp, "general practitioner")
            case ReferralSource.HEALTH_VISITOR | ReferralSource.SCHOOL_NURSE:
                return named(HEALTH_VISITING)
            case ReferralSource.A_AND_E | ReferralSource.OTHER_HEALTH:
                return named(HOSPITAL)
            case ReferralSource.HOUSING:
                return named(HOUSING)
            case ReferralSource.OTHER:
                return named(VOLUNTARY)
            case ReferralSource.LA_SOCIAL_CARE:
                return CSC, "Emergency duty team"
            case ReferralSource.EARLY_HELP:
                return CSC, "Early help hub"
        return "", rng.choice(OTHER_REFERRERS.get(source, [""]))

    def partner_history(self, group: list[Child], on: datetime.date) -> None:
        """What the partners' records held before the contact (police, school, GP...)."""
        rng, child = self.rng, group[0]
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            kind = rng.choice(["police", "police", "school", "gp", "hospital", "housing"])
            if kind == "school" and not self.school_of(child, on):
                kind = "gp"
            agency = {
                "police": POLICE,
                "school": self.school_of(child, on),
                "gp": child.family.gp,
                "hospital": HOSPITAL,
                "housing": HOUSING,
            }[kind]
            summary, serious = rng.choice(PARTNER_EVENTS[kind])
            day = on - datetime.timedelta(days=rng.randint(3, 120))
            when = self.at(day, rng.randint(0, 23), rng.randint(0, 59))
            for c in group:
                if not c.unborn and c.dob <= day:
                    self.entry(
                        c,
                        day,
                        ChronologyKind.PARTNER_EVENT,
                        summary,
                        None,
                        None,
                        agency_id=self.staff.agencies.get(agency),
                        partner=True,
                        at=when,
                        significant=serious,
                    )

    # --- Episodes ------------------------------------------------------------------------

    def open_case(
        self,
        group: list[Child],
        contacts: list[Contact],
        need: str,
        source: str,
        authoriser: Worker,
        opened: datetime.datetime,
    ) -> Case:
        """The referrals an authorised decision opens (as `open_referral` does: dated the
        day the contact came in, with its source and the need chosen with the decision)."""
        referrals = []
        for child, contact in zip(group, contacts, strict=True):
            referral = Referral(
                person_id=child.pk,
                contact=contact,
                referred_on=timezone.localdate(contact.received_at),
                source=source,
                primary_need=need,
                opened_by_id=authoriser.user_id,
            )
            self.referrals.append(referral)
            self.opened_at.append(opened)
            referrals.append(referral)
            if child.last_referral is None:
                self.referred.append(child)
            child.busy_until, child.last_referral = datetime.date.max, referral.referred_on
            self.entry(
                child,
                referral.referred_on,
                ChronologyKind.REFERRAL,
                f"Referral to children's social care ({PrimaryNeed(need).label})",
                referral,
                authoriser.user_id,
            )
            self.name_professionals(child, referral.referred_on)
        case = Case(children=group, referrals=referrals)
        self.cases.append(case)
        return case

    def move(self, case: Case, when: datetime.datetime, kind: str, reason: str) -> None:
        """Reallocate the case from `when`, if that has happened by now."""
        if when > self.now or not case.segments:
            return
        current = case.segments[-1]
        if current.end is None and when > current.start:
            current.end = when
            case.segments.append(Segment(kind=kind, start=when, reason=reason))

    def journey(
        self,
        case: Case,
        authorised: datetime.datetime,
        *,
        strategy_first: bool,
        force: str,
    ) -> None:
        """Allocation within a couple of working days, then the assessment, and from its
        outcome (or from the strategy discussion the front door asked for) the rest."""
        rng = self.rng
        referred = case.referrals[0].referred_on
        if strategy_first:  # allocated at once: the strategy discussion cannot wait
            day = authorised.date()
        elif rng.random() < 0.1:  # a backlog: some wait a week for a worker
            day = self.wd(authorised.date(), 3, 6)
        else:
            day = self.wd(authorised.date(), 0, 2)
        allocated = max(authorised + datetime.timedelta(minutes=30), self.work_time(day))
        # The newest referrals mostly still wait for a manager to allocate them.
        recent = authorised.date() >= self.clock.add_working_days(self.today, -4)
        waiting = case.waiting == "allocation" or (
            not case.waiting and not strategy_first and recent and rng.random() < 0.6
        )
        if waiting or allocated > self.now:
            case.stage = "unallocated"
            return
        case.segments.append(Segment(kind="assessment", start=allocated))
        assessments = self.start_assessments(case, allocated.date(), referred)
        if strategy_first:
            held = (
                referred
                if authorised.date() == referred and authorised.hour < 13
                else self.wd(authorised.date(), 0, 1)
            )
            self.strategy(case, max(held, allocated.date()), assessments, force=force, assessed=False)
            return
        forced = {"lac": AssessmentOutcome.LOOKED_AFTER, "cin": AssessmentOutcome.CHILD_IN_NEED_PLAN}
        outcome: str = forced.get(force) or self.outcomes.draw()
        signed = self.finish_assessments(case, assessments, outcome)
        if signed is None:
            return
        if outcome == AssessmentOutcome.NO_FURTHER_ACTION:
            self.close(case, signed, ClosureReason.RC8, "No further action after the assessment.")
        elif outcome == AssessmentOutcome.EARLY_HELP:
            self.close(
                case, signed, ClosureReason.RC9, "Stepped down to early help with a lead professional."
            )
            if not case.open:
                for child in case.children:
                    self.early_help_episode(
                        child, signed, contact=None, by=self.worker_on(case, signed), after="assessment"
                    )
        elif outcome == AssessmentOutcome.CHILD_IN_NEED_PLAN:
            if force == "cin":
                months = max(0, _months_between(signed, self.window_start)) + rng.randint(1, 30)
            else:
                months = rng.choice([3, 4, 6, 6, 8, 9, 12, 15])
            self.cin_plan(case, signed, months)
        elif outcome == AssessmentOutcome.STRATEGY_DISCUSSION:
            self.strategy(case, self.wd(signed, 0, 2), assessments, force=force, assessed=True)
        else:
            self.become_looked_after(case, self.wd(signed, 0, 3), force=force)

    def start_assessments(
        self, case: Case, started: datetime.date, referred: datetime.date
    ) -> list[Assessment]:
        """A child and family assessment for each child, due 45 working days from the
        referral by the policy in force; the child seen within a few days."""
        due = self.clock.due(TimescaleKey.ASSESSMENT, referred)
        seen = self.wd(started, 0, 5)
        out = []
        for child, referral in zip(case.children, case.referrals, strict=True):
            a = Assessment(referral=referral, started_on=started, due_on=due)
            who = self.fill(a, "started_by_id", self.worker_on(case, started))
            self.assessments.append(a)
            out.append(a)
            summary = f"Assessment started (due by {due:%d/%m/%Y})"
            self.entry(child, started, ChronologyKind.ASSESSMENT, summary, a, who)
            if not child.unborn and seen <= self.today:
                self.child_seen(case, child, a, seen)
        return out

    def child_seen(self, case: Case, child: Child, a: Assessment, on: datetime.date) -> None:
        a.child_seen_on, a.seen_alone = on, self.seen_alone(child, on)
        summary = "Child seen for the assessment" + (", alone" if a.seen_alone else "")
        self.entry(child, on, ChronologyKind.ASSESSMENT, summary, a, self.worker_on(case, on))

    def seen_alone(self, child: Child, on: datetime.date) -> bool:
        age = child.age(on)
        return age >= 4 and self.rng.random() < (0.4 if age < 8 else 0.8)

    def finish_assessments(
        self,
        case: Case,
        assessments: list[Assessment],
        outcome: str,
        *,
        earliest: datetime.date | None = None,
        enquiry: bool = False,
    ) -> datetime.date | None:
        """Complete the assessments (about 85% within the 45 working days) and have a
        manager authorise them. Returns the day they were authorised; None if still in
        progress (its due date is then the case's work) or awaiting sign-off."""
        rng = self.rng
        referred = case.referrals[0].referred_on
        # About 14% finish late. Of those whose due date passed in the last two months, a
        # backlog is still open today, overdue.
        elapsed = self.clock.working_days_between(referred, self.today)
        if case.waiting == "sign-off":
            days = elapsed - rng.randint(0, 3)
        elif case.waiting in ("due this week", "overdue"):
            days = elapsed + rng.randint(1, 10)  # still in progress today
        elif 45 < elapsed <= 85 and (self.first_few("overdue assessment") or rng.random() < 0.35):
            days = elapsed + rng.randint(1, 20)
        elif rng.random() < 0.14:
            days = rng.randint(46, 80)
        else:
            days = round(rng.triangular(12, 45, 36))
        done = max(
            self.clock.add_working_days(referred, days), assessments[0].started_on, earliest or referred
        )
        if done > self.today:
            case.stage = "assessment"
            case.due.append(assessments[0].due_on)
            return None
        factors = self.factors(outcome, enquiry=enquiry)
        signed_day = self.wd(done, 0, 3) if rng.random() < 0.6 else done
        signed_at = self.work_time(signed_day, 10, 16)
        recent = done >= self.clock.add_working_days(self.today, -15)
        if case.waiting == "sign-off" or (
            recent and (self.first_few("awaiting sign-off") or rng.random() < 0.3)
        ):
            # Finished in the last three weeks and not signed off yet.
            signed_at = self.now + datetime.timedelta(days=1)
        label = AssessmentOutcome(outcome).label
        for child, a in zip(case.children, assessments, strict=True):
            a.completed_on, a.outcome, a.factors = done, outcome, factors
            a.analysis = ANALYSIS[outcome]
            if a.child_seen_on is None and not child.unborn:
                self.child_seen(case, child, a, a.started_on)
            completer = self.fill(a, "completed_by_id", self.worker_on(case, done))
            summary = f"Assessment completed: {label} (awaiting authorisation)"
            self.entry(child, done, ChronologyKind.ASSESSMENT, summary, a, completer, detail=a.analysis)
            if signed_at <= self.now:
                a.authorised_at = signed_at
                manager = self.fill(a, "authorised_by_id", self.manager_on(case, signed_day))
                summary_of = self.naming(f"Assessment authorised by {{name}}: {label}", manager)
                self.entry(child, signed_day, ChronologyKind.ASSESSMENT, summary_of, a, manager, at=signed_at)
        if signed_at > self.now:
            case.stage = "assessment awaiting sign-off"
            return None
        return signed_day

    def factors(self, outcome: str, *, enquiry: bool = False) -> list[str]:
        # After a section 47 enquiry the concerns were real enough to enquire into, so never
        # "21 no factors" (the census would then want closure RC8, rules 8873 and 2990 clash).
        if outcome == AssessmentOutcome.NO_FURTHER_ACTION and self.rng.random() < 0.25 and not enquiry:
            return [AssessmentFactor.NO_FACTORS]
        chosen: list[str] = []
        for _ in range(self.rng.choice([1, 2, 2, 3])):
            factor = _weighted(self.rng, FACTORS)
            if factor not in chosen:
                chosen.append(factor)
        return chosen

    # --- Child protection ----------------------------------------------------------------

    def strategy(
        self, case: Case, held: datetime.date, assessments: list[Assessment], *, force: str, assessed: bool
    ) -> None:
        """A strategy discussion with police and health (and the school), covering the
        siblings together; most lead to a section 47 enquiry."""
        rng, staff = self.rng, self.staff
        if held > self.today:
            case.stage = "strategy discussion"
            return
        decision = StrategyDecision.SECTION_47 if force else self.strategy_decisions.draw()
        discussion = StrategyDiscussion(held_on=held, decision=decision, summary=STRATEGY_SUMMARIES[decision])
        who = self.fill(discussion, "recorded_by_id", self.worker_on(case, held))
        self.discussions.append(discussion)
        self.discussion_links += [(discussion, r) for r in case.referrals]
        health = (
            staff.partner(rng, HOSPITAL, "named nurse")
            if rng.random() < 0.5
            else staff.partner(rng, case.family.gp, "general")
        )
        present = [staff.partner(rng, POLICE, "detective"), health]
        school = self.school_of(case.children[0], held)
        if school and rng.random() < 0.7:
            present.append(staff.partner(rng, school, "safeguarding"))
        for p in present:
            if p is not None:
                self.attendees.append(
                    StrategyDiscussionAttendee(
                        discussion=discussion,
                        practitioner_id=p.practitioner_id,
                        name=p.name,
                        agency_id=p.agency_id,
                    )
                )
        own = StrategyDiscussionAttendee(discussion=discussion, agency_id=self.csc)
        self.attendees.append(own)

        def set_own(w: Worker) -> None:
            own.practitioner_id, own.name = w.practitioner_id, w.name

        self.fill_worker(case, held, set_own)
        summary = f"Strategy discussion: {StrategyDecision(decision).label}"
        significant = decision == StrategyDecision.SECTION_47
        for child in case.children:
            self.entry(
                child,
                held,
                ChronologyKind.STRATEGY_DISCUSSION,
                summary,
                discussion,
                who,
                significant=significant,
            )
        if decision == StrategyDecision.SECTION_47:
            self.section47(case, discussion, assessments, force=force, assessed=assessed)
            return
        after = held
        if not assessed:
            outcome = (
                AssessmentOutcome.CHILD_IN_NEED_PLAN
                if decision == StrategyDecision.SINGLE_AGENCY
                else AssessmentOutcome.NO_FURTHER_ACTION
            )
            signed = self.finish_assessments(case, assessments, outcome, earliest=held)
            if signed is None:
                return
            after = signed
        if decision == StrategyDecision.SINGLE_AGENCY:
            self.cin_plan(case, after, rng.choice([4, 6, 9]))
        else:
            self.close(case, after, ClosureReason.RC8, "No further action after the strategy discussion.")

    def section47(
        self,
        case: Case,
        discussion: StrategyDiscussion,
        assessments: list[Assessment],
        *,
        force: str,
        assessed: bool,
    ) -> None:
        """Section 47 enquiries; the initial conference is due 15 working days after the
        strategy discussion (by the policy in force) and most are held in time."""
        rng, held = self.rng, discussion.held_on
        due = self.clock.due(TimescaleKey.INITIAL_CONFERENCE, held)
        done = self.wd(held, 5, 13)
        outcome = Section47Outcome.CONFERENCE if force else self.section47_outcomes.draw()
        enquiries = []
        for child, referral in zip(case.children, case.referrals, strict=True):
            s47 = Section47Enquiry(
                referral=referral,
                strategy_discussion=discussion,
                started_on=held,
                conference_due_on=due,
            )
            who = self.fill(s47, "recorded_by_id", self.worker_on(case, held))
            self.section47s.append(s47)
            enquiries.append(s47)
            summary = f"Section 47 enquiry started; initial conference due by {govuk_date(due)}"
            self.entry(child, held, ChronologyKind.SECTION_47, summary, s47, who)
            if done <= self.today:
                s47.outcome, s47.completed_on = outcome, done
                summary = f"Section 47 enquiry completed: {Section47Outcome(outcome).label}"
                self.entry(child, done, ChronologyKind.SECTION_47, summary, s47, who)
        if done > self.today:
            case.stage = "section 47"
            case.due.append(due)
            return
        if outcome != Section47Outcome.CONFERENCE:
            after = done
            if not assessed:
                follow = (
                    AssessmentOutcome.CHILD_IN_NEED_PLAN
                    if outcome == Section47Outcome.CHILD_IN_NEED
                    else AssessmentOutcome.NO_FURTHER_ACTION
                )
                signed = self.finish_assessments(case, assessments, follow, earliest=done, enquiry=True)
                if signed is None:
                    return
                after = signed
            if outcome == Section47Outcome.CHILD_IN_NEED:
                self.cin_plan(case, after, rng.choice([4, 6, 6, 9, 12]))
            else:
                # Not RC8: the census counts a section 47 as activity after assessment (rule 2990).
                self.close(case, after, ClosureReason.RC7, "Concerns not substantiated; no further action.")
            return
        if not assessed:
            # The assessment runs alongside; it ends with the strategy discussion as outcome.
            self.finish_assessments(case, assessments, AssessmentOutcome.STRATEGY_DISCUSSION, earliest=done)
        date = max(done, self.wd(held, 16, 24) if rng.random() < 0.15 else self.wd(held, 8, 15))
        kind = ConferenceKind.PRE_BIRTH if case.children[0].unborn else ConferenceKind.INITIAL
        plan = bool(force) or rng.random() >= 0.1
        first = self.categories.draw()
        categories = [first if rng.random() < 0.85 else self.categories.draw() for _ in case.children]
        rows = self.conference(
            case,
            kind,
            date,
            due,
            decision=ConferenceDecision.PLAN if plan else ConferenceDecision.NO_PLAN,
            categories=categories if plan else None,
            enquiries=enquiries,
        )
        if rows is None:
            case.stage = "initial conference arranged"
            case.due.append(due)
        elif not plan:
            self.cin_plan(case, date, rng.choice([6, 9]))
        else:
            self.cp_plan(case, rows, categories, force=force)

    def conference(
        self,
        case: Case,
        kind: str,
        date: datetime.date,
        due: datetime.date,
        *,
        decision: str = "",
        categories: list[str] | None = None,
        enquiries: list[Section47Enquiry] | None = None,
        plans: list[ChildProtectionPlan] | None = None,
    ) -> list[ConferenceChild] | None:
        """A conference for the case's children (each with their own decision). One after
        today is arranged, not held: its rows are returned only if it has been held."""
        rng, staff = self.rng, self.staff
        chair = staff.conference_chair if rng.random() < 0.4 else rng.choice(staff.chairs)
        held = date <= self.today
        conference = ChildProtectionConference(
            kind=kind, date=date, due_on=due, chair_id=chair.user_id, held=held
        )
        arranged = self.clock.add_working_days(date, -8)
        arranged = max(min(arranged, self.today), case.referrals[0].referred_on)
        scheduler = self.fill(conference, "scheduled_by_id", self.worker_on(case, arranged))
        self.conferences.append(conference)
        if held:
            conference.child_views = self.child_views(case.children[0], date)
            conference.summary = CONFERENCE_SUMMARIES[decision]
            conference.outcome_recorded_by_id = chair.user_id
            conference.outcome_recorded_at = self.at(date, 15, rng.choice([0, 30]))
        label = ConferenceKind(kind).label
        rows = []
        for i, (child, referral) in enumerate(zip(case.children, case.referrals, strict=True)):
            row = ConferenceChild(
                conference=conference,
                referral=referral,
                section47=enquiries[i] if enquiries else None,
                plan=plans[i] if plans else None,
            )
            if held:
                row.decision = decision
                if categories and decision in (ConferenceDecision.PLAN, ConferenceDecision.CONTINUE_PLAN):
                    row.category = categories[i]
                category = f" ({AbuseCategory(row.category).label})" if row.category else ""
                summary = (
                    f"{label} child protection conference: {ConferenceDecision(decision).label}{category}"
                )
                significant = kind != ConferenceKind.REVIEW or decision == ConferenceDecision.END_PLAN
                self.entry(
                    child,
                    date,
                    ChronologyKind.CONFERENCE,
                    summary,
                    conference,
                    chair.user_id,
                    significant=significant,
                    detail=conference.summary,
                )
            else:
                summary = f"{label} child protection conference arranged for {govuk_date(date)}"
                self.entry(child, arranged, ChronologyKind.CONFERENCE, summary, conference, scheduler)
            self.conference_children.append(row)
            rows.append(row)
        self.invite(case, conference)
        if not held:
            return None
        return rows

    def child_views(self, child: Child, on: datetime.date) -> str:
        if child.unborn:
            return "Unborn: the mother's wishes and feelings are in the social worker's report."
        if child.age(on) < 4:
            return BABY_VIEWS
        return self.rng.choice(CHILD_VIEWS).format(child=child.first_name)

    def invite(self, case: Case, conference: ChildProtectionConference) -> None:
        """Invitations and attendance: police, GP, health visitor, schools, sometimes the
        hospital; the social worker; the parents, an advocate, an older child."""
        rng, staff, date, held = self.rng, self.staff, conference.date, conference.held
        professionals = [
            staff.partner(rng, POLICE, "detective"),
            staff.partner(rng, case.family.gp, "general"),
        ]
        if any(c.unborn or c.age(date) < 5 for c in case.children):
            professionals.append(staff.partner(rng, HEALTH_VISITING))
        schools = sorted({self.school_of(c, date) for c in case.children} - {"", NURSERY})
        professionals += [staff.partner(rng, s, "safeguarding") for s in schools]
        if rng.random() < 0.3:
            professionals.append(staff.partner(rng, HOSPITAL, "named nurse"))
        for p in professionals:
            if p is None:
                continue
            attendance = _weighted(rng, PROFESSIONAL_ATTENDANCE) if held else Attendance.INVITED
            report = held and (attendance == Attendance.REPORT_ONLY or rng.random() < 0.7)
            self.invitations.append(
                ConferenceInvitation(
                    conference=conference,
                    practitioner_id=p.practitioner_id,
                    name=p.name,
                    agency_id=p.agency_id,
                    attendance=attendance,
                    report_received=report,
                )
            )
        own = ConferenceInvitation(
            conference=conference,
            agency_id=self.csc,
            attendance=Attendance.IN_PERSON if held else Attendance.INVITED,
            report_received=held,
        )
        self.invitations.append(own)

        def set_own(w: Worker) -> None:
            own.practitioner_id, own.name = w.practitioner_id, w.name

        self.fill_worker(case, date, set_own)
        for name in case.family.parents[:3]:
            attendance = _weighted(rng, PARENT_ATTENDANCE) if held else Attendance.INVITED
            self.invitations.append(
                ConferenceInvitation(
                    conference=conference, name=name, family_role=FamilyRole.PARENT, attendance=attendance
                )
            )
        if rng.random() < 0.2:
            self.invitations.append(
                ConferenceInvitation(
                    conference=conference,
                    name="Parents' advocate",
                    agency_id=staff.agencies.get(VOLUNTARY),
                    family_role=FamilyRole.ADVOCATE,
                    attendance=Attendance.IN_PERSON if held else Attendance.INVITED,
                )
            )
        for child in case.children:
            if not child.unborn and child.age(date) >= 12 and rng.random() < 0.35:
                attendance = (
                    _weighted(
                        rng,
                        [
                            (Attendance.IN_PERSON, 50),
                            (Attendance.REPORT_ONLY, 30),
                            (Attendance.DID_NOT_ATTEND, 20),
                        ],
                    )
                    if held
                    else Attendance.INVITED
                )
                self.invitations.append(
                    ConferenceInvitation(
                        conference=conference,
                        name=child.given,
                        family_role=FamilyRole.CHILD,
                        attendance=attendance,
                    )
                )

    def cp_plan(self, case: Case, rows: list[ConferenceChild], categories: list[str], *, force: str) -> None:
        """Child protection plans from the initial conference, with core groups about every
        4 weeks, visits about every 10 working days, and review conferences at 3 months and
        then every 6; the plan ends at a review (some run for years)."""
        rng = self.rng
        conference = rows[0].conference
        start, chair = conference.date, conference.chair_id
        plans = []
        for child, referral, row, category in zip(
            case.children, case.referrals, rows, categories, strict=True
        ):
            plan = ChildProtectionPlan(
                referral=referral,
                person_id=child.pk,
                started_on=start,
                initial_category=category,
                latest_category=category,
            )
            row.plan = plan
            self.plans.append(plan)
            plans.append(plan)
            summary = f"Child protection plan started: {AbuseCategory(category).label}"
            self.entry(child, start, ChronologyKind.PLAN, summary, plan, chair, significant=True)
        if force == "cp" or rng.random() < 0.55:
            when = self.work_time(self.wd(start, 1, 5))
            self.move(
                case, when, "cp", "Transferred to the child protection team after the initial conference"
            )
        if force == "cp":
            months = max(1, _months_between(start, self.window_start)) + rng.choice([1, 4, 8, 14, 30, 40])
        else:
            months = self.plan_months.draw()
        target = timescales.add_months(start, months)
        statutory = self.clock.due(TimescaleKey.FIRST_REVIEW, start)
        end: datetime.date | None = None
        while True:
            roll = rng.random()
            if roll < 0.8:
                day = statutory
            elif roll < 0.9:
                day = statutory - datetime.timedelta(days=rng.randint(1, 7))
            else:
                day = statutory + datetime.timedelta(days=rng.randint(1, 12))
            day = self.clock.working_day_on_or_after(day)
            if day > self.today:
                break
            ending = day >= target
            if not ending and rng.random() < 0.1:
                categories = [AbuseCategory.MULTIPLE if rng.random() < 0.5 else c for c in categories]
            decision = ConferenceDecision.END_PLAN if ending else ConferenceDecision.CONTINUE_PLAN
            self.conference(
                case,
                ConferenceKind.REVIEW,
                day,
                statutory,
                decision=decision,
                categories=categories,
                plans=plans,
            )
            for plan, category in zip(plans, categories, strict=True):
                plan.latest_category = category
            statutory = self.clock.due(TimescaleKey.LATER_REVIEW, day)
            if ending:
                end = day
                break
        if (
            end is None
            and statutory <= self.today + datetime.timedelta(days=30)
            and not case.children[0].unborn
        ):
            # The next review, if within the month, is already arranged.
            arranged = max(
                statutory, self.clock.working_day_on_or_after(self.today + datetime.timedelta(days=1))
            )
            self.conference(case, ConferenceKind.REVIEW, arranged, statutory, plans=plans)
        stop = end or self.today
        self.core_groups_for(case, plans, start, stop, open_plan=end is None)
        self.plan_visits(case, plans, start, stop, open_plan=end is None)
        if end is None:
            for plan in plans:
                plan.next_review_due = statutory
            case.stage = "child protection"
            first = plans[0]
            case.due += [
                d for d in (first.next_review_due, first.next_core_group_due, first.next_visit_due) if d
            ]
            return
        reason = _weighted(
            rng,
            [
                (PlanEndReason.NO_LONGER_AT_RISK, 88),
                (PlanEndReason.LOOKED_AFTER, 6),
                (PlanEndReason.MOVED, 6),
            ],
        )
        for child, plan in zip(case.children, plans, strict=True):
            plan.ended_on, plan.end_reason = end, reason
            plan.next_review_due = plan.next_core_group_due = plan.next_visit_due = None
            summary = f"Child protection plan ended: {PlanEndReason(reason).label}"
            self.entry(child, end, ChronologyKind.PLAN, summary, plan, chair, significant=True)
        if reason == PlanEndReason.LOOKED_AFTER:
            self.become_looked_after(case, end, force="")
        elif reason == PlanEndReason.MOVED:
            self.close(
                case,
                self.wd(end, 2, 10),
                ClosureReason.RC5,
                "The family moved; the case went to the new authority.",
            )
        elif rng.random() < 0.6:
            if case.segments and case.segments[-1].kind == "cp":
                when = self.work_time(self.wd(end, 2, 8))
                self.move(
                    case, when, "assessment", "Stepped down to a child in need plan with the assessment team"
                )
            self.cin_plan(case, end, rng.choice([3, 4, 6]))
        else:
            self.close(
                case,
                self.wd(end, 5, 20),
                ClosureReason.RC7,
                "The plan ended; the family no longer need a service.",
            )

    def core_groups_for(
        self,
        case: Case,
        plans: list[ChildProtectionPlan],
        start: datetime.date,
        stop: datetime.date,
        *,
        open_plan: bool,
    ) -> None:
        rng, staff, family = self.rng, self.staff, case.family
        network = [staff.partner(rng, family.gp, "general")]
        if any(c.unborn or c.age(start) < 5 for c in case.children):
            network.append(staff.partner(rng, HEALTH_VISITING))
        network += [
            staff.partner(rng, s, "safeguarding")
            for s in sorted({self.school_of(c, start) for c in case.children} - {""})
        ]
        if rng.random() < 0.4:
            network.append(staff.partner(rng, VOLUNTARY))
        day = self.wd(start, 4, 10) if rng.random() < 0.88 else self.wd(start, 11, 16)
        last: datetime.date | None = None
        while day <= min(stop, self.today):
            summary = rng.choice(CORE_GROUP_SUMMARIES)
            for child, plan in zip(case.children, plans, strict=True):
                meeting = CoreGroupMeeting(plan=plan, held_on=day, summary=summary)
                who = self.fill(meeting, "recorded_by_id", self.worker_on(case, day))
                self.core_groups.append(meeting)
                first = len(self.members)
                for p in network:
                    if p is not None:
                        self.members.append(
                            CoreGroupMember(
                                meeting=meeting,
                                practitioner_id=p.practitioner_id,
                                name=p.name,
                                agency_id=p.agency_id,
                                attended=rng.random() < 0.85,
                                phone=p.phone,
                                secure_email=p.secure_email,
                                preferred_contact=p.preferred_contact,
                                contact_details_agreed=rng.random() < 0.9,
                            )
                        )
                own = CoreGroupMember(
                    meeting=meeting, agency_id=self.csc, attended=True, contact_details_agreed=True
                )
                self.members.append(own)
                self.fill_worker(case, day, functools.partial(_agreed_details, own))
                for name in family.parents[:2]:
                    self.members.append(
                        CoreGroupMember(
                            meeting=meeting,
                            name=name,
                            family_role=FamilyRole.PARENT,
                            attended=rng.random() < 0.75,
                        )
                    )
                came = sum(1 for m in self.members[first:] if m.attended)
                self.entry(
                    child,
                    day,
                    ChronologyKind.CORE_GROUP,
                    f"Core group meeting ({came} attended)",
                    meeting,
                    who,
                    detail=summary,
                )
            last = day
            gap = 28 + (rng.randint(-4, 3) if rng.random() < 0.88 else rng.randint(8, 20))
            day = self.clock.working_day_on_or_after(day + datetime.timedelta(days=gap))
        if open_plan:
            if last is None:
                due = self.clock.due(TimescaleKey.FIRST_CORE_GROUP, start)
            else:
                due = self.clock.due(TimescaleKey.CORE_GROUP_INTERVAL, last)
            for plan in plans:
                plan.next_core_group_due = due

    def plan_visits(
        self,
        case: Case,
        plans: list[ChildProtectionPlan],
        start: datetime.date,
        stop: datetime.date,
        *,
        open_plan: bool,
    ) -> None:
        rng = self.rng
        limit = min(stop, self.today)
        if open_plan and rng.random() < 0.06:
            # Visits have slipped on a few open plans: overdue today.
            limit = min(limit, self.clock.add_working_days(self.today, -rng.randint(11, 18)))
        day = self.wd(start, 1, 8)
        # The visit clock moves on a visit where the child was seen, or on any visit for an
        # unborn child (as recording one does).
        last_seen: list[datetime.date] = [start] * len(plans)
        while day <= limit:
            for i, seen in enumerate(self.visit(case, plans, day, VisitKind.STATUTORY)):
                if seen:
                    last_seen[i] = day
            day = self.wd(day, 5, 10) if rng.random() < 0.92 else self.wd(day, 11, 15)
        if open_plan:
            for plan, seen_on in zip(plans, last_seen, strict=True):
                plan.next_visit_due = self.clock.due(TimescaleKey.PLAN_VISIT, seen_on)

    def visit(
        self, case: Case, plans: list[ChildProtectionPlan] | None, day: datetime.date, kind: str
    ) -> list[bool]:
        """A visit to the case's children; for each, whether it restarts a plan's visit clock."""
        rng = self.rng
        answered = rng.random() < 0.95
        what = VisitKind(kind).label
        seen_each = []
        for i, (child, referral) in enumerate(zip(case.children, case.referrals, strict=True)):
            seen = answered and not child.unborn
            alone = seen and self.seen_alone(child, day)
            if child.unborn:
                note = (
                    "Pre-birth visit to mother at home."
                    if answered
                    else "Pre-birth visit: no answer at the door; card left for mother."
                )
            elif alone:
                note = "Seen alone in their bedroom; talked about school and friends."
            elif seen:
                note = "Seen at home with a parent; played happily."
            else:
                note = "No answer at the door; card left and a visit arranged for tomorrow."
            visit = Visit(
                referral=referral,
                plan=plans[i] if plans else None,
                visited_on=day,
                kind=kind,
                child_seen=seen,
                seen_alone=alone,
                note=note,
            )
            who = self.fill(visit, "visited_by_id", self.worker_on(case, day))
            self.visits.append(visit)
            state = "seen alone" if alone else ("seen" if seen else "not seen")
            self.entry(child, day, ChronologyKind.VISIT, f"{what}: child {state}", visit, who, detail=note)
            # As `record_visit` does: any visit recorded for an unborn child (to the expectant
            # mother, whether or not she answered: the action cannot tell) restarts the clock.
            seen_each.append(seen or child.unborn)
        return seen_each

    # --- Children in need, looked after, early help, closure -----------------------------

    def cin_plan(self, case: Case, start: datetime.date, months: int) -> None:
        """A child in need plan reviewed about every 3 months, with visits every few weeks;
        when it ends, the episode closes."""
        rng = self.rng
        if start > self.today:
            return
        end = self.clock.working_day_on_or_after(timescales.add_months(start, months))
        plans = []
        for child, referral in zip(case.children, case.referrals, strict=True):
            plan = ChildInNeedPlan(referral=referral, started_on=start)
            who = self.fill(plan, "recorded_by_id", self.worker_on(case, start))
            self.cin_plans.append(plan)
            plans.append(plan)
            first_review = timescales.add_months(start, 3)
            summary = f"Child in need plan started (first review due by {first_review:%d/%m/%Y})"
            self.entry(child, start, ChronologyKind.PLAN, summary, plan, who)
        last = start
        while True:
            day = self.clock.working_day_on_or_after(
                timescales.add_months(last, 3) + datetime.timedelta(days=rng.randint(-5, 6))
            )
            if day > self.today or day > end:
                break
            summary = rng.choice(CIN_REVIEW_SUMMARIES)
            for child, plan in zip(case.children, plans, strict=True):
                review = ChildInNeedPlanReview(plan=plan, reviewed_on=day, summary=summary)
                who = self.fill(review, "recorded_by_id", self.worker_on(case, day))
                self.cin_reviews.append(review)
                self.entry(
                    child,
                    day,
                    ChronologyKind.PLAN,
                    f"Child in need plan reviewed (next review due by {timescales.add_months(day, 3):%d/%m/%Y})",
                    review,
                    who,
                    detail=summary,
                )
            last = day
        day = self.wd(start, 8, 20)
        while day <= min(end, self.today):
            self.visit(case, None, day, VisitKind.CHILD_IN_NEED)
            day = self.clock.working_day_on_or_after(day + datetime.timedelta(days=rng.randint(18, 32)))
        if end > self.today:
            due = timescales.add_months(last, 3)
            for plan in plans:
                plan.next_review_due = due
            case.stage = "child in need"
            case.due.append(due)
            return
        for child, plan in zip(case.children, plans, strict=True):
            plan.ended_on = end
            self.entry(
                child, end, ChronologyKind.PLAN, "Child in need plan ended", plan, self.worker_on(case, end)
            )
        if rng.random() < 0.9:
            self.close(
                case, self.wd(end, 0, 6), ClosureReason.RC7, "Child in need plan completed: needs met."
            )
        else:
            self.close(
                case,
                self.wd(end, 0, 6),
                ClosureReason.RC5,
                "The family moved away; the new authority has the records.",
            )

    def become_looked_after(self, case: Case, start: datetime.date, *, force: str) -> None:
        """Looked after (mostly a full care order or section 20), usually moving to the
        children in care team, visited about every six weeks."""
        rng = self.rng
        if start > self.today:
            case.stage = "becoming looked after"
            return
        if force == "lac":
            months = max(1, _months_between(start, self.window_start)) + rng.randint(1, 40)
        else:
            months = rng.choice([4, 8, 14, 24, 40])
        end = self.clock.working_day_on_or_after(timescales.add_months(start, months))
        status = _weighted(rng, [(LegalStatus.C2, 50), (LegalStatus.V2, 35), (LegalStatus.C1, 15)])
        episodes = []
        for child, referral in zip(case.children, case.referrals, strict=True):
            if child.age(start) >= 16 and rng.random() < 0.5:
                placement = PlacementType.H5
            else:
                placement = _weighted(rng, PLACEMENTS)
            episode = LookedAfterEpisode(
                person_id=child.pk,
                referral=referral,
                started_on=start,
                legal_status=status,
                placement=placement,
            )
            who = self.fill(episode, "recorded_by_id", self.worker_on(case, start))
            self.looked_after.append(episode)
            episodes.append(episode)
            summary = f"Became looked after: {LegalStatus(status).label}; {PlacementType(placement).label}"
            self.entry(child, start, ChronologyKind.LOOKED_AFTER, summary, episode, who, significant=True)
        if rng.random() < 0.85:
            self.move(
                case, self.work_time(self.wd(start, 5, 15)), "lac", "Transferred to the children in care team"
            )
        day = self.wd(start, 3, 5)
        while day <= min(end, self.today):
            self.visit(case, None, day, VisitKind.LOOKED_AFTER)
            day = self.clock.working_day_on_or_after(day + datetime.timedelta(days=rng.randint(28, 42)))
        if end > self.today:
            case.stage = "looked after"
            return
        reason, closure = rng.choice(LAC_ENDINGS)
        for child, episode in zip(case.children, episodes, strict=True):
            episode.ended_on, episode.reason_ended = end, reason
            summary = f"Stopped being looked after: {reason}"
            self.entry(child, end, ChronologyKind.LOOKED_AFTER, summary, episode, self.worker_on(case, end))
        self.close(case, self.wd(end, 0, 10), closure, reason)

    def early_help_episode(
        self,
        child: Child,
        start: datetime.date,
        *,
        contact: Contact | None,
        by: Who | int,
        after: str = "a contact",
    ) -> None:
        """Early help with a lead professional from the school, health visiting or the
        voluntary sector (agreed within a fortnight or so)."""
        rng, staff = self.rng, self.staff
        episode = EarlyHelpEpisode(person_id=child.pk, started_on=start, contact=contact)
        if callable(by):
            self.fill(episode, "recorded_by_id", by)
        else:
            episode.recorded_by_id = by
        self.early_help.append(episode)
        lead: Worker | None = None
        if (self.today - start).days > 10:
            if child.unborn or child.age(start) < 4:
                lead = staff.partner(rng, HEALTH_VISITING)
            elif rng.random() < 0.75:
                lead = staff.partner(rng, self.school_of(child, start), "safeguarding")
            lead = lead or staff.partner(rng, VOLUNTARY)
        if lead is None:
            summary = f"Early help offered after {after}: a lead professional is to be agreed"
        else:
            episode.lead_professional_id = lead.practitioner_id
            completed = self.clock.add_working_days(start, rng.randint(10, 30))
            if completed <= self.today:
                episode.assessment_completed_on = completed
                self.entry(
                    child,
                    completed,
                    ChronologyKind.EARLY_HELP,
                    "Early help assessment completed",
                    episode,
                    None,
                    agency_id=lead.agency_id,
                    partner=True,
                )
            self.named_professional(child, lead, "Early help lead professional", start)
            agency = next(name for name, pk in staff.agencies.items() if pk == lead.agency_id)
            summary = f"Early help started; Lead professional for early help: {lead.name} ({agency})"
        self.entry(child, start, ChronologyKind.EARLY_HELP, summary, episode, by)
        end = self.clock.working_day_on_or_after(start + datetime.timedelta(days=rng.randint(90, 300)))
        if lead is not None and end <= self.today:
            reason = _weighted(rng, EARLY_HELP_ENDINGS)
            episode.ended_on, episode.end_reason = end, reason
            summary = f"Early help ended: {EarlyHelpEndReason(reason).label}"
            self.entry(
                child,
                end,
                ChronologyKind.EARLY_HELP,
                summary,
                episode,
                None,
                agency_id=lead.agency_id,
                partner=True,
            )

    def close(self, case: Case, day: datetime.date, reason: str, summary: str) -> None:
        """Close the episodes: proposed by the worker, authorised by a manager (never the
        proposer). A closure proposed in the last couple of days may still await sign-off."""
        rng = self.rng
        if day > self.clock.add_working_days(self.today, 10):
            case.stage = case.stage or "closing"
            return
        # A closure due in the next fortnight has been proposed already, and waits.
        soon = day > self.today
        day = min(day, self.today)
        # Proposed in the morning, authorised in the afternoon (or not yet).
        proposed_day = day
        proposed = min(self.work_time(proposed_day, 9, 12), self.now)
        authorised = self.work_time(day, 13, 17)
        recent = day >= self.clock.add_working_days(self.today, -2)
        pending = soon or authorised > self.now or (recent and rng.random() < 0.5)
        # A reallocation planned after the closure did not happen.
        while len(case.segments) > 1 and case.segments[-1].start >= min(authorised, self.now):
            case.segments.pop()
        label = ClosureReason(reason).label
        for child, referral in zip(case.children, case.referrals, strict=True):
            referral.closure_reason, referral.closure_summary = reason, summary
            referral.proposed_closure_date = day
            referral.closure_proposed_at = proposed
            proposer = self.fill(referral, "closure_proposed_by_id", self.worker_on(case, proposed_day))
            text = f"Closure proposed ({label}), awaiting authorisation"
            self.entry(
                child,
                proposed_day,
                ChronologyKind.CLOSURE,
                text,
                referral,
                proposer,
                at=proposed,
                detail=summary,
            )
            if pending:
                continue
            referral.closed_on, referral.closure_authorised_at = day, authorised
            manager = self.fill(referral, "closure_authorised_by_id", self.manager_on(case, day))
            closed = self.naming(f"Episode of need closed: {label} (authorised by {{name}})", manager)
            self.entry(
                child, day, ChronologyKind.CLOSURE, closed, referral, manager, at=authorised, detail=summary
            )
            child.busy_until = day
        if pending:
            case.stage = "closure awaiting sign-off"
            return
        case.open = False
        if case.segments:
            case.segments[-1].end = authorised

    def name_professionals(self, child: Child, on: datetime.date) -> None:
        """The school's safeguarding lead, the GP and the health visitor around a referred
        child (the demo school sign-in for some Riverside pupils, so that sign-in sees them)."""
        rng, staff = self.rng, self.staff
        school = self.school_of(child, self.today)
        if school and school != NURSERY:
            dsl = staff.partner(rng, school, "designated")
            if school == FIRST_SCHOOL and staff.school_dsl is not None and rng.random() < 0.6:
                dsl = staff.school_dsl
            if dsl is not None:
                self.named_professional(child, dsl, "Designated safeguarding lead", on)
        gp = staff.partner(rng, child.family.gp, "general")
        if gp is not None:
            self.named_professional(child, gp, "GP", on)
        if child.unborn or child.age(self.today) < 5:
            hv = staff.partner(rng, HEALTH_VISITING)
            if hv is not None:
                self.named_professional(child, hv, "Health visitor", on)

    def named_professional(self, child: Child, who: Worker, involvement: str, on: datetime.date) -> None:
        key = (child.pk, who.practitioner_id)
        if key not in self.named:
            self.named[key] = NamedProfessional(
                person_id=child.pk, practitioner_id=who.practitioner_id, involvement=involvement, started=on
            )

    # --- After the journeys --------------------------------------------------------------

    def extra_moves(self) -> None:
        """Some long cases change worker within the team (a worker leaves, caseloads are
        evened out, long-term sickness)."""
        rng = self.rng
        for case in self.cases:
            if not case.segments or rng.random() > 0.14:
                continue
            segment = case.segments[-1]
            end = segment.end or self.now
            span = (end - segment.start).days
            if span < 60:
                continue
            day = (segment.start + datetime.timedelta(days=rng.randint(30, span - 20))).date()
            when = self.work_time(self.clock.working_day_on_or_after(day))
            if segment.start < when < end and when <= self.now:
                case.segments.append(
                    Segment(kind=segment.kind, start=when, end=segment.end, reason=rng.choice(MOVE_REASONS))
                )
                segment.end = when

    def notes(self) -> None:
        """Case notes by the workers (and managers' oversight) on open and recent cases,
        some written in the last day and so still open to correction."""
        rng = self.rng
        for case in self.cases:
            if not case.segments:
                continue
            first = case.segments[0].start.date()
            last = self.today if case.open else (case.segments[-1].end or self.now).date()
            if (self.today - last).days > 120:
                continue
            days = sorted(
                first + datetime.timedelta(days=rng.randint(0, max(0, (last - first).days)))
                for _ in range(rng.randint(1, 3) + (2 if case.open else 0))
            )
            if case.open and rng.random() < 0.4:
                days.append(self.today)
            child = case.children[0]
            for day in days:
                occurred = min(self.work_time(day, 9, 15), self.now - datetime.timedelta(minutes=45))
                recorded = min(
                    occurred + datetime.timedelta(hours=rng.choice([0, 1, 2, 4, 20, 26])), self.now
                )
                kind: str = CaseNoteKind.MANAGEMENT
                if rng.random() < 0.15:
                    text, who = rng.choice(MANAGEMENT_NOTES), self.manager_on(case, day)
                else:
                    kind, template = rng.choice(CASE_NOTES)
                    text, who = template.format(child=child.first_name), self.worker_on(case, day)
                note = CaseNote(
                    person_id=child.pk,
                    referral=case.referrals[0],
                    kind=kind,
                    occurred_at=occurred,
                    recorded_at=recorded,
                    text=text,
                )
                self.fill(note, "author_id", who)
                self.case_notes.append(note)
                summary = f"{CaseNoteKind(kind).label}: {text[:200]}"
                self.entry(child, day, ChronologyKind.CASE_NOTE, summary, note, who, at=occurred, detail=text)

    def allocate(self) -> None:
        """Choose every segment's team and worker: the demo social worker's caseload first
        (a mix of stages, something overdue, something due this week), then everyone
        else's, evening out open caseloads within each team. Then fill in every record
        that names a worker or manager."""
        rng, staff = self.rng, self.staff
        at_teams = [(staff.teams[name], w) for name, w in ASSESSMENT_TEAMS if name in staff.teams]
        home = staff.social_worker.team_id or at_teams[0][0]
        for case in self.cases:
            case.team_id = _weighted(rng, at_teams) if at_teams else home
        mine = self.social_workers_cases()
        for case in mine:
            case.team_id = home
        # The team manager's team has a referral to allocate and an assessment to sign off.
        for waiting in (
            [c for c in self.cases if not c.segments],
            [c for c in self.cases if c.stage == "assessment awaiting sign-off"],
        ):
            if waiting and all(c.team_id != home for c in waiting):
                waiting[-1].team_id = home
        team_of_kind = {"cp": staff.teams.get(CP_TEAM, home), "lac": staff.teams.get(CIC_TEAM, home)}
        load: dict[int, int] = defaultdict(int)
        ordered = sorted(
            ((s, case, i) for case in self.cases for i, s in enumerate(case.segments)),
            key=lambda t: (t[0].start, t[1].referrals[0].person_id),
        )
        for segment, case, i in ordered:
            segment.team_id = case.team_id if segment.kind == "assessment" else team_of_kind[segment.kind]
            team = staff.workers.get(segment.team_id) or [staff.social_worker]
            previous = case.segments[i - 1].worker if i else None
            pool = [w for w in team if w != previous] or team
            if segment.end is None and case in mine:
                worker = staff.social_worker
            elif segment.end is None:
                pool = [w for w in pool if w != staff.social_worker] or pool
                least = min(load[w.user_id] for w in pool)
                worker = rng.choice([w for w in pool if load[w.user_id] == least])
            else:
                worker = rng.choice(pool)
            segment.worker, segment.manager = worker, self.pick_manager(segment.team_id)
            if segment.end is None:
                load[worker.user_id] += len(case.referrals)
        for case in self.cases:
            current = case.segments[-1] if case.segments else None
            for child, referral in zip(case.children, case.referrals, strict=True):
                referral.team_id = current.team_id if current else case.team_id
                # A closed episode leaves every caseload (as authorising a closure does).
                holding = current is not None and current.worker is not None and case.open
                referral.allocated_worker_id = (
                    current.worker.user_id if holding and current and current.worker else None
                )
                for i, segment in enumerate(case.segments):
                    assert segment.worker is not None and segment.manager is not None
                    row = Allocation(
                        referral=referral,
                        worker_id=segment.worker.user_id,
                        allocated_by_id=segment.manager.user_id,
                        allocated_at=segment.start,
                        ended_at=segment.end,
                        reason=segment.reason,
                    )
                    self.allocations.append(row)
                    if i == 0:
                        summary = f"Allocated to {segment.worker.name}"
                    else:
                        before = case.segments[i - 1].worker
                        assert before is not None
                        summary = (
                            f"Reallocated from {before.name} to {segment.worker.name} ({segment.reason})"
                        )
                    by = segment.manager.user_id
                    self.entry(
                        child,
                        segment.start.date(),
                        ChronologyKind.ALLOCATION,
                        summary,
                        row,
                        by,
                        at=segment.start,
                        detail=segment.reason,
                    )
        for fill in self.fills:
            fill()

    def social_workers_cases(self) -> list[Case]:
        """About `SOCIAL_WORKER_CASELOAD` open cases for the demo social worker (fewer in a
        small authority), from her assessment team's work (and child protection cases it
        kept rather than transfer): the assessments planned to be due this week and overdue
        (`SHOWN`), up to three more with overdue work, up to five with work due this week,
        then a spread of stages."""
        today, week = self.today, self.today + datetime.timedelta(days=6)
        candidates = [
            c
            for c in self.cases
            if c.open
            and c.segments
            and c.segments[-1].end is None
            and _kept_in_assessment_team(c) is not None
        ]
        self.rng.shuffle(candidates)
        # A small authority has too little work for a full caseload and her colleagues too.
        target = min(SOCIAL_WORKER_CASELOAD, max(6, round(0.4 * sum(len(c.referrals) for c in candidates))))
        mine: list[Case] = []
        count = 0

        def take(wanted: Callable[[Case], bool], limit: int) -> None:
            nonlocal count
            for case in candidates:
                if limit <= 0 or count >= target:
                    return
                if case not in mine and wanted(case):
                    mine.append(case)
                    count += len(case.referrals)
                    limit -= 1

        take(lambda c: c.waiting in ("due this week", "overdue"), 2)
        take(lambda c: any(d < today for d in c.due), 3)
        take(lambda c: any(today <= d <= week for d in c.due), 5)
        stages = sorted({c.stage for c in candidates})
        while count < target:
            before = len(mine)
            for stage in stages:
                take(functools.partial(_at_stage, stage), 1)
            if len(mine) == before:
                break
        for case in mine:
            # Her team kept the case: no transfer to the child protection team.
            keep = _kept_in_assessment_team(case)
            assert keep is not None
            del case.segments[keep + 1 :]
            case.segments[keep].end = None
        return mine


def _kept_in_assessment_team(case: Case) -> int | None:
    """The index of the case's last assessment-team segment, if only transfers to the
    child protection team (and moves within it) came after it; else None."""
    for i in range(len(case.segments) - 1, -1, -1):
        kind = case.segments[i].kind
        if kind == "assessment":
            return i
        if kind != "cp":
            return None
    return None


def _at_stage(stage: str, case: Case) -> bool:
    return case.stage == stage


def _agreed_details(member: CoreGroupMember, worker: Worker) -> None:
    member.practitioner_id, member.name, member.phone = worker.practitioner_id, worker.name, worker.phone
    member.secure_email, member.preferred_contact = worker.secure_email, worker.preferred_contact


# --- Writing -----------------------------------------------------------------------------


def _bulk(rows: Sequence[M]) -> None:
    if rows:
        type(rows[0])._default_manager.bulk_create(rows, batch_size=2000)


def write_casework(
    *, seed: int, today: datetime.date, children_cap: int = CASEWORK_CHILDREN_CAP
) -> CaseworkCounts:
    """Plan and write the demo's casework as of `today` for the first `children_cap`
    children; return what was made (all zero if there are no demo staff or people)."""
    started = time.perf_counter()
    counts = CaseworkCounts()
    if children_cap <= 0:
        return counts
    with transaction.atomic():
        staff = demo_staff()
        rng = random.Random(seed * 104729 + 7)  # noqa: S311 - synthetic demo data, not security  # nosec B311
        families = load_families(children_cap, rng) if staff is not None else []
        if staff is None or not families:
            return counts
        p = Planner(seed=seed, today=today, staff=staff, families=families)
        p.run()
        p.extra_moves()
        p.notes()
        p.allocate()
        _write(p)
        # A referral going on to further action records the child's disability ("none"
        # where the person index had it unknown), as the census asks (rule 8540).
        Person.objects.filter(
            disability=Disability.NOT_KNOWN,
            referrals__referral_nfa=False,
        ).update(disability=Disability.NONE)
        _notify(p)
    counts.children_covered = len(p.children)
    counts.contacts = len(p.contacts)
    counts.awaiting_front_door = sum(1 for c in p.contacts if c.authorised_at is None)
    counts.referrals = len(p.referrals)
    counts.open_referrals = sum(1 for r in p.referrals if r.closed_on is None)
    counts.unallocated = sum(1 for r in p.referrals if r.closed_on is None and r.allocated_worker_id is None)
    counts.assessments = len(p.assessments)
    counts.strategy_discussions = len(p.discussions)
    counts.section47s = len(p.section47s)
    counts.conferences = sum(1 for c in p.conferences if c.held)
    counts.cp_plans_open = sum(1 for plan in p.plans if plan.ended_on is None)
    counts.cin_plans_open = sum(1 for plan in p.cin_plans if plan.ended_on is None)
    counts.looked_after_open = sum(1 for e in p.looked_after if e.ended_on is None)
    counts.early_help = len(p.early_help)
    counts.visits = len(p.visits)
    counts.case_notes = len(p.case_notes)
    counts.chronology = len(p.entries)
    counts.seconds = time.perf_counter() - started
    return counts


def _write(p: Planner) -> None:
    """Every table in dependency order, the chronology last (it names records by key)."""
    first: list[Sequence[models.Model]] = [
        p.contacts,
        p.referrals,
        p.allocations,
        p.assessments,
        p.discussions,
    ]
    for rows in first:
        _bulk(rows)
    # Opened when the decision was authorised (the unallocated list counts the days since).
    for referral, opened in zip(p.referrals, p.opened_at, strict=True):
        referral.created_at = opened
    Referral.objects.bulk_update(p.referrals, ["created_at"], batch_size=1000)
    through = StrategyDiscussion.referrals.through
    _bulk([through(strategydiscussion_id=d.pk, referral_id=r.pk) for d, r in p.discussion_links])
    then: list[Sequence[models.Model]] = [
        p.attendees,
        p.section47s,
        p.conferences,
        p.plans,
        p.conference_children,
        p.invitations,
        p.core_groups,
        p.members,
        p.visits,
        p.cin_plans,
        p.cin_reviews,
        p.early_help,
        p.looked_after,
        p.case_notes,
        list(p.named.values()),
    ]
    for rows in then:
        _bulk(rows)
    # The chronology is the biggest table and nothing points at it: plain INSERTs of
    # values prepared as Django would, without building a model instance per row.
    ops = connection.ops
    fields = [
        "person",
        "occurred_on",
        "occurred_at",
        "kind",
        "agency",
        "summary",
        "detail",
        "source_type",
        "source_id",
        "significant",
        "recorded_by",
        "recorded_at",
    ]
    values: list[tuple[int | str | bool | None, ...]] = []
    for e in sorted(p.entries, key=lambda e: (e.on, e.at or p.at(e.on, 12), e.person_id)):
        at = e.at or p.at(e.on, 12)
        recorded = max(at, min(at + datetime.timedelta(minutes=p.rng.randint(5, 600)), p.now))
        values.append(
            (
                e.person_id,
                ops.adapt_datefield_value(e.on),
                ops.adapt_datetimefield_value(e.at),
                e.kind,
                e.agency_id,
                (e.summary() if callable(e.summary) else e.summary)[:300],
                e.detail,
                e.source._meta.label_lower if e.source is not None else "",
                str(e.source.pk) if e.source is not None else "",
                e.significant,
                e.by() if callable(e.by) else e.by,
                ops.adapt_datetimefield_value(recorded),
            )
        )
    meta = ChronologyEntry._meta
    column = {field.name: field.column for field in meta.concrete_fields}
    columns = ", ".join(ops.quote_name(column[name]) for name in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    table = ops.quote_name(meta.db_table)
    # Names from the model, values as parameters.
    target = f"{table} ({columns}) VALUES ({placeholders})"
    with connection.cursor() as cursor:
        for i in range(0, len(values), 5000):
            cursor.executemany(f"INSERT INTO {target}", values[i : i + 5000])


def _notify(p: Planner) -> None:
    """Alerts for the demo sign-ins: cases allocated, work due and overdue for the social
    worker; sign-offs and unallocated referrals for the team manager."""
    staff = p.staff
    sw, tm = staff.social_worker.user_id, staff.team_manager.user_id
    names = dict(
        Person.objects.filter(pk__in=[r.person_id for r in p.referrals]).values_list("pk", "given_names")
    )
    alerts: list[tuple[Notification, datetime.datetime]] = []

    def alert(
        user: int, when: datetime.datetime, subject: str, body: str, person_id: int, *, read: bool = False
    ) -> None:
        note = Notification(
            recipient_id=user, subject=subject, body=body, link=reverse("people:detail", args=[person_id])
        )
        note.read_at = when + datetime.timedelta(hours=2) if read else None
        alerts.append((note, when))

    def name(person_id: int) -> str:
        return (names.get(person_id) or "An unborn baby").split(" ")[0]

    mine = sorted(
        (c for c in p.cases if c.open and c.segments and c.segments[-1].worker == staff.social_worker),
        key=lambda c: c.segments[-1].start,
        reverse=True,
    )
    for i, case in enumerate(mine[:6]):
        child = case.referrals[0].person_id
        alert(
            sw,
            case.segments[-1].start,
            "Case allocated to you",
            f"{name(child)}'s case has been allocated to you.",
            child,
            read=i >= 2,
        )
    week = p.today + datetime.timedelta(days=6)
    soon = next((c for c in mine if any(p.today <= d <= week for d in c.due)), None)
    if soon is not None:
        child = soon.referrals[0].person_id
        due = min(d for d in soon.due if d >= p.today)
        alert(
            sw,
            p.now - datetime.timedelta(hours=6),
            "Work due this week",
            f"Work on {name(child)}'s case is due on {due:%-d %B %Y}.",
            child,
        )
    late = next((c for c in mine if any(d < p.today for d in c.due)), None)
    if late is not None:
        child = late.referrals[0].person_id
        alert(
            sw,
            p.now - datetime.timedelta(days=1),
            "Overdue work",
            f"Work on {name(child)}'s case is overdue.",
            child,
        )
    waiting = [
        a
        for a in p.assessments
        if a.completed_on and a.authorised_at is None and a.referral.team_id == staff.team_manager.team_id
    ]
    for a in waiting[:3]:
        child = a.referral.person_id
        alert(
            tm,
            p.at(a.completed_on or p.today, 16),
            "Assessment awaiting your authorisation",
            f"{name(child)}'s assessment is complete and needs a manager's authorisation.",
            child,
        )
    unallocated = [
        r
        for r in p.referrals
        if r.allocated_worker_id is None and r.closed_on is None and r.team_id == staff.team_manager.team_id
    ]
    for r in unallocated[:2]:
        alert(
            tm,
            p.now - datetime.timedelta(hours=3),
            "New referral for your team",
            f"{name(r.person_id)}'s referral is waiting to be allocated.",
            r.person_id,
        )
    Notification.objects.bulk_create([n for n, _ in alerts])
    for note, when in alerts:  # created_at is set on insert; date them when they happened
        Notification.objects.filter(pk=note.pk).update(created_at=when)


def delete_casework() -> None:
    """Delete all casework and the demo staff's alerts, leaf tables first, with straight
    DELETEs: the casework protects the people and agencies a demo reset removes. The
    partners' concerns and flag checks go first (a concern points at its contact), the
    escalations (one points at the decision it questions), and the audits and supervision
    of the casework."""
    from jigsaw.core.demo_escalations import delete_escalations  # it imports casework
    from jigsaw.core.demo_missing import delete_missing  # episodes name referrals and care
    from jigsaw.core.demo_partner_activity import delete_partner_activity  # it imports casework
    from jigsaw.core.demo_quality_audits import delete_audits  # an audited case names its referral
    from jigsaw.core.demo_quality_supervision import delete_supervision
    from jigsaw.core.demo_support import delete_support  # tasks name people and referrals
    from jigsaw.core.demo_voice import delete_voice  # feedback names conferences and referrals
    from jigsaw.core.demo_vulnerable_families import delete_vulnerable_families  # names contacts

    delete_escalations()
    delete_partner_activity()
    delete_audits()
    delete_supervision()
    delete_missing()
    delete_voice()
    delete_support()
    delete_vulnerable_families()
    Notification.objects.filter(recipient__practitioner__agency__name__in=[a[0] for a in AGENCIES]).delete()
    tables: list[type[models.Model]] = [
        ChronologyEntry,
        CaseNoteAddendum,
        CaseNote,
        Visit,
        CoreGroupMember,
        CoreGroupMeeting,
        ConferenceInvitation,
        ConferenceChild,
        ChildProtectionConference,
        ChildProtectionPlan,
        Section47Enquiry,
        StrategyDiscussionAttendee,
        StrategyDiscussion.referrals.through,
        StrategyDiscussion,
        ChildInNeedPlanReview,
        ChildInNeedPlan,
        LookedAfterEpisode,
        EarlyHelpEpisode,
        Allocation,
        Assessment,
        Referral,
        Contact,
    ]
    with connection.cursor() as cursor:
        for model in tables:
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name from the models  # nosec B608
