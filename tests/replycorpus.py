"""A corpus of answers to a request, quoted the ways mail clients quote, in several languages.

Shared by the tests (tests/engine/test_reading_corpus.py, tests/daemon/test_reading.py)
and bench/reading_bench.py. An answer is written for the times a request proposed
(its weekday, date, place in the list, clock time), so the same corpus runs on the
fixed times of a unit test and on whatever times the daemon proposed. A quoting
style puts an answer above the request it answers, as one mail client writes it:
Outlook's header block (text, in eleven languages, with or without the line of
underscores, and HTML as Outlook on the web and on the desktop write it), Gmail's
"On … wrote:" (on one line or wrapped), Apple Mail, Thunderbird, phones.
"""

from __future__ import annotations

import html
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

USER = ("Robin Vale", "robin.vale@example.com")
CONTACT = ("Kim Example", "kim@example.com")
SUBJECT = "Informational interview request"

# --- names of days and months, as each client writes them --------------------------------

WEEKDAYS = {
    "en": "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
    "de": "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche",
    "es": "lunes martes miércoles jueves viernes sábado domingo",
    "nl": "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
    "it": "lunedì martedì mercoledì giovedì venerdì sabato domenica",
    "pt": "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
    "sv": "måndag tisdag onsdag torsdag fredag lördag söndag",
    "da": "mandag tirsdag onsdag torsdag fredag lørdag søndag",
    "no": "mandag tirsdag onsdag torsdag fredag lørdag søndag",
    "pl": "poniedziałek wtorek środa czwartek piątek sobota niedziela",
}
SHORT_WEEKDAYS = {
    "en": "Mon Tue Wed Thu Fri Sat Sun",
    "de": "Mo. Di. Mi. Do. Fr. Sa. So.",
    "fr": "lun. mar. mer. jeu. ven. sam. dim.",
    "es": "lun mar mié jue vie sáb dom",
    "nl": "ma di wo do vr za zo",
    "it": "lun mar mer gio ven sab dom",
    "pt": "seg. ter. qua. qui. sex. sáb. dom.",
    "sv": "mån tis ons tors fre lör sön",
    "da": "man. tir. ons. tor. fre. lør. søn.",
    "no": "man. tir. ons. tor. fre. lør. søn.",
    "pl": "pon., wt., śr., czw., pt., sob., niedz.",
}
MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre "
    "diciembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
    "dicembre",
    "pt": "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro "
    "dezembro",
    "sv": "januari februari mars april maj juni juli augusti september oktober november december",
    "da": "januar februar marts april maj juni juli august september oktober november december",
    "no": "januar februar mars april mai juni juli august september oktober november desember",
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
    "listopada grudnia",
}


def weekday(lang: str, moment: datetime, short: bool = False) -> str:
    names = (SHORT_WEEKDAYS if short else WEEKDAYS)[lang]
    parts = names.split(", ") if lang == "pl" and short else names.split()
    return parts[moment.weekday()].rstrip(",")


def month(lang: str, moment: datetime, short: bool = False) -> str:
    name = MONTHS[lang].split()[moment.month - 1]
    return name[:3] if short else name


def clock(moment: datetime, twelve: bool = False) -> str:
    if twelve:
        return moment.strftime("%I:%M %p").lstrip("0")
    return moment.strftime("%H:%M")


# --- the header blocks and intro lines mail clients write above a quote ------------------


def outlook_header(lang: str, sent: datetime, sender: tuple[str, str] = USER) -> list[str]:
    """Outlook's header block above a quoted message (desktop, web and phone alike)."""
    who = f"{sender[0]} <{sender[1]}>"
    to = f"{CONTACT[0]} <{CONTACT[1]}>"
    day, mon, d, y, hm = (
        weekday(lang, sent),
        month(lang, sent),
        sent.day,
        sent.year,
        clock(sent),
    )
    rows = {
        "en": ("From", "Sent", f"{day}, {mon} {d}, {y} {clock(sent, True)}", "To", "Subject"),
        "de": ("Von", "Gesendet", f"{day}, {d}. {mon} {y} {hm}", "An", "Betreff"),
        "fr": ("De\u00a0", "Envoyé\u00a0", f"{day} {d} {mon} {y} {hm}", "À\u00a0", "Objet\u00a0"),
        "es": ("De", "Enviado", f"{day}, {d} de {mon} de {y} {hm}", "Para", "Asunto"),
        "nl": ("Van", "Verzonden", f"{day} {d} {mon} {y} {hm}", "Aan", "Onderwerp"),
        "it": ("Da", "Inviato", f"{day} {d} {mon} {y} {hm}", "A", "Oggetto"),
        "pt": ("De", "Enviado", f"{day}, {d} de {mon} de {y} {hm}", "Para", "Assunto"),
        "sv": ("Från", "Skickat", f"den {d} {mon} {y} {hm}", "Till", "Ämne"),
        "da": ("Fra", "Sendt", f"{d}. {mon} {y} {hm}", "Til", "Emne"),
        "no": ("Fra", "Sendt", f"{day} {d}. {mon} {y} {hm}", "Til", "Emne"),
        "pl": ("Od", "Wysłane", f"{day}, {d} {mon} {y} {hm}", "Do", "Temat"),
    }[lang]
    return [
        f"{rows[0]}: {who}",
        f"{rows[1]}: {rows[2]}",
        f"{rows[3]}: {to}",
        f"{rows[4]}: {SUBJECT}",
    ]


def gmail_intro(lang: str, sent: datetime, sender: tuple[str, str] = USER) -> str:
    """Gmail's line above a quote ("On Mon, Nov 30, 2026 at 9:00 AM Robin <…> wrote:")."""
    who = f"{sender[0]} <{sender[1]}>"
    sd, sm, d, y, hm = (
        weekday(lang, sent, short=True),
        month(lang, sent, short=True),
        sent.day,
        sent.year,
        clock(sent),
    )
    return {
        "en": f"On {sd}, {sm} {d}, {y} at {clock(sent, True)} {who} wrote:",
        "de": f"Am {sd}, {d}. {sm}. {y} um {hm} Uhr schrieb {who}:",
        "fr": f"Le {sd} {d} {sm}. {y} à {hm}, {who} a écrit :",
        "es": f"El {sd}, {d} {sm} {y} a las {hm}, {sender[0]} (<{sender[1]}>) escribió:",
        "nl": f"Op {sd} {d} {sm} {y} om {hm} schreef {who}:",
        "it": f"Il giorno {sd} {d} {sm} {y} alle ore {hm} {who} ha scritto:",
        "pt": f"Em {sd}, {d} de {sm}. de {y} às {hm}, {who} escreveu:",
        "sv": f"Den {sd} {d} {sm}. {y} kl {hm} skrev {who}:",
        "da": f"Den {sd} {d}. {sm}. {y} kl. {hm.replace(':', '.')} skrev {who}:",
        "no": f"{sd} {d}. {sm}. {y} kl. {hm} skrev {who}:",
        "pl": f"{sd} {d} {sm} {y} o {hm} {who} napisał(a):",
    }[lang]


def apple_intro(lang: str, sent: datetime, sender: tuple[str, str] = USER) -> str:
    """Apple Mail's line above a quote, on iPhone and Mac."""
    who = f"{sender[0]} <{sender[1]}>"
    d, sm, y, hm = sent.day, month(lang, sent, short=True), sent.year, clock(sent)
    return {
        "en": f"On {d} {sm} {y}, at {hm}, {who} wrote:",
        "de": f"Am {sent:%d.%m.%Y} um {hm} schrieb {who}:",
        "fr": f"Le {d} {sm}. {y} à {hm}, {who} a écrit :",
        "es": f"El {d} {sm} {y}, a las {hm}, {who} escribió:",
        "nl": f"Op {d} {sm}. {y} om {hm} heeft {who} het volgende geschreven:",
    }[lang]


def thunderbird_intro(lang: str, sent: datetime, sender: tuple[str, str] = USER) -> str:
    name, hm = sender[0], clock(sent)
    return {
        "en": f"On {sent:%d/%m/%Y} {hm}, {name} wrote:",
        "de": f"Am {sent:%d.%m.%y} um {hm} schrieb {name}:",
        "fr": f"Le {sent:%d/%m/%Y} à {hm}, {name} a écrit :",
        "it": f"Il {sent:%d/%m/%y} {hm}, {name} ha scritto:",
        "pl": f"W dniu {sent.day}.{sent.month:02d}.{sent.year} o {hm}, {name} pisze:",
    }[lang]


MOBILE = {
    "en": "Sent from my iPhone",
    "de": "Von meinem iPhone gesendet",
    "fr": "Envoyé de mon iPhone",
    "es": "Enviado desde mi iPhone",
    "nl": "Verzonden vanaf mijn iPhone",
    "it": "Inviato da iPhone",
    "pt": "Enviado do meu iPhone",
    "sv": "Skickat från min iPhone",
    "da": "Sendt fra min iPhone",
    "no": "Sendt fra min iPhone",
    "pl": "Wysłane z iPhone'a",
}
OUTLOOK_MOBILE = {
    "en": "Get Outlook for iOS",
    "de": "Outlook für iOS beziehen",
    "fr": "Obtenir Outlook pour iOS",
    "es": "Obtener Outlook para iOS",
    "nl": "Outlook voor iOS downloaden",
}

# --- a body: an answer above the message it answers -------------------------------------


@dataclass(frozen=True)
class Body:
    """A reply body as it arrives: text, or HTML when ``html``."""

    content: str
    html: bool = False


@dataclass(frozen=True)
class Style:
    """One way a mail client quotes: ``build(answer, original lines, sent)``."""

    name: str
    build: Callable[[str, Sequence[str], datetime], Body]


def _gt(lines: Sequence[str]) -> list[str]:
    return [f"> {line}" if line else ">" for line in lines]


def _text(*parts: str | Sequence[str]) -> Body:
    lines: list[str] = []
    for part in parts:
        lines += [part] if isinstance(part, str) else list(part)
    return Body("\n".join(lines))


def _outlook(lang: str, rule: bool = True) -> Style:
    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        head = ["", "_" * 32] if rule else [""]
        return _text(answer, head, outlook_header(lang, sent), "", original)

    return Style(f"outlook-{lang}" + ("" if rule else "-norule"), build)


def _original_message(lang: str) -> Style:
    """Older Outlook and Outlook for Mac: "-----Original Message-----" above the block."""
    title = {"en": "Original Message", "de": "Ursprüngliche Nachricht"}[lang]

    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        return _text(answer, "", f"-----{title}-----", outlook_header(lang, sent), "", original)

    return Style(f"outlook-original-{lang}", build)


def _gmail(lang: str, wrap: int | None = None) -> Style:
    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        intro = gmail_intro(lang, sent)
        lines = textwrap.wrap(intro, wrap) if wrap else [intro]
        return _text(answer, "", lines, "", _gt(original))

    return Style(f"gmail-{lang}" + (f"-wrapped{wrap}" if wrap else ""), build)


def _apple(lang: str) -> Style:
    """Apple Mail on an iPhone: the phone's line, then the intro quoted with the rest."""

    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        intro = apple_intro(lang, sent)
        return _text(answer, "", MOBILE[lang], "", _gt([intro, "", *original]))

    return Style(f"apple-{lang}", build)


def _thunderbird(lang: str) -> Style:
    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        return _text(answer, "", thunderbird_intro(lang, sent), _gt(original))

    return Style(f"thunderbird-{lang}", build)


def _interleaved() -> Style:
    """The answer below a '>'-quoted line of the request (no intro at all)."""

    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        return _text(_gt(original[:2]), "", answer, "", _gt(original[2:]))

    return Style("quoted-inline", build)


def _html_lines(text: str) -> str:
    return "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.split("\n"))


def _owa(lang: str) -> Style:
    """Outlook on the web and new Outlook: ``appendonsend``, an ``<hr>``, ``divRplyFwdMsg``."""

    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        head = "<br>".join(
            f"<b>{html.escape(k)}:</b>{html.escape(v)}"
            for k, v in (line.split(":", 1) for line in outlook_header(lang, sent))
        )
        return Body(
            '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            '<style type="text/css">P {margin-top:0;margin-bottom:0;}</style></head>'
            '<body dir="ltr"><div class="elementToProof" style="font-family: Aptos, sans-serif;'
            f' font-size: 12pt">{_html_lines(answer)}</div>'
            '<div id="appendonsend"></div>'
            '<hr style="display:inline-block;width:98%" tabindex="-1">'
            '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
            f'style="font-size:11pt" color="#000000">{head}</font><div>&nbsp;</div></div>'
            f"<div>{_html_lines(chr(10).join(original))}</div></body></html>",
            html=True,
        )

    return Style(f"outlook-html-{lang}", build)


def _outlook_desktop_html(lang: str) -> Style:
    """Outlook for Windows: a top border instead of an ``<hr>``, Word's MsoNormal paragraphs."""

    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        head = "<br>\n".join(
            f"<b>{html.escape(k)}:</b>{html.escape(v)}"
            for k, v in (line.split(":", 1) for line in outlook_header(lang, sent))
        )
        paragraphs = "\n".join(
            f'<p class="MsoNormal">{html.escape(line) or "<o:p>&nbsp;</o:p>"}</p>'
            for line in answer.split("\n")
        )
        quoted = "\n".join(f'<p class="MsoNormal">{html.escape(x)}</p>' for x in original)
        return Body(
            '<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>'
            "<style><!-- p.MsoNormal {margin:0cm;} --></style></head>"
            f'<body lang="{lang}"><div class="WordSection1">{paragraphs}\n'
            '<p class="MsoNormal"><o:p>&nbsp;</o:p></p>\n'
            '<div style="border:none;border-top:solid #E1E1E1 1.0pt;'
            'padding:3.0pt 0cm 0cm 0cm">\n'
            f'<p class="MsoNormal">{head}</p>\n</div>\n{quoted}\n</div></body></html>',
            html=True,
        )

    return Style(f"outlook-desktop-html-{lang}", build)


def _blockquote_html(client: str, lang: str) -> Style:
    """Gmail's and Apple Mail's HTML: the intro line, then the original in a blockquote."""

    def build(answer: str, original: Sequence[str], sent: datetime) -> Body:
        intro = html.escape((gmail_intro if client == "gmail" else apple_intro)(lang, sent))
        quoted = _html_lines(chr(10).join(original))
        if client == "gmail":
            return Body(
                f'<div dir="ltr">{_html_lines(answer)}</div><br><div class="gmail_quote">'
                f'<div dir="ltr" class="gmail_attr">{intro}<br></div>'
                '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
                f'border-left:1px solid rgb(204,204,204);padding-left:1ex">{quoted}'
                "</blockquote></div>",
                html=True,
            )
        return Body(
            f'<html><body dir="auto">{_html_lines(answer)}<div><br><blockquote type="cite">'
            f"{intro}<br><br>{quoted}</blockquote></div></body></html>",
            html=True,
        )

    return Style(f"{client}-html-{lang}", build)


def _unquoted() -> Style:
    return Style("unquoted", lambda answer, original, sent: Body(answer))


OUTLOOK_LANGS = ("en", "de", "fr", "es", "nl", "it", "pt", "sv", "da", "no", "pl")
GMAIL_LANGS = ("en", "de", "fr", "es", "nl", "it", "pt", "sv", "da", "no", "pl")

STYLES: list[Style] = [
    _unquoted(),
    *(_outlook(lang) for lang in OUTLOOK_LANGS),
    *(_outlook(lang, rule=False) for lang in ("en", "de", "fr", "nl")),
    _original_message("en"),
    _original_message("de"),
    _owa("en"),
    _owa("de"),
    _outlook_desktop_html("fr"),
    _outlook_desktop_html("es"),
    *(_gmail(lang) for lang in GMAIL_LANGS),
    _gmail("en", wrap=60),
    _gmail("de", wrap=50),
    _gmail("fr", wrap=40),
    _blockquote_html("gmail", "en"),
    _blockquote_html("gmail", "es"),
    _apple("en"),
    _apple("de"),
    _apple("fr"),
    _blockquote_html("apple", "nl"),
    _thunderbird("en"),
    _thunderbird("de"),
    _thunderbird("it"),
    _thunderbird("pl"),
    _interleaved(),
]
BY_NAME = {style.name: style for style in STYLES}


def request_lines(slots: Sequence[datetime], minutes: int = 30) -> list[str]:
    """The request as outreach sends it: three proposed times and an offer of a call."""
    listed = [
        f"  - {weekday('en', s)} {s.day} {month('en', s)}, "
        f"{clock(s)}–{clock(s + timedelta(minutes=minutes))}"
        for s in slots
    ]
    return [
        f"Dear {CONTACT[0]},",
        "",
        f"My name is {USER[0]}, and I am interested in learning more about the area of "
        "data engineering.",
        "",
        f"Would you have {minutes} minutes for a conversation? I would be glad to come to "
        "your office.",
        "",
        "Any of these times would suit me:",
        "",
        *listed,
        "",
        "If none of them is convenient, please suggest another time that works for you.",
        "",
        "If meeting in person is difficult, a short phone call would also be fine.",
        "",
        "Thank you for considering my request.",
        "",
        "Best regards,",
        "",
        USER[0],
    ]
