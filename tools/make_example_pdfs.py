#!/usr/bin/env python3
"""Generate the small illustrative PDF annexes used by the Hub's demonstration content.

Every PDF written here is fictional demonstration material: each page carries the heading
"Illustrative example", and the text does not describe real events, programmes or figures.
Each PDF contains a few distinctive words (a named fictional programme and a code word) that
appear nowhere else in content/, so that tests can prove attachment text is indexed.

Usage (from the repository root):

    .venv/bin/python tools/make_example_pdfs.py [--check]

Writes content/briefs/files/*.pdf and content/experiences/files/*.pdf. Output is deterministic
(fixed creation date), so re-running it produces the same bytes. Only the core Helvetica font
is used, so all text must be latin-1. With --check, also extracts each PDF's text with pypdf
and verifies that the distinctive words are found.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
FIXED_DATE = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
MAX_BYTES = 20 * 1024
HEADING = "Illustrative example"
NOTICE = (
    "Demonstration content for the STI for SDGs Roadmaps Knowledge Hub. "
    "All names, programmes and events in this annex are fictional."
)


@dataclass(frozen=True)
class Page:
    subtitle: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Annex:
    path: str  # relative to content/
    title: str
    distinctive: tuple[str, ...]  # words that appear only in this PDF
    pages: tuple[Page, ...]


ANNEXES: tuple[Annex, ...] = (
    Annex(
        path="briefs/files/ghana-2025-annex.pdf",
        title="Ghana roadmap progress 2025 - annex on fellowships and tracking",
        distinctive=("Nkabomlink", "Quorvanta"),
        pages=(
            Page(
                "1. The Nkabomlink Fellowship",
                (
                    "This annex accompanies the illustrative 2025 progress brief. It describes a "
                    "fictional placement scheme, the Nkabomlink Fellowship, in which early-career "
                    "researchers spend six months inside a district assembly or a food-processing "
                    "cooperative to work on a problem named by the host.",
                    "In the scenario, hosts write a one-page challenge, fellows propose a method, "
                    "and a university supervisor and a host mentor co-sign the work plan. The "
                    "brief treats the scheme as a way to link research with local delivery of SDG "
                    "2 and SDG 9 targets.",
                ),
            ),
            Page(
                "2. The Quorvanta tracking sheet",
                (
                    "The roadmap secretariat in this example tracks actions with a shared sheet "
                    "nicknamed Quorvanta. Each row is one action from the register, with its lead "
                    "organisation, status (on track, delayed, at risk, completed), the last "
                    "milestone reached and the next decision needed.",
                    "The example shows how a simple, consistently used tool can be more valuable "
                    "than a complex system that nobody updates. Status colours are agreed at the "
                    "coordination meeting, not set by the secretariat alone.",
                ),
            ),
            Page(
                "3. Lessons noted for the next report",
                (
                    "Fellowship hosts asked for shorter application forms and clearer rules on who "
                    "owns the data collected. The tracking sheet needed one more column, for the "
                    "budget line of each action, so that delays caused by funding could be told "
                    "apart from delays caused by capacity.",
                    "These points are carried forward as open questions for the following year.",
                ),
            ),
        ),
    ),
    Annex(
        path="briefs/files/kenya-solar-standards-annex.pdf",
        title="Kenya off-grid solar quality - annex on the testing approach",
        distinctive=("Jualumina", "Veltrissa"),
        pages=(
            Page(
                "1. The Jualumina Testbench",
                (
                    "This annex describes a fictional shared testing facility, the Jualumina "
                    "Testbench, imagined as a partnership between a polytechnic, a standards body "
                    "and an association of solar distributors. Small importers and assemblers book "
                    "time to test lamps, charge controllers and batteries against agreed quality "
                    "requirements before selling them.",
                    "The point of the example is that standards only help users when small firms "
                    "can afford to show compliance.",
                ),
            ),
            Page(
                "2. The Veltrissa label",
                (
                    "Products that pass the tests in this scenario may carry a simple consumer "
                    "label, called the Veltrissa mark in the example, with a short explanation in "
                    "Kiswahili and English of what the buyer can expect: hours of light per "
                    "charge, warranty period and where to get repairs.",
                    "County consumer officers and community radio are imagined as the main "
                    "channels for explaining the label to rural buyers.",
                ),
            ),
        ),
    ),
    Annex(
        path="briefs/files/ukraine-instrument-sharing-annex.pdf",
        title="Ukraine research infrastructure - annex on instrument sharing",
        distinctive=("Kryloveda", "Zandoriel"),
        pages=(
            Page(
                "1. The Kryloveda Instrument Pool",
                (
                    "This annex sketches a fictional national register of research instruments, "
                    "the Kryloveda Instrument Pool. Universities and institutes list equipment "
                    "that is working and available, with a contact person and the conditions for "
                    "use by other teams.",
                    "In the example, the register helps researchers whose own laboratories are "
                    "damaged or unavailable to continue work elsewhere in the country or with "
                    "partners abroad.",
                ),
            ),
            Page(
                "2. The Zandoriel booking rules",
                (
                    "A short set of shared booking rules, nicknamed Zandoriel in the scenario, "
                    "keeps access fair: priority for projects linked to recovery and SDG targets, "
                    "a cap on consecutive bookings, and a duty to acknowledge the host institution "
                    "in publications.",
                    "The annex notes that rules of this kind are only credible if hosts are paid "
                    "for technician time and consumables.",
                ),
            ),
            Page(
                "3. Questions for partners",
                (
                    "The illustrative brief asks international partners whether they can open "
                    "their own facilities to remote or visiting use, donate refurbished equipment "
                    "with maintenance support, and fund technician posts rather than only new "
                    "instruments.",
                ),
            ),
        ),
    ),
    Annex(
        path="experiences/files/ethiopia-tvet-hubs-annex.pdf",
        title="Ethiopia TVET innovation hubs - annex on the maker programme",
        distinctive=("Tibebforge", "Mirvoska"),
        pages=(
            Page(
                "1. The Tibebforge Makerline",
                (
                    "This annex describes a fictional programme, the Tibebforge Makerline, in "
                    "which technical and vocational colleges open their workshops to local "
                    "enterprises one day a week. Instructors and students help small manufacturers "
                    "repair, copy or improve simple equipment such as grain threshers and water "
                    "pumps.",
                    "The example shows how existing training facilities can become a channel for "
                    "technology adaptation close to users.",
                ),
            ),
            Page(
                "2. The Mirvoska logbook",
                (
                    "Each workshop day in the scenario is recorded in a shared logbook, called the "
                    "Mirvoska logbook in the example: the enterprise served, the problem, the "
                    "solution tried, and whether the enterprise came back. The logbook is the main "
                    "source for the college's annual report to the roadmap team.",
                    "Colleges found that repeat visits were a better sign of value than the number "
                    "of enterprises served once.",
                ),
            ),
        ),
    ),
    Annex(
        path="experiences/files/india-state-roadmaps-annex.pdf",
        title="India state-level roadmap pilots - annex on the shared ledger",
        distinctive=("Sankalpora", "Truveniq"),
        pages=(
            Page(
                "1. The Sankalpora Ledger",
                (
                    "This annex describes a fictional shared ledger of state-level roadmap "
                    "actions, called the Sankalpora Ledger in the example. Each participating "
                    "state records its priority actions in the same format, so that states working "
                    "on similar SDG targets can find each other.",
                    "The ledger is imagined as a light tool kept by a national coordinating team, "
                    "not as a reporting burden.",
                ),
            ),
            Page(
                "2. Truveniq peer reviews",
                (
                    "Pairs of states in the scenario review each other's draft action lists in a "
                    "short, structured exercise nicknamed Truveniq. Reviewers check whether each "
                    "action has a lead, a cost estimate and an indicator, and suggest one idea "
                    "from their own state.",
                ),
            ),
            Page(
                "3. What the example suggests",
                (
                    "In a large federal country, a common format and peer review between states "
                    "can spread good practice faster than central guidance alone. The example also "
                    "notes the risk that the ledger becomes a compliance exercise if it is linked "
                    "to funding decisions too early.",
                ),
            ),
        ),
    ),
    Annex(
        path="experiences/files/serbia-science-parks-annex.pdf",
        title="Serbia regional science parks - annex on the start-up circuit",
        distinctive=("Dunavspark", "Pelmaride"),
        pages=(
            Page(
                "1. The Dunavspark Circuit",
                (
                    "This annex describes a fictional rotating programme, the Dunavspark Circuit, "
                    "in which start-up teams spend a few weeks at each of several regional science "
                    "and technology parks, meeting local industry, testing prototypes and pitching "
                    "to regional investors.",
                    "The example is meant to show how parks outside the capital can pool their "
                    "networks instead of competing for the same small pool of teams.",
                ),
            ),
            Page(
                "2. Pelmaride demonstration days",
                (
                    "At the end of each round in the scenario, teams present working prototypes at "
                    "public demonstration days, called Pelmaride days in the example, held in a "
                    "different town each time. Municipal utilities and hospitals are invited as "
                    "potential first customers.",
                    "The annex suggests tracking how many pilots with public buyers follow each "
                    "demonstration day, rather than only counting visitors.",
                ),
            ),
        ),
    ),
    Annex(
        path="experiences/files/serbia-twinning-annex.pdf",
        title="Serbia co-chair twinning - annex for members",
        distinctive=("Moravalink", "Kelvornish"),
        pages=(
            Page(
                "1. The Moravalink mentoring scheme",
                (
                    "This members-only annex describes a fictional mentoring scheme, the "
                    "Moravalink scheme, in which a roadmap team from one country is paired with a "
                    "team from a country that joined the Partnership more recently. Mentors share "
                    "their working documents, including early drafts and what they would do "
                    "differently.",
                ),
            ),
            Page(
                "2. The Kelvornish checklist",
                (
                    "Pairs in the scenario agree their work plan using a short checklist nicknamed "
                    "Kelvornish: the questions the newer team most needs answered, the documents "
                    "each side will share, the languages used, and a date to review whether the "
                    "pairing is useful.",
                    "Pairings that set a review date early were more likely to continue after the "
                    "first few months.",
                ),
            ),
        ),
    ),
)


class AnnexPDF(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "I", 8)
        self.cell(0, 10, f"{NOTICE}  Page {self.page_no()}/{{nb}}", align="C")


def build(annex: Annex) -> bytes:
    pdf = AnnexPDF(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title(annex.title)
    pdf.set_author("STI for SDGs Roadmaps Knowledge Hub (demonstration content)")
    pdf.set_subject("Illustrative example")
    pdf.set_auto_page_break(auto=True, margin=20)
    for page in annex.pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        pdf.cell(0, 10, HEADING, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 5, annex.title, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        pdf.set_font("Helvetica", "B", 13)
        pdf.multi_cell(0, 7, page.subtitle, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for para in page.paragraphs:
            para.encode("latin-1")  # fail loudly on characters the core font cannot show
            pdf.multi_cell(0, 6, para, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def check(path: Path, annex: Annex) -> list[str]:
    from pypdf import PdfReader

    problems = []
    reader = PdfReader(path)
    if not 2 <= len(reader.pages) <= 3:
        problems.append(f"{len(reader.pages)} pages")
    texts = [p.extract_text() or "" for p in reader.pages]
    for i, text in enumerate(texts, 1):
        if HEADING not in text:
            problems.append(f"page {i} lacks heading")
    joined = "\n".join(texts)
    for word in annex.distinctive:
        if word not in joined:
            problems.append(f"{word!r} not extracted")
    if path.stat().st_size > MAX_BYTES:
        problems.append(f"{path.stat().st_size} bytes")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify text extraction with pypdf")
    args = parser.parse_args(argv)
    failed = False
    for annex in ANNEXES:
        out = CONTENT / annex.path
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(build(annex))
        line = f"{annex.path}: {out.stat().st_size} bytes, words {', '.join(annex.distinctive)}"
        if args.check:
            problems = check(out, annex)
            failed = failed or bool(problems)
            line += "  OK" if not problems else "  PROBLEMS: " + "; ".join(problems)
        print(line)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
