"""Read the comparison back out of each report format, for checks against the example."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from lxml import html as lxml_html

from outreach.research.researchfile import CATEGORIES

TITLES = {**{title: key for key, title in CATEGORIES.items()}, "Advice given": "advice"}


def from_markdown(text: str) -> tuple[dict, dict]:
    """Return (agreed, differed) per category key from the Markdown report."""
    agreed: dict = {key: [] for key in TITLES.values()}
    differed: dict = {key: [] for key in TITLES.values()}
    for block in text.split("\n### ")[1:]:
        title, _, body = block.partition("\n")
        key = TITLES[title.strip()]
        mode = None
        for line in body.splitlines():
            if line.startswith("## "):
                break
            if line.startswith("Agreed"):
                mode = "agreed"
            elif line.startswith("Differed"):
                mode = "differed"
            elif line.startswith("- ") and mode == "agreed":
                term, people = line[2:].split(" — ")
                agreed[key].append((term, people.split(", ")))
            elif line.startswith("- ") and mode == "differed":
                person, terms = line[2:].split(": ", 1)
                differed[key].append((person, terms.split(", ")))
    return agreed, differed


def csv_tables(text: str) -> dict[str, list[dict[str, str]]]:
    """Return the stacked CSV tables by name, each a list of row dicts."""
    tables: dict[str, list[dict[str, str]]] = {}
    rows = list(csv.reader(io.StringIO(text)))
    n = 0
    while n < len(rows):
        if rows[n] and re.fullmatch(r"\[\w+\]", rows[n][0]):
            name, header = rows[n][0][1:-1], rows[n + 1]
            n += 2
            tables[name] = []
            while n < len(rows) and rows[n]:
                tables[name].append(dict(zip(header, rows[n], strict=True)))
                n += 1
        n += 1
    return tables


def csv_folder(folder: Path) -> dict[str, list[dict[str, str]]]:
    """Return the tables of a folder of flat CSV files (as pandas would read them) by name."""
    return {f.stem: list(csv.DictReader(io.StringIO(f.read_text("utf-8"))))
            for f in sorted(folder.glob("*.csv"))}


def from_csv(text: str) -> tuple[dict, dict]:
    return from_csv_tables(csv_tables(text))


def from_csv_tables(tables: dict[str, list[dict[str, str]]]) -> tuple[dict, dict]:
    agreed: dict = {key: [] for key in TITLES.values()}
    differed: dict = {key: [] for key in TITLES.values()}
    for row in tables["agreed"]:
        agreed[row["category"]].append((row["term"], row["people"].split("; ")))
    for row in tables["differed"]:
        differed[row["category"]].append((row["person"], row["terms"].split("; ")))
    return agreed, differed


def from_html(text: str) -> tuple[dict, dict]:
    doc = lxml_html.fromstring(text)
    agreed: dict = {key: [] for key in TITLES.values()}
    differed: dict = {key: [] for key in TITLES.values()}
    for section in doc.xpath("//section[@class='category']"):
        key = section.get("id").removeprefix("cat-")
        for li in section.xpath(".//ul[contains(@class, 'agreed')]/li"):
            term, people = li.text_content().split(" — ")
            agreed[key].append((term, people.split(", ")))
        for li in section.xpath(".//ul[contains(@class, 'differed')]/li"):
            person, terms = li.text_content().split(": ", 1)
            differed[key].append((person, terms.split(", ")))
    return agreed, differed


def from_json(text: str) -> tuple[dict, dict]:
    agreed: dict = {key: [] for key in TITLES.values()}
    differed: dict = {key: [] for key in TITLES.values()}
    for category in json.loads(text)["categories"]:
        agreed[category["key"]] = [(a["term"], a["people"]) for a in category["agreed"]]
        differed[category["key"]] = [(d["person"], d["terms"]) for d in category["differed"]]
    return agreed, differed


READERS = {"md": from_markdown, "csv": from_csv, "html": from_html, "json": from_json}
