"""How mail clients quote the message a reply answers, in the languages of their users.

The contacts' control writes a reply as a given client would (``quoted``): the answer,
then the client's header block or attribution line in the user's language, then the
original. Outlook (text, with the line of underscores, the older "Original Message"
line or neither; HTML as Outlook on the web and new Outlook write it, and as classic
Outlook for Windows does, under a top border), Gmail (text and HTML),
Apple Mail (and its iPhone signature), Thunderbird and bare ``>`` quoting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

#: weekday names (Monday first), month names, then the formats built from them
_NAMES = {
    "en": (
        "Monday Tuesday Wednesday Thursday Friday Saturday Sunday",
        "January February March April May June July August September October November December",
    ),
    "de": (
        "Montag Dienstag Mittwoch Donnerstag Freitag Samstag Sonntag",
        "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    ),
    "fr": (
        "lundi mardi mercredi jeudi vendredi samedi dimanche",
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    ),
    "es": (
        "lunes martes miércoles jueves viernes sábado domingo",
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    ),
    "nl": (
        "maandag dinsdag woensdag donderdag vrijdag zaterdag zondag",
        "januari februari maart april mei juni juli augustus september oktober november december",
    ),
    "it": (
        "lunedì martedì mercoledì giovedì venerdì sabato domenica",
        "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre "
        "dicembre",
    ),
    "pt": (
        "segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado domingo",
        "janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro",
    ),
    "sv": (
        "måndag tisdag onsdag torsdag fredag lördag söndag",
        "januari februari mars april maj juni juli augusti september oktober november december",
    ),
    "da": (
        "mandag tirsdag onsdag torsdag fredag lørdag søndag",
        "januar februar marts april maj juni juli august september oktober november december",
    ),
    "nb": (
        "mandag tirsdag onsdag torsdag fredag lørdag søndag",
        "januar februar mars april mai juni juli august september oktober november desember",
    ),
    "pl": (
        "poniedziałek wtorek środa czwartek piątek sobota niedziela",
        "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października "
        "listopada grudnia",
    ),
}


@dataclass(frozen=True)
class Outlook:
    """Outlook's reply header in one language: labels and the date as it writes it."""

    sender: str
    sent: str
    to: str
    subject: str
    date: str  # a format of weekday, day, month, year, time
    original: str  # the older "-----Original Message-----" line
    colon: str = ":"


OUTLOOK = {
    "en": Outlook("From", "Sent", "To", "Subject", "{weekday}, {month} {day}, {year} {time12}",
                  "-----Original Message-----"),
    "de": Outlook("Von", "Gesendet", "An", "Betreff", "{weekday}, {day}. {month} {year} {time}",
                  "-----Ursprüngliche Nachricht-----"),
    "fr": Outlook("De", "Envoyé", "À", "Objet", "{weekday} {day} {month} {year} {time}",
                  "-----Message d'origine-----", colon=" :"),
    "es": Outlook("De", "Enviado el", "Para", "Asunto",
                  "{weekday}, {day} de {month} de {year} {time}", "-----Mensaje original-----"),
    "nl": Outlook("Van", "Verzonden", "Aan", "Onderwerp", "{weekday} {day} {month} {year} {time}",
                  "-----Oorspronkelijk bericht-----"),
    "it": Outlook("Da", "Inviato", "A", "Oggetto", "{weekday} {day} {month} {year} {time}",
                  "-----Messaggio originale-----"),
    "pt": Outlook("De", "Enviado", "Para", "Assunto",
                  "{weekday}, {day} de {month} de {year} {time}", "-----Mensagem original-----"),
    "sv": Outlook("Från", "Skickat", "Till", "Ämne", "den {day} {month} {year} {time}",
                  "-----Ursprungligt meddelande-----"),
    "da": Outlook("Fra", "Sendt", "Til", "Emne", "{day}. {month} {year} {time}",
                  "-----Oprindelig meddelelse-----"),
    "nb": Outlook("Fra", "Sendt", "Til", "Emne", "{weekday} {day}. {month} {year} {time}",
                  "-----Opprinnelig melding-----"),
    "pl": Outlook("Od", "Wysłano", "Do", "Temat", "{weekday}, {day} {month} {year} {time}",
                  "-----Oryginalna wiadomość-----"),
}  # fmt: skip

#: Gmail's attribution line ({who} is "Name <address>")
GMAIL = {
    "en": "On {wd}, {mon} {day}, {year} at {time12} {who} wrote:",
    "de": "Am {wd}., {day}. {mon}. {year} um {time} Uhr schrieb {who}:",
    "fr": "Le {wd}. {day} {mon}. {year} à {time}, {who} a écrit :",
    "es": "El {wd}, {day} {mon} {year} a las {time}, {who} escribió:",
    "nl": "Op {wd} {day} {mon} {year} om {time} schreef {who}:",
    "it": "Il giorno {wd} {day} {mon} {year} alle ore {time} {who} ha scritto:",
    "pt": "Em {wd}., {day} de {mon}. de {year} às {time}, {who} escreveu:",
}
#: Apple Mail's attribution line, inside the quote
APPLE = {
    "en": "On {day} {mon} {year}, at {time}, {who} wrote:",
    "de": "Am {dd}.{mm}.{year} um {time} schrieb {who}:",
    "fr": "Le {day} {mon}. {year} à {time}, {who} a écrit :",
    "es": "El {day} {mon} {year}, a las {time}, {who} escribió:",
    "nl": "Op {day} {mon} {year} om {time} heeft {who} het volgende geschreven:",
}
#: Thunderbird's attribution line (the sender's name only)
THUNDERBIRD = {
    "en": "On {dd}/{mm}/{year} {time}, {name} wrote:",
    "de": "Am {dd}.{mm}.{yy} um {time} schrieb {name}:",
    "fr": "Le {dd}/{mm}/{year} à {time}, {name} a écrit :",
}
CLIENTS = (
    "outlook",
    "outlook-original",
    "outlook-norule",
    "outlook-html",
    "outlook-desktop-html",
    "gmail",
    "gmail-html",
    "apple",
    "iphone",
    "thunderbird",
    "bare",
)


@dataclass(frozen=True)
class Original:
    """The message being answered, as the client shows it in the quote."""

    sender: str
    sender_name: str
    to: str
    to_name: str
    subject: str
    sent: datetime
    text: str


def _parts(language: str, when: datetime) -> dict[str, str]:
    days, months = (n.split() for n in _NAMES[language])
    weekday, month = days[when.weekday()], months[when.month - 1]
    hour12 = when.hour % 12 or 12
    return {
        "weekday": weekday,
        "month": month,
        "wd": weekday[:2] if language in ("de", "nl") else weekday[:3],
        "mon": month[:3],
        "day": str(when.day),
        "dd": f"{when.day:02d}",
        "mm": f"{when.month:02d}",
        "year": str(when.year),
        "yy": f"{when.year % 100:02d}",
        "time": when.strftime("%H:%M"),
        "time12": f"{hour12}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}",
    }


def _languages(table: dict, language: str, client: str) -> str:
    if language not in table:
        known = ", ".join(sorted(table))
        raise ValueError(f"{client} quoting knows the languages {known}, not {language!r}")
    return table[language]


def outlook_header(original: Original, language: str, html: bool = False) -> list[str]:
    """Outlook's From/Sent/To/Subject lines (HTML: with the labels in bold)."""
    words = _languages(OUTLOOK, language, "outlook")
    sent = words.date.format(**_parts(language, original.sent))
    rows = [
        (words.sender, f"{original.sender_name} <{original.sender}>"),
        (words.sent, sent),
        (words.to, f"{original.to_name} <{original.to}>"),
        (words.subject, original.subject),
    ]
    if html:
        return [f"<b>{escape(k)}{words.colon}</b> {escape(v)}" for k, v in rows]
    return [f"{k}{words.colon} {v}" for k, v in rows]


def _attribution(table: dict, original: Original, language: str, client: str) -> str:
    who = f"{original.sender_name} <{original.sender}>"
    line = _languages(table, language, client)
    return line.format(**_parts(language, original.sent), who=who, name=original.sender_name)


def _wrapped(line: str, width: int = 78) -> list[str]:
    """Gmail's plain text wraps a long attribution line at a space."""
    if len(line) <= width:
        return [line]
    cut = line.rfind(" ", 0, width)
    return [line[:cut], line[cut + 1 :]]


def _marked(text: str, mark: str = "> ") -> list[str]:
    return [(mark + line).rstrip() for line in text.split("\n")]


def quoted(answer: str, original: Original, client: str, language: str = "en") -> tuple[str, bool]:
    """The body of a reply written in ``client`` by a user of ``language``: the answer
    above the client's quote of the original. Returns the body and whether it is HTML.

    Raise ValueError for a client or language that is not known.
    """
    text = original.text.strip("\n")
    if client == "outlook":
        block = ["", "________________________________", *outlook_header(original, language), ""]
        return "\n".join([answer, *block, text]), False
    if client == "outlook-original":
        line = _languages(OUTLOOK, language, "outlook").original
        block = ["", line, *outlook_header(original, language), ""]
        return "\n".join([answer, *block, text]), False
    if client == "outlook-norule":  # Outlook for Mac, and Outlook with the rule turned off
        block = ["", *outlook_header(original, language), ""]
        return "\n".join([answer, *block, text]), False
    if client == "outlook-html":
        return _outlook_html(answer, original, language), True
    if client == "outlook-desktop-html":
        return _outlook_desktop_html(answer, original, language), True
    if client == "gmail":
        attribution = _wrapped(_attribution(GMAIL, original, language, client))
        return "\n".join([answer, "", *attribution, "", *_marked(text)]), False
    if client == "gmail-html":
        return _gmail_html(answer, original, language), True
    if client in ("apple", "iphone"):
        sign = ["", "Sent from my iPhone"] if client == "iphone" else []
        attribution = _attribution(APPLE, original, language, "apple")
        quote = _marked(f"{attribution}\n\n{text}")
        return "\n".join([answer, *sign, "", *quote]), False
    if client == "thunderbird":
        attribution = _attribution(THUNDERBIRD, original, language, client)
        return "\n".join([answer, "", attribution, *_marked(text)]), False
    if client == "bare":
        return "\n".join([answer, "", *_marked(text)]), False
    raise ValueError(f"quoting knows the clients {', '.join(CLIENTS)}, not {client!r}")


def _paragraphs(text: str) -> str:
    return "".join(f"<div>{escape(line) or '<br>'}</div>" for line in text.split("\n"))


def _outlook_html(answer: str, original: Original, language: str) -> str:
    """As Outlook on the web and new Outlook write a reply: appendonsend, the rule, and
    the header in divRplyFwdMsg above the original."""
    header = "<br>".join(outlook_header(original, language, html=True))
    return (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        '<style type="text/css" style="display:none;">P {margin-top:0;margin-bottom:0;}</style>'
        '</head><body dir="ltr"><div style="font-family: Aptos, sans-serif; font-size: 12pt;">'
        f"{_paragraphs(answer)}</div>"
        '<div id="appendonsend"></div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1">'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" '
        f'style="font-size:11pt" color="#000000">{header}</font><div>&nbsp;</div></div>'
        f"<div>{_paragraphs(original.text.strip())}</div></body></html>"
    )


def _outlook_desktop_html(answer: str, original: Original, language: str) -> str:
    """As classic Outlook for Windows (Word) writes a reply: the header in a paragraph
    under a top border, no <hr>."""
    header = "<br>".join(outlook_header(original, language, html=True))
    quoted = "".join(
        f'<p class="MsoNormal">{escape(line) or "&nbsp;"}</p>'
        for line in original.text.strip().split("\n")
    )
    return (
        '<html><head><meta name="Generator" content="Microsoft Word 15 (filtered medium)">'
        '</head><body lang="DE" link="#0563C1"><div class="WordSection1">'
        + "".join(f'<p class="MsoNormal">{escape(x) or "&nbsp;"}</p>' for x in answer.split("\n"))
        + '<p class="MsoNormal">&nbsp;</p><div style="border:none;border-top:solid #E1E1E1'
        ' 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal">'
        f"{header}</p></div><p class=\"MsoNormal\">&nbsp;</p>{quoted}</div></body></html>"
    )


def _gmail_html(answer: str, original: Original, language: str) -> str:
    attribution = escape(_attribution(GMAIL, original, language, "gmail"))
    return (
        f'<div dir="ltr">{_paragraphs(answer)}</div><br><div class="gmail_quote">'
        f'<div dir="ltr" class="gmail_attr">{attribution}<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
        'border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        f"{_paragraphs(original.text.strip())}</blockquote></div>"
    )
