"""The dashboard's charts (``dashboard.charts``): what reaches the browser is the frame's numbers, one mark
per index value and column, coloured by column only when there is more than one."""

from __future__ import annotations

import json

import pyarrow as pa
from streamlit.testing.v1 import AppTest


def _chart_page():
    import datetime as dt

    import pandas as pd

    from dashboard import charts

    failures = pd.DataFrame(
        {"patient_portal": [3, 5], "ce_portal": [1, 0]},
        index=pd.Index([dt.date(2026, 1, 1), dt.date(2026, 1, 2)], name="day"),
    )
    failures.columns.name = "portal"
    charts.line_chart(failures, x_label="UTC day", y_label="failed logins")
    reasons = pd.Series([4, 2, 7], index=pd.Index(["late", "unknown_phone", "wrong_code"]), name="claims")
    charts.bar_chart(reasons, x_label="reason", y_label="claims")


def _charts() -> list[tuple[dict, list[dict]]]:
    app = AppTest.from_function(_chart_page, default_timeout=30).run()  # the first run imports Streamlit cold
    assert not app.exception
    out = []
    for element in app.get("vega_lite_chart"):
        data = pa.ipc.open_stream(element.proto.data.data).read_all().to_pylist()
        out.append((json.loads(element.proto.spec), data))
    return out


def test_a_line_per_column_over_days_with_the_frames_numbers():
    (spec, data), _ = _charts()
    assert spec["mark"]["type"] == "line"
    assert spec["encoding"]["x"]["type"] == "temporal" and spec["encoding"]["x"]["title"] == "UTC day"
    assert spec["encoding"]["y"]["title"] == "failed logins"
    assert spec["encoding"]["color"]["title"] == "portal"
    points = sorted((r["x"].date().isoformat(), r["series"], r["value"]) for r in data)
    # the legend names portals as words, not codes
    assert points == [
        ("2026-01-01", "CE portal", 1),
        ("2026-01-01", "Patient portal", 3),
        ("2026-01-02", "CE portal", 0),
        ("2026-01-02", "Patient portal", 5),
    ]


def test_a_single_series_bar_chart_keeps_the_category_order_and_has_no_legend():
    _, (spec, data) = _charts()
    assert spec["mark"]["type"] == "bar"
    assert "color" not in spec["encoding"]
    assert spec["encoding"]["x"] == {"field": "x", "type": "nominal", "title": "reason", "sort": None}
    # codes on the axis read as words; a code with no label reads as itself, underscores as spaces
    assert [(r["x"], r["value"]) for r in data] == [
        ("late", 4),
        ("Phone number not on file", 2),
        ("Wrong code", 7),
    ]


def test_a_waterfall_runs_each_step_from_the_total_before_it_and_ends_with_the_total():
    from dashboard.charts import waterfall_spec

    data, spec = waterfall_spec([("prior", -10.0), ("name", 13.5), ("phone", -1.5)])
    rows = data.to_dict("records")
    assert [(r["step"], r["start"], r["end"], r["kind"]) for r in rows] == [
        ("prior", 0.0, -10.0, "takes away"),
        ("name", -10.0, 3.5, "adds"),
        ("phone", 3.5, 2.0, "takes away"),
        ("match weight", 0.0, 2.0, "total"),
    ]
    assert spec["encoding"]["y"]["field"] == "start" and spec["encoding"]["y2"]["field"] == "end"
    assert spec["encoding"]["x"]["sort"] is None  # the steps stay in the model's order
