"""Numbers as buyers type them in cells: "16 GB", "1 TB", "1.299,00 €", "$1,049", numbers stored as text."""
from __future__ import annotations

import re

# Symbols and codes seen in quotes; the currency code the rest of the tool uses.
CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "us$": "USD", "£": "GBP", "¥": "CNY", "￥": "CNY", "rmb": "CNY",
                    "元": "CNY", "₹": "INR", "rs": "INR"}
CURRENCY_CODES = ("USD", "EUR", "GBP", "CNY", "INR", "JPY")
_SIZE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(tb|gb|gib|tib|g|t)?\s*$", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(kg|g|lb|lbs)?\s*$", re.IGNORECASE)


# Policy: what a quoted laptop can plausibly have, as a database record is checked; outside, a cell is a slip
# (999 GB of memory, 3 for 3 TB, a weight in grams without its unit).
MEMORY_GB = (1, 256)
STORAGE_GB = (64, 8192)
WEIGHT_KG = (0.5, 5.0)


class UnitError(ValueError):
    """A cell that is not the number it should be; the message says what was expected."""


def size_gb(text: str) -> int:
    """A memory or storage size in GB: "16", "16 GB", "1 TB" (1024 GB, as the database lists drives)."""
    match = _SIZE.match(text)
    if not match:
        raise UnitError(f"{text!r} is not a size (e.g. 16 GB, 1 TB)")
    value = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "gb").lower()
    gb = value * 1024 if unit.startswith("t") else value
    if gb <= 0 or gb != int(gb):
        raise UnitError(f"{text!r} is not a whole number of GB")
    return int(gb)


def weight_kg(text: str) -> float:
    """A laptop's weight in kg, a spec (never a scoring weight): "1.29", "1,29 kg", "1290 g", "2.8 lb"."""
    match = _WEIGHT.match(text)
    if not match:
        raise UnitError(f"{text!r} is not a weight (e.g. 1.3 kg)")
    value = float(match.group(1).replace(",", "."))
    unit = (match.group(2) or "kg").lower()
    kg = value / 1000 if unit == "g" else value * 0.45359237 if unit.startswith("lb") else value
    low, high = WEIGHT_KG
    if not low <= kg <= high:
        raise UnitError(f"{text!r} is not a laptop's weight ({low}-{high} kg; grams need a unit, e.g. 1290 g)")
    return round(kg, 3)


def memory_gb(text: str) -> int:
    """A laptop's memory in GB, as sold: one size or the sum of two (8+4, 16+2, 32+16), within MEMORY_GB."""
    gb = size_gb(text)
    low, high = MEMORY_GB
    if not low <= gb <= high or not _sold_memory(gb):
        raise UnitError(f"{text!r} is not a laptop's memory ({low}-{high} GB, a size memory is sold in "
                        "such as 8, 12, 16, 18, 24, 32, 36, 48 or 64 GB)")
    return gb


def _sold_memory(gb: int) -> bool:
    # a power of two (one module or package), or two of them (soldered plus a module, Apple's 18 and 36 GB)
    bits = [1 << i for i in range(gb.bit_length()) if gb >> i & 1]
    return len(bits) == 1 or (len(bits) == 2 and bits[0] >= 2)


def storage_gb(text: str) -> int:
    """A laptop's drive in GB ("512", "1 TB"), within STORAGE_GB."""
    gb = size_gb(text)
    low, high = STORAGE_GB
    if not low <= gb <= high:
        raise UnitError(f"{text!r} is not a laptop's storage ({low} GB to {high // 1024} TB)")
    return gb


def currency(text: str) -> str:
    """A currency code the tool converts: "eur" is EUR; a symbol ("€") is read as its code."""
    code = CURRENCY_SYMBOLS.get(text.strip().lower(), text.strip().upper())
    if code not in CURRENCY_CODES:
        raise UnitError(f"{text!r} is not a currency the tool converts ({', '.join(CURRENCY_CODES)})")
    return code


def quantity(text: str) -> int:
    """A positive whole number of units: "20", "20 pcs"."""
    match = re.match(r"^\s*([0-9]+)\s*[a-z.]*\s*$", text, re.IGNORECASE)
    if not match or int(match.group(1)) <= 0:
        raise UnitError(f"{text!r} is not a positive whole quantity")
    return int(match.group(1))


def price(text: str) -> tuple[float, str | None]:
    """A price and the currency its symbol or code names (None when the cell names none).

    Both decimal conventions are read: the last separator followed by one or two digits is the decimal mark
    ("1.299,00" and "1,299.00" are both 1299), a separator followed by three digits groups thousands."""
    raw = text.strip()
    currency = None
    for code in CURRENCY_CODES:
        if re.search(rf"\b{code}\b", raw, re.IGNORECASE):
            currency, raw = code, re.sub(rf"\b{code}\b", "", raw, flags=re.IGNORECASE)
    for symbol, code in sorted(CURRENCY_SYMBOLS.items(), key=lambda item: -len(item[0])):
        if symbol in raw.lower():
            currency = currency or code
            raw = re.sub(re.escape(symbol), "", raw, flags=re.IGNORECASE)
    digits = raw.replace(" ", "").replace("\u00a0", "").replace("'", "")
    if not re.fullmatch(r"[0-9]+(?:[.,][0-9]+)*", digits):
        raise UnitError(f"{text!r} is not a price (e.g. 1,299.00 EUR)")
    decimal = re.search(r"[.,]([0-9]{1,2})$", digits)
    whole = digits[:decimal.start()] if decimal else digits
    if re.search(r"[.,](?![0-9]{3}(?:[.,]|$))", whole):
        raise UnitError(f"{text!r}: its digit groups are not thousands")
    value = float(re.sub(r"[.,]", "", whole) + ("." + decimal.group(1) if decimal else ""))
    if value <= 0:
        raise UnitError(f"{text!r} is not a positive price")
    return value, currency
