"""Render the research file as Markdown, a self-contained HTML page, CSV, or data for JSON.

Pure: each renderer takes a ``ResearchFile`` and returns text. The HTML page
carries its CSS inline and draws its charts as inline SVG (no scripts, no
external assets), so it opens the same in any browser, offline.

The CSV comes two ways: one flat table per file (``csv_files``: interviews,
coverage, answers, agreed, differed, fit, funnel), which a spreadsheet or pandas
loads as it is, or all of them stacked in one text (``csv_text``), each
introduced by a ``[name]`` row and its header row, separated by an empty row.
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape
from typing import Any

from outreach.core import textsafe
from outreach.research.researchfile import Category, FitArea, Funnel, ResearchFile, describe

FORMATS = ("md", "html", "csv", "json")
#: The version of the json format's shape (schemas/report.json).
JSON_VERSION = 1
#: The tables of the CSV form, in order.
CSV_TABLES = ("interviews", "coverage", "answers", "agreed", "differed", "fit", "funnel")



#: The research file's columns, as the guide lists them.
INTERVIEW_HEADER = ["Date", "Name", "Title", "Department", "Mailing address", "Phone",
                    "Referrals", "Impressions"]  # fmt: skip


def _interview_rows(research: ResearchFile) -> list[list[str]]:
    """One row per interview: the guide's "file with the following data"."""
    return [
        [_date(research, n), r.name, r.title, r.department, r.mailing_address, r.phone,
         ", ".join(r.referrals), r.impressions]
        for n, r in enumerate(research.rows)
    ]

def render(research: ResearchFile, fmt: str) -> str:
    """Return the research file in ``fmt`` (md, html, csv or json). Raise ValueError if unknown."""
    if fmt == "md":
        return markdown(research)
    if fmt == "html":
        return html(research)
    if fmt == "csv":
        return csv_text(research)
    if fmt == "json":
        import json

        return json.dumps(data(research), indent=2, ensure_ascii=False) + "\n"
    raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")


def _title(research: ResearchFile) -> str:
    return f"Research file: {research.area}" if research.area else "Research file"


def _md_title(research: ResearchFile) -> str:
    return f"Research file: {_md(research.area)}" if research.area else "Research file"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _date(research: ResearchFile, index: int) -> str:
    return research.rows[index].date.strftime("%Y-%m-%d %H:%M %Z").strip()


def _funnel_lines(funnel: Funnel) -> list[tuple[str, str]]:
    return [
        *((name, str(count)) for name, count in funnel.stages()),
        ("Reply rate", _percent(funnel.reply_rate)),
        ("Median time to reply", describe(funnel.median_time_to_reply)),
        ("Mean time to reply", describe(funnel.mean_time_to_reply)),
    ]


# ---------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    """A table cell: the text shown literally (no HTML or markup of its own), lines as <br>."""
    lines = textsafe.lines(text).split("\n")
    return "<br>".join(textsafe.markdown(line) for line in lines) or " "


def _md(text: str) -> str:
    """Text from contacts or forms in a heading or a list item: one line, shown literally."""
    return textsafe.markdown(textsafe.one_line(text))


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


COVERAGE_HEADER = ["Area", "Interviews", "Latest", "New in the latest"]


def _coverage_rows(research: ResearchFile) -> list[list[str]]:
    """One row per area: the count, the latest interview, what it said first."""
    rows = []
    for c in research.coverage:
        latest = f"{c.latest}, {c.latest_date:%Y-%m-%d}" if c.latest_date else "—"
        if c.interviews == 0:
            new = "—"
        elif c.interviews == 1:
            new = "(the first interview)"
        else:
            new = ", ".join(c.new) or "nothing the earlier ones did not say"
        rows.append([c.area, str(c.interviews), latest, new])
    return rows


def _thin_sentence(research: ResearchFile) -> str:
    """The guide's "continue until you have gathered enough data", for the thin areas."""
    if not research.thin:
        return f"Every area has at least {research.min_interviews} interviews."
    names = ", ".join(f"{c.area} ({c.interviews})" for c in research.thin)
    return (f"Fewer than {research.min_interviews} interviews: {names}. Continue until you "
            "have gathered enough data to clarify your options.")  # fmt: skip


def markdown(research: ResearchFile) -> str:
    """Return the research file as GitHub-flavoured Markdown."""
    out = [f"# {_md_title(research)}", ""]
    out += [f"Generated {research.generated_at:%Y-%m-%d %H:%M %Z}.".replace(" .", "."), ""]
    out += ["## Interviews", ""]
    if research.rows:
        out += _table(INTERVIEW_HEADER, _interview_rows(research))
    else:
        out.append("No interviews logged yet (`outreach log CONTACT`).")
    if research.coverage:
        out += ["", "## Enough data?", ""]
        out += _table(COVERAGE_HEADER, _coverage_rows(research))
        out += ["", _thin_sentence(research)]
    out += ["", "## Comparison", ""]
    for category in research.categories:
        out += _markdown_category(category)
    out += ["## Fit with your self-assessment", ""]
    out += _table(
        ["Area", "Person", "Score", "Note"],
        [[a.title, s.person, str(s.score), s.note] for a in research.fit for s in a.scores],
    )
    out.append("")
    for area in research.fit:
        if area.scores:
            verdict = f" — they differed (spread {area.spread})" if area.differs else ""
            out.append(f"- {area.title}: mean {area.mean}{verdict}")
    out += ["", "## Funnel", ""]
    out += _table(["Stage", "Value"], _funnel_lines(research.funnel))
    return "\n".join(out).rstrip() + "\n"


def _markdown_category(category: Category) -> list[str]:
    out = [f"### {category.title}", ""]
    if category.hint:
        out += [f"_{category.hint}_", ""]
    if not category.said:
        return [*out, "Nobody has answered this yet.", ""]
    out += _table(["Person", "Said"], [[s.person, s.text] for s in category.said])
    out.append("")
    if category.agreed:
        out.append("Agreed (said by two or more):")
        out += [f"- {_md(a.term)} — {_md(', '.join(a.people))}" for a in category.agreed]
        out.append("")
    if category.differed:
        out.append("Differed (said by only one):")
        out += [f"- {_md(d.person)}: {_md(', '.join(d.terms))}" for d in category.differed]
        out.append("")
    return out


# ---------------------------------------------------------------- CSV


def csv_text(research: ResearchFile) -> str:
    """Return the research file as stacked CSV tables (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for name, (header, rows) in csv_tables(research).items():
        writer.writerow([f"[{name}]"])
        writer.writerow(header)
        writer.writerows(_safe_rows(rows))
        writer.writerow([])
    return buffer.getvalue().rstrip("\n") + "\n"


def _safe_rows(rows: Sequence[Sequence[Any]]) -> list[list[Any]]:
    """Cells a spreadsheet would run as a formula are shown as text (textsafe.csv_cell)."""
    return [[textsafe.csv_cell(c) if isinstance(c, str) else c for c in row] for row in rows]


def csv_files(research: ResearchFile) -> dict[str, str]:
    """Return file name -> CSV text: one flat table per file, as a spreadsheet loads it."""
    files = {}
    for name, (header, rows) in csv_tables(research).items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(_safe_rows(rows))
        files[f"{name}.csv"] = buffer.getvalue()
    return files


def csv_tables(research: ResearchFile) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Return table name -> (header, rows): interviews, answers, agreed, differed, fit, funnel."""
    tables: dict[str, tuple[list[str], list[list[str]]]] = {}

    def table(name: str, header: list[str], rows: list[list[str]]) -> None:
        tables[name] = (header, rows)

    table(
        "interviews",
        [
            *("date", "name", "email", "title", "department", "mailing_address", "phone"),
            *("referrals", "impressions", "comparison_notes"),
        ],
        [
            [
                r.date.isoformat(),
                r.name,
                r.email,
                r.title,
                r.department,
                r.mailing_address,
                r.phone,
                "; ".join(r.referrals),
                r.impressions,
                r.comparison_notes,
            ]
            for r in research.rows
        ],
    )
    table(
        "coverage",
        ["area", "interviews", "latest", "latest_date", "new_in_latest", "enough"],
        [
            [c.area, str(c.interviews), c.latest,
             c.latest_date.isoformat() if c.latest_date else "", "; ".join(c.new),
             "yes" if c.enough else "no"]
            for c in research.coverage
        ],
    )  # fmt: skip
    table(
        "answers",
        ["category", "person", "said"],
        [[c.key, s.person, s.text] for c in research.categories for s in c.said],
    )
    table(
        "agreed",
        ["category", "term", "people", "count"],
        [
            [c.key, a.term, "; ".join(a.people), str(len(a.people))]
            for c in research.categories
            for a in c.agreed
        ],
    )
    table(
        "differed",
        ["category", "person", "terms"],
        [[c.key, d.person, "; ".join(d.terms)] for c in research.categories for d in c.differed],
    )
    table(
        "fit",
        ["area", "person", "score", "note"],
        [[a.key, s.person, str(s.score), s.note] for a in research.fit for s in a.scores]
        + [[a.key, "(mean)", str(a.mean), f"spread {a.spread}"] for a in research.fit if a.scores],
    )
    funnel = research.funnel
    median, mean = funnel.median_time_to_reply, funnel.mean_time_to_reply
    table(
        "funnel",
        ["stage", "value"],
        [[name.lower(), str(count)] for name, count in funnel.stages()]
        + [
            ["reply rate", "" if funnel.reply_rate is None else f"{funnel.reply_rate:.4f}"],
            [
                "median hours to reply",
                "" if median is None else f"{median.total_seconds() / 3600:.2f}",
            ],
            ["mean hours to reply", "" if mean is None else f"{mean.total_seconds() / 3600:.2f}"],
        ],
    )
    return tables


# ---------------------------------------------------------------- HTML

_CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#1d2330;background:#fff}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:2px solid #dde3ee}
h3{margin:1.6rem 0 .3rem}.hint{color:#5b6577;font-style:italic;margin:.1rem 0 .6rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}
th,td{border:1px solid #d5dbe6;padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f8}td.text{white-space:pre-wrap}.muted{color:#5b6577}
ul.terms{margin:.2rem 0 .8rem}.term{font-weight:600}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.chart{flex:1 1 22rem}
.chart svg{width:100%;height:auto;max-width:34rem}
.differs{color:#a33}table.compact{width:auto;min-width:22rem}
@media print{body{margin:0}h2{break-after:avoid}}
"""


def _bars(
    title: str, items: Sequence[tuple[str, float, str]], maximum: float, element_id: str
) -> str:
    """Return an inline SVG horizontal bar chart of (label, value, shown text) items."""
    row, label_w, bar_w, pad = 34, 150, 300, 10
    height = pad * 2 + 24 + row * max(len(items), 1)
    width = label_w + bar_w + 70
    parts = [
        f'<svg id="{element_id}" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-labelledby="{element_id}-title">',
        f'<title id="{element_id}-title">{escape(title)}</title>',
        f'<text x="{pad}" y="{pad + 14}" font-size="15" font-weight="600" '
        f'fill="#1d2330">{escape(title)}</text>',
    ]
    if not items:
        parts.append(f'<text x="{pad}" y="{pad + 50}" font-size="13" fill="#5b6577">no data</text>')
    for n, (label, value, shown) in enumerate(items):
        y = pad + 30 + n * row
        length = 0 if maximum <= 0 else round(bar_w * max(value, 0) / maximum, 1)
        parts += [
            f'<text x="{label_w - 8}" y="{y + 17}" font-size="13" text-anchor="end" '
            f'fill="#1d2330">{escape(label)}</text>',
            f'<rect class="bar" x="{label_w}" y="{y + 3}" width="{length}" height="20" rx="3" '
            f'fill="#3f6fb5"><title>{escape(label)}: {escape(shown)}</title></rect>',
            f'<text x="{label_w + length + 6}" y="{y + 18}" font-size="13" '
            f'fill="#1d2330">{escape(shown)}</text>',
        ]
    parts.append("</svg>")
    return "".join(parts)


def funnel_chart(funnel: Funnel) -> str:
    """Return the funnel as an inline SVG bar chart."""
    stages = funnel.stages()
    top = max((count for _, count in stages), default=0)
    return _bars("Funnel", [(n, c, str(c)) for n, c in stages], top, "funnel-chart")


def fit_chart(areas: Sequence[FitArea]) -> str:
    """Return the mean fit score per area (out of 5) as an inline SVG bar chart."""
    items = [(a.title, a.mean or 0, f"{a.mean} / 5") for a in areas if a.mean is not None]
    return _bars("Fit (mean score of 5)", items, 5, "fit-chart")


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]], text_cols: int = 0) -> str:
    """Return a table; the last ``text_cols`` columns keep their line breaks."""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for n, value in enumerate(row):
            cls = ' class="text"' if n >= len(row) - text_cols else ""
            cells.append(f"<td{cls}>{escape(value)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html_category(category: Category) -> str:
    out = [f'<section class="category" id="cat-{escape(category.key)}">']
    out.append(f"<h3>{escape(category.title)}</h3>")
    if category.hint:
        out.append(f'<p class="hint">{escape(category.hint)}</p>')
    if not category.said:
        out.append('<p class="muted">Nobody has answered this yet.</p></section>')
        return "".join(out)
    out.append(_html_table(["Person", "Said"], [[s.person, s.text] for s in category.said], 1))
    if category.agreed:
        out.append('<p>Agreed (said by two or more):</p><ul class="terms agreed">')
        out += [
            f'<li><span class="term">{escape(a.term)}</span> — {escape(", ".join(a.people))}</li>'
            for a in category.agreed
        ]
        out.append("</ul>")
    if category.differed:
        out.append('<p>Differed (said by only one):</p><ul class="terms differed">')
        out += [
            f"<li>{escape(d.person)}: {escape(', '.join(d.terms))}</li>" for d in category.differed
        ]
        out.append("</ul>")
    out.append("</section>")
    return "".join(out)


def html(research: ResearchFile) -> str:
    """Return the research file as one self-contained HTML page (inline CSS and SVG)."""
    title = escape(_title(research))
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f'<p class="muted">Generated {escape(f"{research.generated_at:%Y-%m-%d %H:%M %Z}")}</p>',
        '<h2>Overview</h2><div class="charts">',
        f'<div class="chart">{funnel_chart(research.funnel)}</div>',
        f'<div class="chart">{fit_chart(research.fit)}</div></div>',
        _html_table(["Stage", "Value"], _funnel_lines(research.funnel)).replace(
            "<table>", '<table class="compact" id="funnel">', 1
        ),
        "<h2>Interviews</h2>",
    ]
    if research.rows:
        table = _html_table(INTERVIEW_HEADER, _interview_rows(research), 1)
        out.append(table.replace("<table>", '<table id="interviews">', 1))
    else:
        out.append('<p class="muted">No interviews logged yet.</p>')
    if research.coverage:
        table = _html_table(COVERAGE_HEADER, _coverage_rows(research), 1)
        out += ["<h2>Enough data?</h2>", table.replace("<table>", '<table id="coverage">', 1),
                f'<p class="thin">{escape(_thin_sentence(research))}</p>']  # fmt: skip
    out.append("<h2>Comparison</h2>")
    out += [_html_category(c) for c in research.categories]
    out.append("<h2>Fit with your self-assessment</h2>")
    fit_rows = [[a.title, s.person, str(s.score), s.note] for a in research.fit for s in a.scores]
    out.append(_html_table(["Area", "Person", "Score", "Note"], fit_rows, 1))
    out.append('<ul class="fit-summary">')
    for area in research.fit:
        if area.scores:
            verdict = (
                f' <span class="differs">they differed (spread {area.spread})</span>'
                if area.differs
                else ""
            )
            out.append(f"<li>{escape(area.title)}: mean {area.mean}{verdict}</li>")
    out.append("</ul></body></html>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- JSON


def _plain(value: Any) -> Any:
    """Datetimes as ISO 8601, durations as seconds, tuples as lists, all the way down."""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def data(research: ResearchFile) -> dict[str, Any]:
    """Return the research file as plain data (``report --format json``; schemas/report.json)."""
    funnel = research.funnel
    return {
        "version": JSON_VERSION,
        "generated_at": research.generated_at.isoformat(),
        "area": research.area,
        "areas": list(research.areas),
        "interviews": _plain([dataclasses.asdict(r) for r in research.rows]),
        "categories": _plain([dataclasses.asdict(c) for c in research.categories]),
        "fit": [
            {**_plain(dataclasses.asdict(a)), "mean": a.mean, "spread": a.spread,
             "differs": a.differs}
            for a in research.fit
        ],
        "min_interviews": research.min_interviews,
        "coverage": _plain([dataclasses.asdict(c) for c in research.coverage]),
        "funnel": {
            "contacted": funnel.contacted,
            "replied": funnel.replied,
            "interviewed": funnel.interviewed,
            "referrals": funnel.referrals,
            "reply_rate": funnel.reply_rate,
            "median_seconds_to_reply": _plain(funnel.median_time_to_reply),
            "mean_seconds_to_reply": _plain(funnel.mean_time_to_reply),
        },
    }
