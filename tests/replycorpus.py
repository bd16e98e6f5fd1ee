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


# --- the answers: twelve kinds, in five languages, written for the proposed times ---------

LANGS = ("en", "de", "fr", "es", "nl")
PICK, DECLINED, REPLIED = "pick", "declined", "replied"
KINDS = (
    "weekday", "date", "order", "clock", "turned-down", "other-time", "later-month",
    "phone", "decline", "decline-busy", "someone-else", "yes-no-time",
)  # fmt: skip


@dataclass(frozen=True)
class Answer:
    """An answer and what a person reads in it: ``expect`` is ``pick`` (of ``slot``),
    ``declined`` or ``replied``; ``reading`` the kind of reading a person would give."""

    kind: str
    lang: str
    text: str
    expect: str
    slot: int | None = None
    reading: str = ""
    variant: int = 0  # 0: the first phrasing, 1: another, written without tuning the reader


_ORDINAL_WORDS = {
    "en": ("first", "second", "third"),
    "de": ("erste", "zweite", "dritte"),
    "fr": ("premier", "deuxième", "troisième"),
    "es": ("primera", "segunda", "tercera"),
    "nl": ("eerste", "tweede", "derde"),
}
GREETING = {"en": "Hi Robin,", "de": "Hallo Robin,", "fr": "Bonjour Robin,", "es": "Hola Robin,",
        "nl": "Hoi Robin,"}  # fmt: skip
SIGN_OFF = {"en": "Best,", "de": "Viele Grüße", "fr": "Bien cordialement,", "es": "Un saludo,",
        "nl": "Groeten,"}  # fmt: skip


def _unique(slots: Sequence[datetime], key: Callable[[datetime], object]) -> int | None:
    """The index of the last slot whose ``key`` no other slot shares, else None."""
    keys = [key(s) for s in slots]
    found = [i for i, k in enumerate(keys) if keys.count(k) == 1]
    return found[-1] if found else None


def _day_name(lang: str, moment: datetime) -> str:
    name = weekday(lang, moment)
    return name.capitalize() if lang in ("en", "de") else name


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _date_phrase(lang: str, moment: datetime) -> str:
    d = moment.day
    return {
        "en": f"the {d}{_english_suffix(d)} of {month('en', moment)} suits me.",
        "de": f"am {d}. passt es mir gut.",
        "fr": f"le {'1er' if d == 1 else d} me convient.",
        "es": f"el {d} me va bien.",
        "nl": f"de {d}e komt mij goed uit.",
    }[lang]


def _english_suffix(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def _clock_phrase(lang: str, moment: datetime) -> str:
    hm = clock(moment)
    return {
        "en": f"{clock(moment, True).lower()} works for me.",
        "de": f"{hm} Uhr passt mir.",
        "fr": f"{moment.hour}h{moment:%M} me convient.",
        "es": f"a las {hm} me va bien.",
        "nl": f"om {moment.hour}.{moment:%M} uur kan ik.",
    }[lang]


def _free_weekday(slots: Sequence[datetime]) -> datetime:
    """A working day of the slots' weeks that no slot is on (for "how about Monday?")."""
    used = {s.weekday() for s in slots}
    day = next(d for d in range(5) if d not in used)
    first = slots[0]
    return first + timedelta(days=(day - first.weekday()) % 7)


#: the answers that name no time, as (kind, variant): (expected, reading, text by language)
FIXED: dict[tuple[str, int], tuple[str, str, dict[str, str]]] = {
    ("phone", 0): (REPLIED, "phone", {
        "en": "Could we do a quick phone call instead?",
        "de": "Können wir stattdessen kurz telefonieren?",
        "fr": "Pourrions-nous plutôt faire un appel téléphonique ?",
        "es": "¿Podríamos hacer una llamada en su lugar?",
        "nl": "Kunnen we in plaats daarvan even bellen?",
    }),
    ("decline", 0): (DECLINED, "declines", {
        "en": "Sorry, I'm not interested.",
        "de": "Tut mir leid, ich habe kein Interesse.",
        "fr": "Désolé, cela ne m'intéresse pas.",
        "es": "Lo siento, no me interesa.",
        "nl": "Sorry, ik heb geen interesse.",
    }),
    ("decline-busy", 0): (DECLINED, "declines", {
        "en": "I'm swamped this quarter and can't take this on.",
        "de": "Ich bin in diesem Quartal völlig ausgelastet und kann das leider nicht übernehmen.",
        "fr": "Je suis débordé ce trimestre et je ne peux pas m'en charger.",
        "es": "Estoy desbordado este trimestre y no puedo asumirlo.",
        "nl": "Ik zit dit kwartaal overvol en kan dit er niet bij hebben.",
    }),
    ("someone-else", 0): (REPLIED, "names-someone", {
        "en": "I'm not the right person for this; you should talk to Sam Lee "
            "(sam.lee@example.com).",
        "de": "Ich bin nicht die richtige Ansprechpartnerin; wenden Sie sich an Sam Lee "
            "(sam.lee@example.com).",
        "fr": "Je ne suis pas la bonne personne ; contactez plutôt Sam Lee (sam.lee@example.com).",
        "es": "No soy la persona adecuada; habla con Sam Lee (sam.lee@example.com).",
        "nl": "Ik ben niet de juiste persoon; neem contact op met Sam Lee (sam.lee@example.com).",
    }),
    ("yes-no-time", 0): (REPLIED, "unsure", {
        "en": "Happy to help. Send me an invite.",
        "de": "Gerne! Schicken Sie mir eine Einladung.",
        "fr": "Avec plaisir, envoyez-moi une invitation.",
        "es": "¡Con gusto! Envíame una invitación.",
        "nl": "Graag! Stuur me een uitnodiging.",
    }),
    ("phone", 1): (REPLIED, "phone", {
        "en": "I'd rather talk by phone, if that's OK.", "de": "Mir wäre ein Telefonat lieber.",
        "fr": "Je préférerais un échange par téléphone.", "es": "Preferiría hablar por teléfono.",
        "nl": "Ik bel liever even, als dat goed is.",
    }),
    ("decline", 1): (DECLINED, "declines", {
        "en": "Thanks for reaching out, but I'll have to decline.",
        "de": "Danke für die Anfrage, aber ich muss leider absagen.",
        "fr": "Merci pour votre message, mais je dois décliner.",
        "es": "Gracias por escribir, pero tengo que declinar.",
        "nl": "Bedankt voor je bericht, maar ik moet helaas afzeggen.",
    }),
    ("decline-busy", 1): (DECLINED, "declines", {
        "en": "I'm not in a position to help at the moment, sorry.",
        "de": "Ich habe derzeit leider keine Kapazität dafür.",
        "fr": "Je ne suis pas en mesure de vous aider en ce moment.",
        "es": "En este momento no estoy en condiciones de ayudarte.",
        "nl": "Ik ben op dit moment niet in de gelegenheid om te helpen.",
    }),
    ("someone-else", 1): (REPLIED, "names-someone", {
        "en": "You might want to reach out to Sam Lee instead, she runs that team.",
        "de": "Fragen Sie am besten Sam Lee, sie leitet das Team (sam.lee@example.com).",
        "fr": "Je vous mets en copie Sam Lee, qui dirige l'équipe.",
        "es": "Te pongo en copia a Sam Lee, que dirige el equipo.",
        "nl": "Ik heb Sam Lee in de cc gezet, zij leidt het team.",
    }),
    ("yes-no-time", 1): (REPLIED, "unsure", {
        "en": "Sure, happy to chat!", "de": "Ja, gerne.", "fr": "Oui, avec plaisir !",
        "es": "Sí, claro, encantada.", "nl": "Ja hoor, leuk!",
    }),
}  # fmt: skip


def answers(slots: Sequence[datetime]) -> list[Answer]:
    """Every kind of answer in every language, for these proposed times."""
    found: list[Answer] = []
    for lang in LANGS:
        found += _answers(lang, slots)
        found += _variants(lang, slots)
        found += [
            Answer(kind, lang, texts[lang], expect, None, reading, variant)
            for (kind, variant), (expect, reading, texts) in FIXED.items()
        ]
    return found


def _answers(lang: str, slots: Sequence[datetime]) -> list[Answer]:
    out: list[Answer] = []

    def pick(kind: str, text: str, index: int) -> None:
        out.append(Answer(kind, lang, text, PICK, index, "picks-slot"))

    by_day = _unique(slots, lambda s: s.date())
    if by_day is not None:
        day = _day_name(lang, slots[by_day])
        pick("weekday", {
        "en": f"{day} works for me.", "de": f"{day} passt mir gut.",
        "fr": f"{_cap(day)} me convient.", "es": f"El {day} me va bien.",
        "nl": f"{_cap(day)} komt mij goed uit.",
        }[lang], by_day)  # fmt: skip
        pick("date", _cap(_date_phrase(lang, slots[by_day])), by_day)
        if lang == "de":
            pick("date", f"Der {slots[by_day]:%d.%m.} passt.", by_day)
    by_clock = _unique(slots, lambda s: (s.hour, s.minute))
    if by_clock is not None:
        pick("clock", _cap(_clock_phrase(lang, slots[by_clock])), by_clock)
    if len(slots) >= 2:
        n = 1
        ordinal = _ORDINAL_WORDS[lang][n]
        pick("order", {
        "en": f"The {ordinal} time works best.",
        "de": f"Der {ordinal} Termin passt mir am besten.",
        "fr": f"Le {ordinal} créneau me convient.",
        "es": f"La {ordinal} opción me va bien.",
        "nl": f"De {ordinal} optie past mij het beste.",
        }[lang], n)  # fmt: skip
    days = [s.date() for s in slots]
    if by_day is not None and len(set(days)) >= 2:
        no = next(i for i, s in enumerate(slots) if s.date() != slots[by_day].date())
        bad, good = _day_name(lang, slots[no]), _day_name(lang, slots[by_day])
        pick("turned-down", {
        "en": f"{bad} doesn't work for me, but {good} is fine.",
        "de": f"{bad} geht leider nicht, aber {good} passt.",
        "fr": f"{_cap(bad)} ne me convient pas, mais {good}, c'est parfait.",
        "es": f"El {bad} no puedo, pero el {good} me va bien.",
        "nl": f"{_cap(bad)} kan ik niet, maar {good} is prima.",
        }[lang], by_day)  # fmt: skip
    free = _day_name(lang, _free_weekday(slots))
    out.append(Answer("other-time", lang, {
        "en": f"None of those times work for me. How about {free} at 11?",
        "de": f"Leider passt keiner der Termine. Wie wäre es mit {free} um 11 Uhr?",
        "fr": f"Aucun de ces créneaux ne me convient. Que diriez-vous de {free} à 11h ?",
        "es": f"Ninguna de esas horas me va bien. ¿Qué tal el {free} a las 11?",
        "nl": f"Geen van die tijden past. Wat dacht je van {free} om 11 uur?",
    }[lang], REPLIED, None, "other-time"))  # fmt: skip
    later = month(lang, slots[-1] + timedelta(days=40))
    later = later.capitalize() if lang in ("en", "de") else later
    out.append(Answer("later-month", lang, {
        "en": f"This month is hectic for me; could we meet in {later} instead?",
        "de": f"Dieser Monat ist sehr voll; können wir uns stattdessen im {later} treffen?",
        "fr": f"Ce mois-ci est très chargé ; pourrions-nous plutôt nous voir en {later} ?",
        "es": f"Este mes es complicado; ¿podríamos vernos en {later}?",
        "nl": f"Deze maand is erg druk; kunnen we in plaats daarvan in {later} afspreken?",
    }[lang], REPLIED, None, "other-time"))  # fmt: skip
    return out


def _variants(lang: str, slots: Sequence[datetime]) -> list[Answer]:
    """A second phrasing of each kind, as people also write it."""
    out: list[Answer] = []

    def add(kind: str, text: str, expect: str, slot: int | None, reading: str) -> None:
        out.append(Answer(kind, lang, text, expect, slot, reading, variant=1))

    by_day = _unique(slots, lambda s: s.date())
    if by_day is not None:
        at = slots[by_day]
        day, d, mon = _day_name(lang, at), at.day, month(lang, at)
        add("weekday", {
        "en": f"Let's do {day}, see you then.", "de": f"{day} wäre super.",
        "fr": f"Va pour {day} !", "es": f"Me viene bien el {day}.",
        "nl": f"Laten we {day} doen.",
        }[lang], PICK, by_day, "picks-slot")  # fmt: skip
        add("date", {
        "en": f"I can do {mon} {d}.", "de": f"Gerne am {d}. {mon}.",
        "fr": f"Je suis disponible le {d} {mon}.", "es": f"Puedo el {d} de {mon}.",
        "nl": f"Ik kan op {d} {mon}.",
        }[lang], PICK, by_day, "picks-slot")  # fmt: skip
        others = [i for i, s in enumerate(slots) if s.date() != at.date()]
        if others:
            bad = _day_name(lang, slots[others[0]])
            add("turned-down", {
                "en": f"I can't do {bad}, {day} works though.",
                "de": f"Am {bad} bin ich verhindert, {day} geht.",
                "fr": f"{_cap(bad)} je ne peux pas ; {day}, ça marche.",
                "es": f"El {bad} me es imposible, el {day} sí me va.",
                "nl": f"{_cap(bad)} lukt niet, {day} wel.",
            }[lang], PICK, by_day, "picks-slot")  # fmt: skip
    by_clock = _unique(slots, lambda s: (s.hour, s.minute))
    if by_clock is not None:
        hm = clock(slots[by_clock])
        add("clock", {
        "en": f"I could do {clock(slots[by_clock], True).lower()}.",
        "de": f"Um {hm} bin ich dabei.", "fr": f"{hm.replace(':', 'h')}, c'est parfait.",
        "es": f"Perfecto a las {hm}.", "nl": f"{hm} is prima.",
        }[lang], PICK, by_clock, "picks-slot")  # fmt: skip
    if len(slots) >= 2:
        add("order", {
        "en": "Option 2 is best for me.", "de": "Vorschlag 2 passt.",
        "fr": "La deuxième option me va.", "es": "Prefiero la segunda.",
        "nl": "Optie 2 komt goed uit.",
        }[lang], PICK, 1, "picks-slot")  # fmt: skip
    free = _day_name(lang, _free_weekday(slots))
    add("other-time", {
        "en": f"Those don't suit me. Could we try {free} morning?",
        "de": f"Das passt mir alles nicht. Geht auch {free} Vormittag?",
        "fr": f"Ces horaires ne me conviennent pas. Et {free} matin ?",
        "es": f"No me va ninguno. ¿Podría ser el {free} por la mañana?",
        "nl": f"Die tijden komen niet goed uit. Kan {free} ochtend ook?",
    }[lang], REPLIED, None, "other-time")  # fmt: skip
    later = month(lang, slots[-1] + timedelta(days=40))
    later = later.capitalize() if lang in ("en", "de") else later
    add("later-month", {
        "en": f"I'm travelling until the end of the month. Can we talk in {later}?",
        "de": f"Ich bin bis Monatsende unterwegs. Geht es im {later}?",
        "fr": f"Je suis en déplacement jusqu'à la fin du mois. On se parle en {later} ?",
        "es": f"Estoy de viaje hasta fin de mes. ¿Hablamos en {later}?",
        "nl": f"Ik ben tot eind van de maand op reis. Kunnen we in {later} praten?",
    }[lang], REPLIED, None, "other-time")  # fmt: skip
    return out


def dressed(answer: Answer, greeting: bool = True) -> str:
    """The answer as a person writes it: a greeting above, a sign-off and a name below."""
    lines = [GREETING[answer.lang], ""] if greeting else []
    return "\n".join([*lines, answer.text, "", SIGN_OFF[answer.lang], CONTACT[0].split()[0]])


def outcome(reading: object) -> tuple[str, int | None]:
    """What a reading (``engine.Reading``) does: picks a slot (the invite), declines, or
    leaves the contact replied."""
    kind, sure, slot = reading.kind, reading.sure, reading.slot_index  # type: ignore[attr-defined]
    if kind == "picks-slot" and sure and slot is not None:
        return PICK, slot
    if kind == "declines" and sure:
        return DECLINED, None
    return REPLIED, None


def judge(answer: Answer, done: tuple[str, int | None]) -> str:
    """``right``, ``missed`` (said "read it" where it could have acted) or ``harmful``
    (an invitation or a "declined" the answer does not give)."""
    if done == (answer.expect, answer.slot if answer.expect == PICK else None):
        return "right"
    return "missed" if done[0] == REPLIED else "harmful"
