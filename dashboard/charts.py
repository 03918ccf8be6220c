"""Line and bar charts as plain Vega-Lite specs for ``st.vega_lite_chart``.

``st.line_chart`` and ``st.bar_chart`` build an Altair chart and validate it against the Vega-Lite JSON schema
on every rerun of the page: on the Security page that was 140 ms of its 200 ms. A spec written as a dict skips
the validation and draws the same chart: one line (or stacked bar) per column of a wide frame over its index.
Categories and series read as words (``reports.formatting.label``): "Already claimed", not ``duplicate``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from reports import formatting

X, SERIES, VALUE = "x", "series", "value"


def _words(value: object) -> object:
    """A code on an axis, in a legend or a tooltip as the tables say it; numbers and dates stay themselves."""
    return formatting.label(value) if isinstance(value, str) else value


def _long(wide: pd.DataFrame | pd.Series) -> pd.DataFrame:
    """(x, series, value) rows from a frame whose index is the x axis and whose columns are the series."""
    frame = wide.to_frame() if isinstance(wide, pd.Series) else wide
    frame = frame.rename_axis(index=X).reset_index()
    data = frame.melt(id_vars=X, var_name=SERIES, value_name=VALUE)
    data[X] = data[X].map(_words)
    data[SERIES] = data[SERIES].map(_words)
    return data


def _x_type(index: pd.Index) -> str:
    if pd.api.types.is_datetime64_any_dtype(index) or (
        len(index) and isinstance(index[0], dt.date)  # dates held as Python objects
    ):
        return "temporal"
    return "nominal"


#: Compliance statuses in a colour-blind-safe order of strength (Okabe-Ito hues, checked with a deuteranopia
#: and protanopia simulator): overdue the darkest and most saturated, not-due-yet a light grey that recedes.
STATUS_COLORS: dict[str, str] = {
    "Overdue": "#A63603",
    "Due soon": "#E69F00",
    "Compliant": "#0072B2",
    "Not due yet": "#C8C8C8",
}


def _draw(
    mark: str,
    wide: pd.DataFrame | pd.Series,
    x_label: str | None,
    y_label: str,
    into: DeltaGenerator | None,
    *,
    colors: dict[str, str] | None = None,
    counts: bool = False,
    target: float | None = None,
) -> None:
    data = _long(wide)
    x_type = _x_type(wide.index)
    if x_type == "temporal":
        data[X] = pd.to_datetime(data[X])
    y: dict = {"field": VALUE, "type": "quantitative", "title": y_label}
    if counts:  # whole numbers only: no 0.5 of a claim on the axis
        y["axis"] = {"format": "d", "tickMinStep": 1}
    encoding: dict = {
        # sort None keeps a category axis in the frame's order (a fixed order of reasons, departments...)
        X: {"field": X, "type": x_type, "title": x_label or wide.index.name, "sort": None},
        "y": y,
        "tooltip": [
            {"field": X, "type": x_type, "title": x_label or wide.index.name},
            {"field": SERIES, "type": "nominal", "title": "series"},
            {"field": VALUE, "type": "quantitative", "title": y_label},
        ],
    }
    if colors:
        # a fixed colour per series, in the given order (also the stacking and legend order)
        names = [c for c in colors if c in set(data[SERIES])]
        encoding["color"] = {
            "field": SERIES,
            "type": "nominal",
            "title": wide.columns.name or None,
            "scale": {"domain": names, "range": [colors[n] for n in names]},
            "sort": names,
        }
        encoding["order"] = {"field": "series_order", "type": "quantitative"}
        data["series_order"] = data[SERIES].map({n: i for i, n in enumerate(names)})
    elif data[SERIES].nunique() > 1:
        encoding["color"] = {"field": SERIES, "type": "nominal", "title": wide.columns.name or None}
    spec: dict = {"mark": {"type": mark}, "encoding": encoding}
    if target is not None:
        rule = {
            "data": {"values": [{"target": target}]},
            "mark": {"type": "rule", "strokeDash": [6, 4], "color": "#333333"},
            "encoding": {"y": {"field": "target", "type": "quantitative"}},
        }
        spec = {"layer": [spec, rule]}
    (into or st).vega_lite_chart(data, spec, width="stretch")


def line_chart(
    wide: pd.DataFrame | pd.Series,
    *,
    y_label: str,
    x_label: str | None = None,
    into: DeltaGenerator | None = None,
    target: float | None = None,
) -> None:
    """One line per column over the index; ``target`` draws a dashed horizontal line at that value."""
    _draw("line", wide, x_label, y_label, into, target=target)


def bar_chart(
    wide: pd.DataFrame | pd.Series,
    *,
    y_label: str,
    x_label: str | None = None,
    into: DeltaGenerator | None = None,
    colors: dict[str, str] | None = None,
    counts: bool = False,
) -> None:
    """A bar per index value, stacked by column when there are several (``colors``: a fixed colour per column;
    ``counts``: whole-number ticks only)."""
    _draw("bar", wide, x_label, y_label, into, colors=colors, counts=counts)


WATERFALL_STEP, WATERFALL_START, WATERFALL_END = "step", "start", "end"


def waterfall_spec(
    steps: list[tuple[str, float]], total_label: str = "match weight"
) -> tuple[pd.DataFrame, dict]:
    """Data and Vega-Lite spec of a waterfall: each step a bar from the running total before it to after it
    (green adds, red takes away), then the total as a bar from 0. As Splink's waterfall chart of a match
    weight: the prior, then each field's log2(m/u)."""
    rows, running = [], 0.0
    for label, value in steps:
        rows.append(
            {
                WATERFALL_STEP: label,
                WATERFALL_START: running,
                WATERFALL_END: running + value,
                VALUE: value,
                "kind": "adds" if value >= 0 else "takes away",
            }
        )
        running += value
    rows.append(
        {
            WATERFALL_STEP: total_label,
            WATERFALL_START: 0.0,
            WATERFALL_END: running,
            VALUE: running,
            "kind": "total",
        }
    )
    data = pd.DataFrame(rows)
    spec = {
        "mark": {"type": "bar"},
        "encoding": {
            "x": {"field": WATERFALL_STEP, "type": "nominal", "sort": None, "title": None},
            "y": {"field": WATERFALL_START, "type": "quantitative", "title": "bits (log2 odds)"},
            "y2": {"field": WATERFALL_END},
            "color": {
                "field": "kind",
                "type": "nominal",
                "scale": {
                    "domain": ["adds", "takes away", "total"],
                    "range": ["#2e7d32", "#c62828", "#546e7a"],
                },
                "title": None,
            },
            "tooltip": [
                {"field": WATERFALL_STEP, "type": "nominal", "title": "field"},
                {"field": VALUE, "type": "quantitative", "title": "bits", "format": ".2f"},
                {"field": WATERFALL_END, "type": "quantitative", "title": "running total", "format": ".2f"},
            ],
        },
    }
    return data, spec


def waterfall_chart(
    steps: list[tuple[str, float]], *, total_label: str = "match weight", into: DeltaGenerator | None = None
) -> None:
    data, spec = waterfall_spec(steps, total_label)
    (into or st).vega_lite_chart(data, spec, width="stretch")
