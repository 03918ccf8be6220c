"""The scale table follows quality-bars.md, and generated row counts follow the table."""

from __future__ import annotations

import json

import pytest

from pipelines.generator.scales import SCALES, scale_spec

# quality-bars.md: people, CE accounts, members, claim lines, auth events
QUALITY_BARS = {
    "tiny": (50, 40, 40, 300, 1_000),
    "small": (2_000, 1_500, 2_000, 50_000, 100_000),
    "medium": (25_000, 60_000, 100_000, 3_000_000, 5_000_000),
    "large": (250_000, 600_000, 1_000_000, 30_000_000, 50_000_000),
}


def test_scale_table_is_the_quality_bars_table():
    for name, bars in QUALITY_BARS.items():
        s = scale_spec(name)
        assert (s.people, s.ce_accounts, s.members, s.claim_lines, s.auth_events) == bars
    assert scale_spec("medium").ce_attendance == 400_000
    assert SCALES["large"].claim_lines == 10 * SCALES["medium"].claim_lines


def test_unknown_scale_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown scale 'huge'; choose one of tiny, small, medium, large"):
        scale_spec("huge")


@pytest.mark.parametrize("fixture", ["tiny", "small"])
def test_generated_rows_follow_the_table(fixture, request):
    settings = request.getfixturevalue(fixture)
    spec = scale_spec(fixture)
    rows = json.loads((settings.truth_dir / "planted.json").read_text())["run"]["rows_per_source"]
    planted = json.loads((settings.truth_dir / "planted.json").read_text())
    targets = {
        "people": (planted["lc_people"]["people"], spec.people),
        "ce_accounts": (rows["ce_accounts"], spec.ce_accounts),
        "members": (rows["hp_members"], spec.members),
        "claim_lines": (rows["hp_claims"], spec.claim_lines),
        "auth_events": (rows["auth_events"], spec.auth_events),
        "ce_attendance": (rows["ce_attendance"], spec.ce_attendance),
    }
    for name, (got, want) in targets.items():
        assert 0.7 * want <= got <= 1.15 * want, (name, got, want)


def test_ratios_between_tiny_and_small_roughly_hold(tiny, small):
    def rows(settings):
        return json.loads((settings.truth_dir / "planted.json").read_text())["run"]["rows_per_source"]

    t, s = rows(tiny), rows(small)
    # the table says small/tiny = 37.5x accounts, 167x claim lines, 100x auth events
    assert 30 <= s["ce_accounts"] / t["ce_accounts"] <= 45
    assert 140 <= s["hp_claims"] / t["hp_claims"] <= 195
    assert 85 <= s["auth_events"] / t["auth_events"] <= 115
