"""The coded values of casework: DfE census codes and the choices of each step."""

from __future__ import annotations

from django.db import models


class ReferralSource(models.TextChoices):
    """The DfE children in need census referral-source codes."""

    FAMILY_MEMBER = "1A", "Individual: family member"
    RELATIVE = "1B", "Individual: relative"
    SELF = "1C", "Individual: self"
    OTHER_INDIVIDUAL = "1D", "Individual: other"
    SCHOOLS = "2A", "Schools"
    EDUCATION_SERVICES = "2B", "Education services"
    GP = "3A", "Health: GP"
    HEALTH_VISITOR = "3B", "Health: health visitor"
    SCHOOL_NURSE = "3C", "Health: school nurse"
    OTHER_PRIMARY_HEALTH = "3D", "Health: other primary health services"
    A_AND_E = "3E", "Health: A&E"
    OTHER_HEALTH = "3F", "Health: other"
    HOUSING = "4", "Housing"
    LA_SOCIAL_CARE = "5A", "Local authority: social care"
    LA_OTHER_INTERNAL = "5B", "Local authority: other internal department"
    LA_EXTERNAL = "5C", "Local authority: external (for example another authority)"
    EARLY_HELP = "5D", "Local authority: early help"
    POLICE = "6", "Police"
    OTHER_LEGAL = "7", "Other legal agency"
    OTHER = "8", "Other"
    ANONYMOUS = "9", "Anonymous"
    UNKNOWN = "10", "Unknown"


class Consent(models.TextChoices):
    GIVEN = "given", "Given"
    NOT_SOUGHT = "not_sought", "Not sought: asking would put the child at risk"
    REFUSED = "refused", "Refused"


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate: the child may be at risk of significant harm now"
    SAME_DAY = "same_day", "Today"
    ROUTINE = "routine", "Routine"


class FrontDoorDecision(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    INFORMATION_AND_ADVICE = "advice", "Information and advice"
    EARLY_HELP = "early_help", "Early help"
    ASSESSMENT = "assessment", "Referral for assessment"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion"


class PrimaryNeed(models.TextChoices):
    """The DfE primary need codes (children in need census)."""

    N1 = "N1", "N1 Abuse or neglect"
    N2 = "N2", "N2 Child's disability or illness"
    N3 = "N3", "N3 Parental disability or illness"
    N4 = "N4", "N4 Family in acute stress"
    N5 = "N5", "N5 Family dysfunction"
    N6 = "N6", "N6 Socially unacceptable behaviour"
    N7 = "N7", "N7 Low income"
    N8 = "N8", "N8 Absent parenting"
    N9 = "N9", "N9 Cases other than children in need"
    N0 = "N0", "N0 Not stated"


class ClosureReason(models.TextChoices):
    """The DfE reasons for closing an episode of need."""

    RC1 = "RC1", "RC1 Adopted"
    RC2 = "RC2", "RC2 Died"
    RC3 = "RC3", "RC3 Child arrangements order"
    RC4 = "RC4", "RC4 Special guardianship order"
    RC5 = "RC5", "RC5 Transferred to another local authority"
    RC6 = "RC6", "RC6 Transferred to adult social care"
    RC7 = "RC7", "RC7 Services ceased for any other reason, including no longer in need"
    RC8 = "RC8", "RC8 Closed after assessment: no further action"
    RC9 = "RC9", "RC9 Closed after assessment: referred to early help"


class AssessmentFactor(models.TextChoices):
    """The DfE factors identified at the end of assessment (21 must stand alone)."""

    ALCOHOL_CHILD = "1A", "1A Alcohol misuse: the child"
    ALCOHOL_PARENT = "1B", "1B Alcohol misuse: a parent or carer"
    ALCOHOL_OTHER = "1C", "1C Alcohol misuse: another person in the household"
    DRUGS_CHILD = "2A", "2A Drug misuse: the child"
    DRUGS_PARENT = "2B", "2B Drug misuse: a parent or carer"
    DRUGS_OTHER = "2C", "2C Drug misuse: another person in the household"
    DOMESTIC_ABUSE_CHILD = "3A", "3A Domestic abuse: the child"
    DOMESTIC_ABUSE_PARENT = "3B", "3B Domestic abuse: a parent or carer"
    DOMESTIC_ABUSE_OTHER = "3C", "3C Domestic abuse: another person in the household"
    MENTAL_HEALTH_CHILD = "4A", "4A Mental health: the child"
    MENTAL_HEALTH_PARENT = "4B", "4B Mental health: a parent or carer"
    MENTAL_HEALTH_OTHER = "4C", "4C Mental health: another person in the household"
    LEARNING_DISABILITY_CHILD = "5A", "5A Learning disability: the child"
    LEARNING_DISABILITY_PARENT = "5B", "5B Learning disability: a parent or carer"
    LEARNING_DISABILITY_OTHER = "5C", "5C Learning disability: another person in the household"
    PHYSICAL_DISABILITY_CHILD = "6A", "6A Physical disability or illness: the child"
    PHYSICAL_DISABILITY_PARENT = "6B", "6B Physical disability or illness: a parent or carer"
    PHYSICAL_DISABILITY_OTHER = "6C", "6C Physical disability or illness: another person in the household"
    YOUNG_CARER = "7A", "7A Young carer"
    PRIVATE_FOSTERING_OVERSEAS_EDUCATION = "8B", "8B Privately fostered: overseas child for education"
    PRIVATE_FOSTERING_OVERSEAS_OTHER = "8C", "8C Privately fostered: overseas child, other reason"
    PRIVATE_FOSTERING_UK_EDUCATION = "8D", "8D Privately fostered: UK child for education"
    PRIVATE_FOSTERING_UK_FAMILY = "8E", "8E Privately fostered: UK child, family breakdown"
    PRIVATE_FOSTERING_OTHER = "8F", "8F Privately fostered: other"
    UNACCOMPANIED_ASYLUM_SEEKER = "9A", "9A Unaccompanied asylum-seeking child"
    GOING_MISSING = "10A", "10A Going missing"
    SEXUAL_EXPLOITATION = "11A", "11A Child sexual exploitation"
    TRAFFICKING = "12A", "12A Trafficking"
    GANGS = "13A", "13A Gangs"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "14A", "14A Socially unacceptable behaviour"
    SELF_HARM = "15A", "15A Self-harm"
    NEGLECT = "16A", "16A Neglect"
    EMOTIONAL_ABUSE = "17A", "17A Emotional abuse"
    PHYSICAL_ABUSE_BY_CHILD = "18B", "18B Physical abuse by a child"
    PHYSICAL_ABUSE_BY_ADULT = "18C", "18C Physical abuse by an adult"
    SEXUAL_ABUSE_BY_CHILD = "19B", "19B Sexual abuse by a child"
    SEXUAL_ABUSE_BY_ADULT = "19C", "19C Sexual abuse by an adult"
    OTHER = "20", "20 Other"
    NO_FACTORS = "21", "21 No factors identified"
    FEMALE_GENITAL_MUTILATION = "22A", "22A Female genital mutilation"
    FAITH_OR_BELIEF = "23A", "23A Abuse linked to faith or belief"
    CRIMINAL_EXPLOITATION = "24A", "24A Child criminal exploitation"


class AssessmentOutcome(models.TextChoices):
    NO_FURTHER_ACTION = "nfa", "No further action"
    EARLY_HELP = "early_help", "Step down to early help"
    CHILD_IN_NEED_PLAN = "cin_plan", "Child in need plan"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion"
    LOOKED_AFTER = "looked_after", "The child to become looked after"


class StrategyDecision(models.TextChoices):
    SECTION_47 = "s47", "Section 47 enquiry"
    SINGLE_AGENCY = "single_agency", "No section 47: continue the assessment"
    NO_FURTHER_ACTION = "nfa", "No further action"


class Section47Outcome(models.TextChoices):
    CONFERENCE = "conference", "Concerns substantiated: initial child protection conference"
    CHILD_IN_NEED = "cin", "Concerns substantiated, child not at continuing risk: child in need plan"
    NOT_SUBSTANTIATED = "not_substantiated", "Concerns not substantiated"


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial"
    PRE_BIRTH = "pre_birth", "Pre-birth"
    REVIEW = "review", "Review"
    TRANSFER_IN = "transfer_in", "Transfer-in"


class ConferenceDecision(models.TextChoices):
    PLAN = "plan", "Child protection plan"
    CONTINUE_PLAN = "continue", "Continue the child protection plan"
    END_PLAN = "end", "End the child protection plan"
    NO_PLAN = "no_plan", "No child protection plan"


class AbuseCategory(models.TextChoices):
    NEGLECT = "NEG", "Neglect"
    PHYSICAL = "PHY", "Physical abuse"
    EMOTIONAL = "EMO", "Emotional abuse"
    SEXUAL = "SAB", "Sexual abuse"
    MULTIPLE = "MUL", "Multiple"


class PlanEndReason(models.TextChoices):
    NO_LONGER_AT_RISK = "not_at_risk", "No longer at continuing risk of significant harm"
    LOOKED_AFTER = "looked_after", "Became looked after"
    MOVED = "moved", "Moved to another local authority"
    ADULT = "adult", "Reached 18"
    DIED = "died", "Died"


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    IN_PERSON = "in_person", "Attended in person"
    PHONE = "phone", "Attended by phone"
    VIDEO = "video", "Attended by video"
    REPORT_ONLY = "report", "Sent a report, did not attend"
    APOLOGIES = "apologies", "Sent apologies"
    DID_NOT_ATTEND = "absent", "Did not attend"


ATTENDED = frozenset({Attendance.IN_PERSON, Attendance.PHONE, Attendance.VIDEO})


class MeetingMode(models.TextChoices):
    """How an invitee is asked to join a conference or core group."""

    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "By phone"
    VIDEO = "video", "By video"


class InvitationReply(models.TextChoices):
    """An invitee's answer to an invitation, before the meeting."""

    IN_PERSON = "in_person", "Will attend in person"
    PHONE = "phone", "Will join by phone"
    VIDEO = "video", "Will join by video"
    REPORT_ONLY = "report", "Will send a report, cannot attend"
    APOLOGIES = "apologies", "Sends apologies"


class FamilyRole(models.TextChoices):
    """Who sits at a conference other than the professionals."""

    PARENT = "parent", "Parent or carer"
    ADVOCATE = "advocate", "Advocate"
    CHILD = "child", "The child"
    OTHER = "other", "Other family member"


class VisitKind(models.TextChoices):
    STATUTORY = "statutory", "Statutory visit (child on a plan)"
    ASSESSMENT = "assessment", "Assessment visit"
    CHILD_IN_NEED = "cin", "Child in need visit"
    LOOKED_AFTER = "looked_after", "Looked-after child visit"


class EarlyHelpEndReason(models.TextChoices):
    NEEDS_MET = "needs_met", "Needs met"
    STEPPED_UP = "stepped_up", "Stepped up to children's social care"
    DISENGAGED = "disengaged", "Family did not engage"
    MOVED = "moved", "Moved away"


class LegalStatus(models.TextChoices):
    """The DfE legal-status codes of a looked-after child (SSDA903)."""

    C1 = "C1", "C1 Interim care order"
    C2 = "C2", "C2 Full care order"
    D1 = "D1", "D1 Freeing order granted"
    E1 = "E1", "E1 Placement order granted"
    J1 = "J1", "J1 Remanded to local authority accommodation or youth detention"
    J2 = "J2", "J2 Placed in local authority accommodation under PACE"
    J3 = "J3", "J3 Sentenced to a youth rehabilitation order with residence or fostering"
    L1 = "L1", "L1 Under police protection and in local authority accommodation"
    L2 = "L2", "L2 Emergency protection order"
    L3 = "L3", "L3 Child assessment order, away from home"
    V2 = "V2", "V2 Single period of accommodation under section 20"
    V3 = "V3", "V3 Accommodated under an agreed series of short-term breaks"
    V4 = "V4", "V4 Accommodated under an agreed series of short-term breaks, individual episodes"


class PlacementType(models.TextChoices):
    """The common DfE placement-type codes of a looked-after child (SSDA903)."""

    U1 = "U1", "U1 Foster placement with a relative or friend, long-term"
    U3 = "U3", "U3 Foster placement with a relative or friend, not long-term"
    U4 = "U4", "U4 Foster placement with another carer, long-term"
    U6 = "U6", "U6 Foster placement with another carer, not long-term"
    A3 = "A3", "A3 Placed for adoption with consent"
    A5 = "A5", "A5 Placed for adoption with a placement order"
    K2 = "K2", "K2 Children's home"
    P1 = "P1", "P1 Placed with their own parents"
    H5 = "H5", "H5 Semi-independent living accommodation"
    R1 = "R1", "R1 Residential care home"
    Z1 = "Z1", "Z1 Other placement"


class ChronologyKind(models.TextChoices):
    """What kind of event a chronology entry records (filterable)."""

    CONTACT = "contact", "Contact"
    DECISION = "decision", "Front-door decision"
    REFERRAL = "referral", "Referral"
    ALLOCATION = "allocation", "Allocation"
    ASSESSMENT = "assessment", "Assessment"
    STRATEGY_DISCUSSION = "strategy", "Strategy discussion"
    SECTION_47 = "s47", "Section 47 enquiry"
    CONFERENCE = "conference", "Child protection conference"
    PLAN = "plan", "Plan"
    CORE_GROUP = "core_group", "Core group"
    VISIT = "visit", "Visit"
    CASE_NOTE = "case_note", "Case note"
    EARLY_HELP = "early_help", "Early help"
    LOOKED_AFTER = "looked_after", "Looked after"
    CLOSURE = "closure", "Closure"
    PARTNER_EVENT = "partner_event", "Partner event"
    MISSING = "missing", "Missing episode"
    PRIVATE_FOSTERING = "private_fostering", "Private fostering"


class CaseNoteKind(models.TextChoices):
    HOME_VISIT = "home_visit", "Home visit"
    PHONE_CALL = "phone_call", "Phone call"
    MEETING = "meeting", "Meeting"
    EMAIL = "email", "Email or letter"
    OBSERVATION = "observation", "Observation"
    MANAGEMENT = "management", "Management decision"
    OTHER = "other", "Other"
