"""The four renderings carry the same comparison, rows, fit and funnel."""

from __future__ import annotations

import re

import pytest
import research_example as ex
from lxml import html as lxml_html
from report_readers import READERS, csv_tables

from outreach.research import report, researchfile


@pytest.fixture
def built() -> researchfile.ResearchFile:
    state, events = ex.build_state()
    return researchfile.build(state, events, ex.NOW, area=ex.AREA)


@pytest.mark.parametrize("fmt", report.FORMATS)
def test_comparison_reads_back_as_computed_by_hand(built, fmt: str) -> None:
    agreed, differed = READERS[fmt](report.render(built, fmt))
    assert agreed == ex.AGREED
    assert differed == ex.DIFFERED


def test_markdown_rows_escape_pipes_and_keep_line_breaks(built) -> None:
    text = report.markdown(built)
    assert text.startswith("# Research file: Data analysis\n")
    row = next(line for line in text.splitlines() if line.startswith("| 2026-03-09"))
    assert "Friendly \\| precise" in row
    assert "Ana Street 1, Example Town" in row and "+49 30 1234567" in row
    assert "| Gil Example |" in row
    ben = next(line for line in text.splitlines() if line.startswith("| 2026-03-10"))
    assert "Busy but generous with time.<br>Second line of notes." in ben
    assert "| Reply rate | 80% |" in text
    assert "| Median time to reply | 18 h |" in text
    assert "- Interests: mean 4.0 — they differed (spread 2)" in text


def test_csv_tables_hold_rows_fit_and_funnel(built) -> None:
    tables = csv_tables(report.csv_text(built))
    assert [r["name"] for r in tables["interviews"]] == ["Ana Example", "Ben Example", "Cy Example"]
    assert tables["interviews"][1]["impressions"] == IMPRESSION_BEN
    assert tables["interviews"][0]["date"] == "2026-03-09T10:00:00+01:00"
    funnel = {r["stage"]: r["value"] for r in tables["funnel"]}
    assert funnel == {"contacted": "5", "replied": "4", "interviewed": "3",
                      "referrals gained": "2", "reply rate": "0.8000",
                      "median hours to reply": "18.00", "mean hours to reply": "22.50"}
    means = {r["area"]: r["score"] for r in tables["fit"] if r["person"] == "(mean)"}
    assert means == {"interests": "4.0", "skills": "2.5", "values": "4.0", "working_style": "2.0"}


IMPRESSION_BEN = "Busy but generous with time.\nSecond line of notes."


def test_html_is_self_contained_and_escapes_user_text(built) -> None:
    page = report.html(built)
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"""(src|href)\s*=""", page)
    assert "&lt;b&gt;enthusiastic&lt;/b&gt; &amp; candid" in page
    doc = lxml_html.fromstring(page)
    bars = doc.xpath("//svg[@id='funnel-chart']//rect[@class='bar']")
    assert [float(b.get("width")) for b in bars] == [300.0, 240.0, 180.0, 120.0]  # 5,4,3,2 of 5
    fit = doc.xpath("//svg[@id='fit-chart']//rect[@class='bar']")
    assert [float(b.get("width")) for b in fit] == [240.0, 150.0, 240.0, 120.0]  # of 5 -> 300
    cells = doc.xpath("//table[@id='interviews']//tr[1]/td/text()")
    assert cells[1] == "Ana Example"


def test_empty_file_renders_in_every_format() -> None:
    empty = researchfile.build(researchfile.State(), [], ex.NOW)
    assert "No interviews logged yet" in report.markdown(empty)
    assert "no data" in report.html(empty)
    assert csv_tables(report.csv_text(empty))["interviews"] == []


def test_unknown_format_is_refused(built) -> None:
    with pytest.raises(ValueError, match="unknown format 'pdf'"):
        report.render(built, "pdf")
