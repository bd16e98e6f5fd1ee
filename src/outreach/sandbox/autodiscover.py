"""SOAP Autodiscover (GetUserSettings), the protocol exchangelib 5.6 uses to find EWS.

A client that knows the Autodiscover endpoint (exchangelib's cache, after DNS found
it once) asks it for the user's settings; the answer names the EWS URL and the
schema versions it speaks. The sandbox answers for any address, as it lets anyone
sign in. Finding the endpoint itself (DNS A and SRV records, the HTTP redirect) is
not played here: there is no DNS in a test.
"""

from __future__ import annotations

from collections.abc import Mapping

from lxml import etree

AUTODISCOVER_PATH = "/autodiscover/autodiscover.svc"
SOAP = "http://schemas.xmlsoap.org/soap/envelope/"
ANS = "http://schemas.microsoft.com/exchange/2010/Autodiscover"
WSA = "http://www.w3.org/2005/08/addressing"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
ACTION = "http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/"


def is_autodiscover(path: str) -> bool:
    return path.split("?")[0].lower() == AUTODISCOVER_PATH


def settings_for(ews_url: str) -> dict[str, str]:
    """What the sandbox tells every user: its EWS URL and the schemas it speaks."""
    return {
        "ExternalEwsUrl": ews_url,
        "InternalEwsUrl": ews_url,
        "EwsSupportedSchemas": "Exchange2013, Exchange2013_SP1, Exchange2016",
        "CasVersion": "15.01.2507.006",
    }


def answer(data: bytes, settings_of: Mapping[str, str]) -> tuple[int, bytes]:
    """Given a GetUserSettings request and the known settings, return the status and SOAP body.

    settings_of: setting name (``ExternalEwsUrl``...) -> value, the same for every user;
    ``AutoDiscoverSMTPAddress`` and ``UserDisplayName`` are filled per user.
    """
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError:
        return 400, _envelope("GetUserSettings", _error("InvalidRequest", "Not XML."))
    request = root.find(f"{{{SOAP}}}Body/{{{ANS}}}GetUserSettingsRequestMessage/{{{ANS}}}Request")
    if request is None:
        return 400, _envelope("GetUserSettings", _error("InvalidRequest", "Not GetUserSettings."))
    asked = request.iterfind(f"{{{ANS}}}RequestedSettings/{{{ANS}}}Setting")
    wanted = [s.text or "" for s in asked]
    message = etree.Element(f"{{{ANS}}}GetUserSettingsResponseMessage", nsmap={None: ANS})
    response = etree.SubElement(message, f"{{{ANS}}}Response", nsmap={"i": XSI})
    etree.SubElement(response, f"{{{ANS}}}ErrorCode").text = "NoError"
    etree.SubElement(response, f"{{{ANS}}}ErrorMessage")
    users = etree.SubElement(response, f"{{{ANS}}}UserResponses")
    for mailbox in request.iterfind(f"{{{ANS}}}Users/{{{ANS}}}User/{{{ANS}}}Mailbox"):
        address = (mailbox.text or "").strip().lower()
        values = dict(settings_of)
        values["AutoDiscoverSMTPAddress"] = address
        values.setdefault("UserDisplayName", address.split("@")[0].replace(".", " ").title())
        users.append(_user(values, wanted))
    return 200, _envelope("GetUserSettings", message)


def _user(values: Mapping[str, str], wanted: list[str]) -> etree._Element:
    """One UserResponse: the wanted settings it knows, SettingIsNotAvailable for the rest."""
    user = etree.Element(f"{{{ANS}}}UserResponse")
    etree.SubElement(user, f"{{{ANS}}}ErrorCode").text = "NoError"
    etree.SubElement(user, f"{{{ANS}}}ErrorMessage").text = "No error."
    etree.SubElement(user, f"{{{ANS}}}RedirectTarget").set(f"{{{XSI}}}nil", "true")
    errors = etree.SubElement(user, f"{{{ANS}}}UserSettingErrors")
    settings = etree.SubElement(user, f"{{{ANS}}}UserSettings")
    for name in wanted:
        if name in values:
            setting = etree.SubElement(settings, f"{{{ANS}}}UserSetting")
            setting.set(f"{{{XSI}}}type", "StringSetting")
            etree.SubElement(setting, f"{{{ANS}}}Name").text = name
            etree.SubElement(setting, f"{{{ANS}}}Value").text = values[name]
        else:
            error = etree.SubElement(errors, f"{{{ANS}}}UserSettingError")
            etree.SubElement(error, f"{{{ANS}}}ErrorCode").text = "SettingIsNotAvailable"
            etree.SubElement(error, f"{{{ANS}}}ErrorMessage").text = (
                f"User setting '{name}' is not available."
            )
            etree.SubElement(error, f"{{{ANS}}}SettingName").text = name
    return user


def _error(code: str, text: str) -> etree._Element:
    message = etree.Element(f"{{{ANS}}}GetUserSettingsResponseMessage", nsmap={None: ANS})
    response = etree.SubElement(message, f"{{{ANS}}}Response")
    etree.SubElement(response, f"{{{ANS}}}ErrorCode").text = code
    etree.SubElement(response, f"{{{ANS}}}ErrorMessage").text = text
    return message


def _envelope(operation: str, message: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP}}}Envelope", nsmap={"s": SOAP, "a": WSA})
    header = etree.SubElement(env, f"{{{SOAP}}}Header")
    action = etree.SubElement(header, f"{{{WSA}}}Action")
    action.set(f"{{{SOAP}}}mustUnderstand", "1")
    action.text = f"{ACTION}{operation}Response"
    version = etree.SubElement(header, f"{{{ANS}}}ServerVersionInfo", nsmap={"h": ANS})
    for tag, value in (
        ("MajorVersion", "15"),
        ("MinorVersion", "1"),
        ("MajorBuildNumber", "2507"),
        ("MinorBuildNumber", "6"),
        ("Version", "Exchange2015"),
    ):
        etree.SubElement(version, f"{{{ANS}}}{tag}").text = value
    etree.SubElement(env, f"{{{SOAP}}}Body").append(message)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")
