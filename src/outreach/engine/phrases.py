"""What a reply's words say, in English, German, French, Spanish and Dutch.

Each meaning is a list of phrases per language, matched on folded text (lower
case, accents stripped: "passt", "ca me va", "que tal"). The phrases are the ones
people write in answer to a request for a conversation; ``replies`` weighs them.
"""

from __future__ import annotations

import re

from outreach.core.calendarwords import MONTHS


def _any(*languages: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{alternatives})" for alternatives in languages))


#: the person has left the organization
LEFT = _any(
    r"no longer (with|at|work|employed)|(have|has|i've) left (the|this) (company|organi[sz]ation"
    r"|firm)|left the (company|organi[sz]ation|firm)|(have|has) retired|last day (was|at)",
    r"nicht mehr (bei|fur|im unternehmen|tatig)|(habe|hat) (das unternehmen|die firma) verlassen"
    r"|im ruhestand",
    r"ne travaille plus|ne fais plus partie|(j'ai|a) quitte (l'entreprise|la societe|le groupe)"
    r"|(suis|est) a la retraite",
    r"ya no (trabajo|estoy|forma parte)|(he|ha) dejado la empresa|(estoy|esta) jubilad",
    r"werk(t)? niet meer (bij|voor)|niet meer werkzaam|(heb|heeft) het bedrijf verlaten"
    r"|met pensioen",
)
#: the person names someone else to ask
REFER = _any(
    r"(better|right|best|correct) person|you (should|could|might want to|may want to) "
    r"(talk|speak|reach out|ask|contact|try)|try (reaching|contacting|asking|talking)"
    r"|(i've|i have|i'm) (cc'?d|copied|copying|looped)|\bcc'?ing\b"
    r"|(might|may|would) be (able to help|better placed)|refer you|point you (to|towards)",
    r"richtige[nr]? (ansprechpartner\w*|person)|besser geeignet|wenden sie sich (doch )?an"
    r"|wende dich an|sprechen sie (doch )?mit|in (kopie|cc) gesetzt|setze .{1,40} in (kopie|cc)",
    r"la bonne personne|mieux place|contactez plutot|adressez-vous a|voyez (plutot )?avec"
    r"|(je mets|j'ai mis|je met) .{1,40} en copie|mettre en relation",
    r"la persona (adecuada|indicada|correcta)|(habla|hable|contacta|contacte) con"
    r"|(pongo|he puesto) .{0,40}en copia|te pongo en contacto|le pongo en contacto",
    r"de (juiste|aangewezen) persoon|neem (contact op met|dan contact op)|vraag het (aan|eens)"
    r"|(zet|heb) .{1,40} in (de )?cc",
    r"[\w.+-]+@[\w-]+\.[\w.-]+",  # an address in the answer's own words: someone to write to
)
#: a no to the whole request (a time turned down is read per clause, not here)
DECLINE = _any(
    r"not interested|no,? thank(s| you)|(have|need|must) to (decline|pass)|i'?ll (have to )?pass"
    r"|(unable|not able|can'?t|cannot) (to )?help|(don'?t|do not) have (the )?time|too busy"
    r"|not (a good|the right) time|please (remove|don'?t contact|do not contact)"
    r"|unsubscribe|(don'?t|do not) (contact|email|write)|not available for (this|that|an interview)"
    r"|swamped|snowed under|stretched (too )?thin|can'?t take (this|it|that|anything) on"
    r"|(cannot|can not) take (this|it|that) on|not in a position to|no (capacity|bandwidth)"
    r"|(don'?t|do not) have (the )?(capacity|bandwidth)|have to say no|must (decline|say no)"
    r"|(have|need) to turn (this|you) down|(won'?t|will not) be able to (help|participate)"
    r"|can'?t (commit|make (the )?time)|not something i can",
    r"kein(en)? interesse|keine zeit|(muss|mochte) (ihnen |dir )?(leider )?(absagen|passen)"
    r"|nicht ubernehmen|ausgelastet|uberlastet|nicht in der lage|keine kapazitat"
    r"|bitte (kontaktieren sie mich )?nicht mehr|kann (ihnen|dir) (leider )?nicht helfen",
    r"pas interesse|ne m'interesse pas|pas le temps|pas de temps|(dois|vais) decliner"
    r"|deborde|m'en charger|pas en mesure|ne me contactez plus|pas la disponibilite"
    r"|ne (peux|pourrai) pas (vous )?aider",
    r"no me interesa|no estoy interesad|no tengo tiempo|(debo|tengo que) declinar|desbordad"
    r"|no puedo asumir|no estoy en condiciones|no (puedo|podre) ayudar|no me contacte"
    r"|no dispongo de tiempo",
    r"geen interesse|niet geinteresseerd|geen tijd|(moet|wil) (helaas )?(afzeggen|bedanken|passen)"
    r"|overvol|er niet bij (hebben|nemen)|niet in de gelegenheid|(kan|kunnen) (je|u) niet helpen"
    r"|neem geen contact",
)
#: a phone call instead of a meeting
PHONE = _any(
    r"\bcall me\b|give (me|you) a (call|ring)|phone call|by phone|over the phone|on the phone"
    r"|\ba (quick |short )?call\b|ring me|\bcall you\b|phone instead|call instead",
    r"telefonier\w*|\banruf\w*|rufen sie mich|ruf mich|anzurufen|telefonat|telefonisch",
    r"\bappel\b|\bappeler\b|appelez-moi|appelle-moi|telephon\w*|coup de fil",
    r"llamada|\bllamar|llamame|llameme|por telefono|telefonica",
    r"\bbellen\b|belletje|bel me|telefonisch|telefoongesprek",
)
#: another time than those proposed
OTHER = _any(
    r"how about|what about|would .{1,40} work|could we (do|make it|try|move)|can we (do|make it"
    r"|try|move)|another (time|day|date)|other times?|different (time|day|date)|\binstead\b"
    r"|neither|none of|doesn'?t work|don'?t work|won'?t work|not work|reschedule|later date"
    r"|next (week|month)|later (this|next)|after the",
    r"wie ware es|wie sieht es (mit|am)|stattdessen|ander(en|er|e) (termin|zeit|tag)"
    r"|nachste[nr]? woche|verschieben|keine[rn]? (der|dieser)|geht es auch|ginge (es )?auch",
    r"que diriez-vous|que dites-vous|plutot|un autre (creneau|moment|jour)|une autre (date|heure)"
    r"|semaine prochaine|aucun|reporter|decaler|serait-il possible",
    r"que tal|otro (dia|momento)|otra (hora|fecha)|proxima semana|semana que viene|en su lugar"
    r"|ningun[oa]?|posponer|podriamos",
    r"wat (dacht|denk) (je|u) van|in plaats daarvan|een ander (moment|tijdstip)"
    r"|een andere (dag|datum|tijd)|volgende week|geen van|verzetten|kunnen we ook",
)
#: yes
ACCEPT = _any(
    r"\bworks?\b|suits?\b|\bfine\b|\bgood\b|\bgreat\b|\bperfect\b|see you|happy to|glad to"
    r"|i can (do|make)|\bok(ay)?\b|\bsure\b|\byes\b|i'?ll be there|let'?s (do|go with|say)"
    r"|count me in|\bbook\b|\bconfirm|delighted|pleasure|i could do|(is|works) best|prefer",
    r"\bpasst\b|\bgeht\b|\bgut\b|\bgerne?\b|einverstanden|\bprima\b|perfekt|\bsuper\b"
    r"|klingt gut|bin (ich )?dabei|machen wir|\bja\b|ich kann|lieber|bevorzug",
    r"convient|parfait|d'accord|volontiers|ca marche|ca me va|avec plaisir|\bbien\b|\boui\b"
    r"|je peux|je serai la|je prends|va pour|prefere",
    r"me va\b|me viene|perfecto|de acuerdo|\bvale\b|con gusto|encantad|\bpuedo\b|genial|me sirve"
    r"|prefiero|me quedo con",
    r"\bpast\b|komt (mij |me )?(het )?(goed|prima|best|beste) uit|\bgoed\b|\bgraag\b|akkoord"
    r"|perfect|\bkan ik\b|schikt|\blukt\b|\bik kan\b|laten we|liever|voorkeur",
)
#: a clause that turns something down
NEGATIVE = _any(
    r"\b(not|no|never|neither|nor|cannot|unable|unavailable|busy|conflict|clash)\b"
    r"|\b(ca|do|does|did|wo|is|are|was|were|could|would|should|have|has|had|must|ai)n'?t\b"
    r"|\b(i'm|i am|i'll be|i will be|will be) (out|off|away)\b|would have|could have",
    r"\b(nicht|kein\w*|nie|unmoglich|verhindert|ausgebucht|belegt|gewesen|hatte)\b",
    r"\b(pas|aucun\w*|impossible|indisponible|jamais|empeche|aurai[st]? ete)\b",
    r"\b(ningun\w*|imposible|ocupad\w*|habria|hubiera)\b",
    r"\b(niet|geen|onmogelijk|bezet|verhinderd|geweest)\b",
)
#: "no problem" and its like say yes, though they hold a "no"
NO_PROBLEM = _any(
    r"no (problem|worries)|kein problem|pas de (probleme|souci)|(ningun|sin) problema"
    r"|geen (probleem|punt)|not a problem",
)
_MONTH_WORDS = "|".join(sorted({*MONTHS, "märz"}, key=len, reverse=True))
#: where one clause ends and the next begins ("Tuesday doesn't work, but Thursday does"),
#: read on the unfolded text: the dot of a German day ("am 4. passt", "am 4. Dezember")
#: ends a sentence only before a capital that starts no month name
CLAUSES = re.compile(
    r"(?<![0-9])[.]+(?=\s|$)|(?<=[0-9])[.](?=\s+(?!(?i:" + _MONTH_WORDS + r")\b)[A-ZÀ-Ý])"
    r"|(?<=[0-9])[.]$|[!?]+(?=\s|$)|[;\n]+|,"
    r"|\s+(?i:but|however|although|aber|doch|jedoch|mais|cependant|toutefois|pero"
    r"|sin embargo|maar|echter)\s+",
)
