"""Recognise codes in the forms people type them and turn them into catalog keys.

A *key* is the compact, upper-case form without dot or spaces (``E119``); the *display* form is
what the publisher prints (``E11.9``).
"""

from __future__ import annotations

import re

ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](?:[0-9A-Z]{1,4})?$")
ICD10PCS = re.compile(r"^[0-9A-HJ-NP-Z]{7}$")
HCPCS = re.compile(r"^[A-V][0-9]{4}$")
CPT = re.compile(r"^[0-9]{4}[0-9FTU]$")
ICD9CM = re.compile(r"^(?:[0-9]{3}(?:[0-9]{1,2})?|V[0-9]{2}(?:[0-9]{1,2})?|E[0-9]{3}[0-9]?)$")
MODIFIER = re.compile(r"^[0-9A-Z]{2}$")


def to_key(raw: str) -> str:
    """``" e11.9 "`` -> ``"E119"``."""
    return re.sub(r"[\s.]", "", raw).upper()


def icd10cm_display(key: str) -> str:
    return key if len(key) <= 3 else f"{key[:3]}.{key[3:]}"


def icd9cm_display(key: str) -> str:
    cut = 4 if key.startswith("E") else 3
    return key if len(key) <= cut else f"{key[:cut]}.{key[cut:]}"


def display(system: str, key: str) -> str:
    if system == "icd10cm":
        return icd10cm_display(key)
    if system == "icd9cm":
        return icd9cm_display(key)
    return key


def systems_for(raw: str) -> list[str]:
    """The code systems whose syntax a string fits, most likely first."""
    key = to_key(raw)
    checks = [
        ("icd10cm", ICD10CM),
        ("icd10pcs", ICD10PCS),
        ("hcpcs", HCPCS),
        ("cpt", CPT),
        ("icd9cm", ICD9CM),
    ]
    found = [system for system, pattern in checks if pattern.match(key)]
    if "." in raw and raw.strip()[:1].isdigit():
        found.sort(key=lambda s: s != "icd9cm")  # "250.00" is ICD-9-CM, not CPT
    if MODIFIER.match(key):
        found.append("hcpcs")
    return found


def as_written(raw: str) -> list[str]:
    """Systems in the order an answer's own text means them: medcode writes ICD-10-CM and
    ICD-9-CM codes with their dot, so ``M1001`` is HCPCS Level II and ``M10.01`` ICD-10-CM."""
    found = systems_for(raw)
    if "." not in raw and HCPCS.match(to_key(raw)):
        found.sort(key=lambda s: s != "hcpcs")
    elif "." in raw:
        found.sort(key=lambda s: s not in ("icd10cm", "icd9cm"))
    return found


def looks_like_code(raw: str) -> bool:
    return bool(systems_for(raw))
