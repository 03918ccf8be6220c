"""The landing contracts as data: one table that ingestion, the generator and the docs all read.

Every source of ``landing-contracts.md`` is a :class:`Source` with its columns in contract order, the
format(s) it may arrive in, and the key by which a later row replaces an earlier one. A column knows its type,
whether it may be empty, its allowed values and any special rule (``lc_user_id``, phone, NPI, attendance
code). Ingestion validates a row column by column in this order and quarantines it with the *first* failing
column's reason, so the generator can plant a bad row with exactly one known reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    STR = "str"
    INT = "int"
    DECIMAL = "decimal"
    DATE = "date"
    TS = "ts"
    BOOL = "bool"


class Rule(StrEnum):
    """Special per-column rules beyond the type."""

    LC_USER_ID = "lc_user_id"  # mmddyyyy ssss in three accepted forms, normalised to mmddyyyyssss
    PHONE = "phone"  # any US format, normalised to E.164
    NPI = "npi"  # 10 digits, Luhn-valid with the 80840 prefix
    CODE5 = "code5"  # exactly five digits
    MONEY = "money"  # two decimals, never negative (except claim reversals)
    RATE = "rate"  # a share between 0 and 1
    SCORE = "score"  # 0..100


class Reason(StrEnum):
    """Why a row was quarantined. Ingestion records exactly these; the generator plants exactly these."""

    MISSING_REQUIRED = "missing_required"
    BAD_INT = "bad_int"
    BAD_DECIMAL = "bad_decimal"
    BAD_DATE = "bad_date"
    BAD_TIMESTAMP = "bad_timestamp"
    BAD_BOOL = "bad_bool"
    BAD_ENUM = "bad_enum"
    BAD_LC_USER_ID = "bad_lc_user_id"
    BAD_PHONE = "bad_phone"
    BAD_NPI = "bad_npi"
    BAD_CODE = "bad_code"
    NEGATIVE_MONEY = "negative_money"
    OUT_OF_RANGE = "out_of_range"
    TOO_LONG = "too_long"
    DUPLICATE_KEY = "duplicate_key"  # the same key twice within one file: the later row is quarantined
    MALFORMED_JSON = "malformed_json"  # a jsonl line that does not parse to an object (e.g. truncated)
    MALFORMED_ROW = "malformed_row"  # a csv row with more fields than its header (an unquoted comma)
    WRONG_JSON_TYPE = "wrong_json_type"  # a JSON value of another type than the column's (an object for text)


class FileReason(StrEnum):
    """Why a whole file was rejected (nothing of it loaded)."""

    EMPTY_FILE = "empty_file"
    UNREADABLE = "unreadable"  # corrupt xlsx, broken CSV quoting, a header row that cannot be parsed
    MISSING_COLUMNS = "missing_columns"  # also what a wrong delimiter looks like: one unknown header column
    UNSUPPORTED_FORMAT = "unsupported_format"
    NOT_TEXT = "not_text"  # NUL bytes in a .csv/.jsonl: binary content (or UTF-16 without a byte-order mark)
    BAD_ENCODING = "bad_encoding"  # a byte-order mark the bytes after it do not honour
    DUPLICATE_COLUMNS = "duplicate_columns"  # the header names a contract column twice: which one is meant?
    SYMLINK = "symlink"  # never followed: a link could lead out of landing/
    NOT_A_REGULAR_FILE = "not_a_regular_file"  # a FIFO, socket or device node: reading it could block or leak
    READER_ERROR = "reader_error"  # anything else that went wrong reading the file; the run goes on


#: Longest text a str column accepts; longer values are quarantined as ``too_long``.
MAX_TEXT = 500
#: Free-text columns that may be longer (a raw SMS body).
MAX_LONG_TEXT = 2000


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    values: tuple[str, ...] = ()
    rule: Rule | None = None
    max_len: int = MAX_TEXT

    @property
    def duckdb_type(self) -> str:
        if self.kind is Kind.DECIMAL:
            return {Rule.RATE: "DECIMAL(6,4)", Rule.SCORE: "DECIMAL(5,2)"}.get(self.rule, "DECIMAL(14,2)")
        return {
            Kind.STR: "VARCHAR",
            Kind.INT: "INTEGER",
            Kind.DATE: "DATE",
            Kind.TS: "TIMESTAMP",  # UTC instant (offset applied at ingest)
            Kind.BOOL: "BOOLEAN",
        }[self.kind]


@dataclass(frozen=True)
class Source:
    name: str
    family: str  # learning, ce, health_plan, auth_events
    formats: tuple[str, ...]  # accepted extensions, the first is what the generator writes
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""
    #: Columns whose negative values are allowed when ``negative_ok_when`` holds (claim reversals).
    negative_ok_when: tuple[str, str] | None = None
    references: tuple[tuple[str, str, str], ...] = field(
        default=()
    )  # (column, source, column): warned, not quarantined

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def required_columns(self) -> tuple[str, ...]:
        """Columns that must be present in a file's header (all contract columns; `?` ones may be empty)."""
        return self.column_names

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name!r}")


def _c(
    name: str, kind: Kind = Kind.STR, *, opt: bool = False, values=(), rule=None, max_len=MAX_TEXT
) -> Column:
    return Column(name, kind, not opt, tuple(values), rule, max_len)


S, INT, D, DT, TS, B = Kind.STR, Kind.INT, Kind.DECIMAL, Kind.DATE, Kind.TS, Kind.BOOL
MONEY = Rule.MONEY

DEGREES = ("MD", "DO", "RN", "NP", "PA", "PharmD", "PhD", "LPN", "CRNA", "DDS", "PT", "RD", "MSW", "Other")
CREDIT_TYPES = (
    "AMA_PRA_1",
    "ANCC",
    "ACPE",
    "ABIM_MOC",
    "AAPA_1",
    "ADA_CERP",
    "APTA",
    "CDR",
    "ASWB",
    "PARTICIPATION",
)
PORTALS = ("patient_portal", "learning_center", "ce_portal", "health_plans")
AUTH_EVENT_TYPES = (
    "login_success",
    "login_failure",
    "password_reset_requested",
    "password_reset_completed",
    "username_reminder_requested",
    "logout",
    "session_timeout",
)
SERVICE_CATEGORIES = (
    "preventive",
    "office_visit",
    "specialist",
    "emergency",
    "inpatient",
    "outpatient",
    "lab",
    "imaging",
    "rx_generic",
    "rx_brand",
)

SOURCES: tuple[Source, ...] = (
    # ---------------------------------------------------------------- Learning Center
    Source(
        "lc_people",
        "learning",
        ("csv",),
        (
            _c("person_id"),
            _c("lc_user_id", rule=Rule.LC_USER_ID),
            _c("first_name"),
            _c("last_name"),
            _c("email"),
            _c("department"),
            _c("job_role"),
            _c("manager_person_id", opt=True),
            _c("hire_date", DT),
            _c("termination_date", DT, opt=True),
            _c("is_student", B),
            _c("street", opt=True),
            _c("city", opt=True),
            _c("state", opt=True),
            _c("postal_code", opt=True),
        ),
        key=("person_id",),
        description="HR roster, one row per person",
        references=(("manager_person_id", "lc_people", "person_id"),),
    ),
    Source(
        "lc_courses",
        "learning",
        ("csv",),
        (
            _c("course_id"),
            _c("title"),
            _c("category"),
            _c("contact_hours", D),
            _c("active", B),
        ),
        key=("course_id",),
        description="Course catalog",
    ),
    Source(
        "lc_requirements",
        "learning",
        ("csv",),
        (
            _c("requirement_id"),
            _c("course_id"),
            _c("job_role"),
            _c("department"),
            _c("recurrence_months", INT, opt=True),
            _c("due_days_after_hire", INT),
            _c("window_days", INT, opt=True),
        ),
        key=("requirement_id",),
        description="Mandatory training by job role and department (`*` = all)",
        references=(("course_id", "lc_courses", "course_id"),),
    ),
    Source(
        "lc_completions",
        "learning",
        ("csv",),
        (
            _c("completion_id"),
            _c("lc_user_id", rule=Rule.LC_USER_ID),
            _c("course_id"),
            _c("completed_at", TS),
            _c("status", values=("completed", "failed", "in_progress", "waived")),
            _c("score", D, opt=True, rule=Rule.SCORE),
            _c("hours", D, opt=True),
        ),
        key=("completion_id",),
        description="Training completions",
        references=(("course_id", "lc_courses", "course_id"), ("lc_user_id", "lc_people", "lc_user_id")),
    ),
    # ---------------------------------------------------------------- Continuing Education
    Source(
        "ce_accounts",
        "ce",
        ("xlsx", "csv"),
        (
            _c("account_id"),
            _c("email"),
            _c("first_name"),
            _c("last_name"),
            _c("degree"),
            _c("mobile_phone", opt=True, rule=Rule.PHONE),
            _c("birth_date", DT, opt=True),
            _c("license_state", opt=True),
            _c("license_number", opt=True),
            _c("npi", opt=True, rule=Rule.NPI),
            _c("street", opt=True),
            _c("city", opt=True),
            _c("state", opt=True),
            _c("postal_code", opt=True),
            _c("login_method", values=("sso", "password")),
            _c("person_id", opt=True),
            _c("created_at", TS),
        ),
        key=("account_id",),
        description="CE portal accounts (xlsx export from the CE portal)",
        references=(("person_id", "lc_people", "person_id"),),
    ),
    Source(
        "ce_activities",
        "ce",
        ("csv",),
        (
            _c("activity_id"),
            _c("title"),
            _c("activity_type", values=("live", "rss", "enduring")),
            _c("starts_at", TS),
            _c("ends_at", TS),
            _c("attendance_code", rule=Rule.CODE5),
            _c("texting_window_hours", INT, opt=True),
            _c("evaluation_required", B),
            _c("certificate_days", INT, opt=True),
        ),
        key=("activity_id",),
        description="CE activities with their text-a-code attendance code",
    ),
    Source(
        "ce_activity_credits",
        "ce",
        ("csv",),
        (
            _c("activity_id"),
            _c("credit_type"),
            _c("credits", D),
            _c("eligible_degrees"),
        ),
        key=("activity_id", "credit_type"),
        description="Credits an activity offers, per credit type, with the degrees eligible (`;`-separated, "
        "`*` = all)",
        references=(("activity_id", "ce_activities", "activity_id"),),
    ),
    Source(
        "ce_attendance",
        "ce",
        ("jsonl", "ndjson"),
        (
            _c("event_id"),
            _c("channel", values=("sms", "qr", "portal", "admin")),
            _c("received_at", TS),
            _c("from_phone", opt=True, rule=Rule.PHONE),
            _c("account_id", opt=True),
            _c("code", opt=True),
            _c("activity_id", opt=True),
            _c("body", opt=True, max_len=MAX_LONG_TEXT),
        ),
        key=("event_id",),
        description="Claims of attendance (text-a-code, QR, portal, admin)",
    ),
    Source(
        "ce_evaluations",
        "ce",
        ("csv",),
        (
            _c("evaluation_id"),
            _c("account_id"),
            _c("activity_id"),
            _c("submitted_at", TS),
        ),
        key=("evaluation_id",),
        description="Activity evaluations submitted",
        references=(
            ("account_id", "ce_accounts", "account_id"),
            ("activity_id", "ce_activities", "activity_id"),
        ),
    ),
    Source(
        "ce_external_credits",
        "ce",
        ("csv",),
        (
            _c("external_id"),
            _c("account_id"),
            _c("provider_name"),
            _c("title"),
            _c("credit_type"),
            _c("credits", D),
            _c("completed_on", DT),
            _c("certificate_filename", opt=True),
            _c("uploaded_at", TS),
        ),
        key=("external_id",),
        description="External certificates uploaded by learners",
        references=(("account_id", "ce_accounts", "account_id"),),
    ),
    # ---------------------------------------------------------------- Health plan
    Source(
        "hp_employers",
        "health_plan",
        ("csv",),
        (_c("employer_id"), _c("name"), _c("group_number")),
        key=("employer_id",),
        description="Employer groups",
    ),
    Source(
        "hp_plans",
        "health_plan",
        ("csv",),
        (
            _c("plan_id"),
            _c("plan_year", INT),
            _c("plan_year_start", DT),
            _c("name"),
            _c("family_deductible_type", values=("embedded", "aggregate")),
            _c("ded_ind_in", D, rule=MONEY),
            _c("ded_fam_in", D, rule=MONEY),
            _c("oop_ind_in", D, rule=MONEY),
            _c("oop_fam_in", D, rule=MONEY),
            _c("ded_ind_out", D, rule=MONEY),
            _c("ded_fam_out", D, rule=MONEY),
            _c("oop_ind_out", D, opt=True, rule=MONEY),
            _c("oop_fam_out", D, opt=True, rule=MONEY),
            _c("coins_in", D, rule=Rule.RATE),
            _c("coins_out", D, rule=Rule.RATE),
            _c("copay_office_visit", D, rule=MONEY),
            _c("copay_specialist", D, rule=MONEY),
            _c("copay_emergency", D, rule=MONEY),
            _c("copay_rx_generic", D, rule=MONEY),
            _c("copay_rx_brand", D, rule=MONEY),
        ),
        key=("plan_id", "plan_year"),
        description="Plan designs, one row per plan and plan year",
    ),
    Source(
        "hp_members",
        "health_plan",
        ("csv",),
        (
            _c("member_id"),
            _c("subscriber_id"),
            _c("relationship", values=("self", "spouse", "child", "other")),
            _c("first_name"),
            _c("last_name"),
            _c("birth_date", DT),
            _c("sex", opt=True),
            _c("employer_id"),
            _c("email", opt=True),
            _c("street", opt=True),
            _c("city", opt=True),
            _c("state", opt=True),
            _c("postal_code", opt=True),
        ),
        key=("member_id",),
        description="Members (subscribers and dependents)",
        references=(
            ("employer_id", "hp_employers", "employer_id"),
            ("subscriber_id", "hp_members", "member_id"),
        ),
    ),
    Source(
        "hp_enrollment",
        "health_plan",
        ("csv",),
        (
            _c("member_id"),
            _c("plan_id"),
            _c("coverage_tier", values=("EMP", "ESP", "ECH", "FAM")),
            _c("coverage_start", DT),
            _c("coverage_end", DT, opt=True),
        ),
        key=("member_id", "plan_id", "coverage_start"),
        description="Coverage spans",
        references=(("member_id", "hp_members", "member_id"), ("plan_id", "hp_plans", "plan_id")),
    ),
    Source(
        "hp_providers",
        "health_plan",
        ("csv",),
        (
            _c("npi", rule=Rule.NPI),
            _c("name"),
            _c("specialty"),
            _c("network_status", values=("in", "out")),
            _c("network_start", DT),
            _c("network_end", DT, opt=True),
        ),
        key=("npi",),
        description="Providers and their network status",
    ),
    Source(
        "hp_claims",
        "health_plan",
        ("csv",),
        (
            _c("claim_id"),
            _c("line_number", INT),
            _c("claim_type", values=("original", "adjustment", "reversal")),
            _c("original_claim_id", opt=True),
            _c("member_id"),
            _c("provider_npi", rule=Rule.NPI),
            _c("service_date", DT),
            _c("received_date", DT),
            _c("processed_at", TS),
            _c("status", values=("paid", "denied", "pending")),
            _c("service_category", values=SERVICE_CATEGORIES),
            _c("network", values=("in", "out")),
            _c("billed_amount", D, rule=MONEY),
            _c("allowed_amount", D, rule=MONEY),
        ),
        key=("claim_id", "line_number"),
        description="Claim lines (originals, adjustments, reversals)",
        negative_ok_when=("claim_type", "reversal"),
        references=(("member_id", "hp_members", "member_id"), ("provider_npi", "hp_providers", "npi")),
    ),
    # ---------------------------------------------------------------- Login attempts
    Source(
        "auth_events",
        "auth_events",
        ("jsonl", "ndjson"),
        (
            _c("event_id"),
            _c("portal", values=PORTALS),
            _c("occurred_at", TS),
            _c("event_type", values=AUTH_EVENT_TYPES),
            _c("username"),
            _c("ip"),
            _c("user_agent", opt=True),
            _c("method", values=("password", "sso")),
            _c("reset_token", opt=True),
            _c("failure_reason", opt=True, values=("bad_password", "unknown_user", "locked")),
        ),
        key=("event_id",),
        description="Login attempts and password events from all four portals",
    ),
)

SOURCES_BY_NAME: dict[str, Source] = {s.name: s for s in SOURCES}


def source(name: str) -> Source:
    return SOURCES_BY_NAME[name]
