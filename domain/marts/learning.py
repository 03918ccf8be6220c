"""Learning Center marts: the roster, compliance (now, monthly history, rollups) and transcripts."""

from domain.marts.entry import BIGINT, BOOLEAN, DATE, INTEGER, MONEY, PCT, VARCHAR, mart

#: compliance_status's columns; compliance_history has them too, after its month_end.
STATUS_COLUMNS = (
    ("person_id", VARCHAR),
    ("requirement_id", VARCHAR),
    ("course_id", VARCHAR),
    ("due_date", DATE),
    ("status", VARCHAR),
    ("department", VARCHAR),
    ("job_role", VARCHAR),
    ("manager_person_id", VARCHAR),
    ("first_name", VARCHAR),
    ("last_name", VARCHAR),
    ("course_title", VARCHAR),
    ("last_completion", DATE),
    ("expires_on", DATE),
    ("window_days", INTEGER),
    ("as_of", DATE),
)
#: A transcript line, the same in each source's part (``lc_``/``ce_transcript_items``) and in the union.
TRANSCRIPT_ITEM_COLUMNS = (
    ("person_id", VARCHAR),
    ("source", VARCHAR),
    ("item_id", VARCHAR),
    ("title", VARCHAR),
    ("completed_on", DATE),
    ("credit_type", VARCHAR),
    ("credits", MONEY),
    ("hours", MONEY),
)
#: What a compliance roll-up (by department, job role, manager) counts, after its key.
ROLLUP_COLUMNS = (
    ("people", BIGINT),
    ("requirements", BIGINT),
    ("n_overdue", BIGINT),
    ("n_due_soon", BIGINT),
    ("n_compliant", BIGINT),
    ("n_not_due_yet", BIGINT),
    ("as_of", DATE),
    ("n_assessed", BIGINT),
    ("pct_compliant", PCT),
)

MARTS = (
    mart(
        "compliance_by_department",
        "learning",
        (
            "compliance_status rolled up by department: people, requirements by status, and the share of "
            "assessed requirements that are compliant."
        ),
        ("department", VARCHAR),
        *ROLLUP_COLUMNS,
    ),
    mart(
        "compliance_by_job_role",
        "learning",
        (
            "compliance_status rolled up by job role: people, requirements by status, and the share of "
            "assessed requirements that are compliant."
        ),
        ("job_role", VARCHAR),
        *ROLLUP_COLUMNS,
    ),
    mart(
        "compliance_by_manager",
        "learning",
        (
            "compliance_status rolled up by manager: people, requirements by status, and the share of "
            "assessed requirements that are compliant."
        ),
        ("manager_person_id", VARCHAR),
        *ROLLUP_COLUMNS,
    ),
    mart(
        "compliance_history",
        "learning",
        "compliance_status as of every month-end the completions cover (the most recent ``history_months``).",
        ("month_end", DATE),
        *STATUS_COLUMNS,
    ),
    mart(
        "compliance_trend",
        "learning",
        "Requirements per status per month-end and department, from compliance_history: counts (not "
        "percentages) "
        "so any set of departments can be re-added; the Compliance page's trend reads these few rows.",
        ("month_end", DATE),
        ("department", VARCHAR),
        ("n_overdue", BIGINT),
        ("n_due_soon", BIGINT),
        ("n_compliant", BIGINT),
        ("n_not_due_yet", BIGINT),
    ),
    mart(
        "compliance_status",
        "learning",
        "Every active person's applicable requirements with due date and status as of the run's as-of date.",
        *STATUS_COLUMNS,
    ),
    mart(
        "learning_people",
        "learning",
        (
            "The HR roster for the read side: names, department, manager, and the lc_user_id masked (never "
            "whole)."
        ),
        ("person_id", VARCHAR),
        ("first_name", VARCHAR),
        ("last_name", VARCHAR),
        ("email", VARCHAR),
        ("department", VARCHAR),
        ("job_role", VARCHAR),
        ("manager_person_id", VARCHAR),
        ("hire_date", DATE),
        ("termination_date", DATE),
        ("is_student", BOOLEAN),
        ("lc_user_id_masked", VARCHAR),
    ),
    mart(
        "lc_transcript_items",
        "learning",
        "Learning Center completions (completed or waived) as transcript items, up to the as-of date.",
        *TRANSCRIPT_ITEM_COLUMNS,
    ),
    mart(
        "transcript_items",
        "learning",
        (
            "Every person's transcript items from all sources: Learning Center completions, CE credits and "
            "external credits."
        ),
        *TRANSCRIPT_ITEM_COLUMNS,
    ),
)
