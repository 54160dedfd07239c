"""Make ``wqy-microhei-gb2312.ttf``: WenQuanYi Micro Hei cut down to the characters that
street names and labels of a Chinese city need, so pictures read right without a system
CJK font.

Kept: every character of GB2312 (its 6,763 hanzi and its symbol rows, enumerated by decoding
every two-byte code with Python's ``gb2312`` codec), ASCII, Latin-1 and Latin Extended-A (for
names like "São Paulo"), general punctuation, CJK symbols and punctuation, and the halfwidth
and fullwidth forms. The first face of the collection (the proportional one, not "Mono") is
kept; its family is renamed (see :data:`FAMILY`) so it is never taken for the full font.

Run it with the font of Debian's ``fonts-wqy-microhei`` (``apt-get download
fonts-wqy-microhei && dpkg-deb -x fonts-wqy-microhei_*.deb root``, or an installed copy)::

    python solver/outputs/assets/make_font.py /usr/share/fonts/truetype/wqy/wqy-microhei.ttc

The result is the same file for the same source font (fontTools and this script's options).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

HERE = Path(__file__).resolve().parent
OUT = HERE / "wqy-microhei-gb2312.ttf"
FAMILY = "WenQuanYi Micro Hei GB2312"
SOURCE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")

RANGES = (
    (0x20, 0x7E),  # ASCII
    (0xA0, 0x17F),  # Latin-1 supplement, Latin Extended-A
    (0x2000, 0x206F),  # general punctuation
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0xFF00, 0xFFEF),  # halfwidth and fullwidth forms
)


def gb2312_chars() -> list[str]:
    """Every character GB2312 encodes in two bytes (rows 0xA1-0xF7), in code order."""
    out = []
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                out.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return out


def gb2312_hanzi() -> list[str]:
    """The 6,763 hanzi of GB2312 (codes 0xB0A1-0xF7FE; level 1 is 0xB0A1-0xD7F9)."""
    return [c for c in gb2312_chars() if c.encode("gb2312")[0] >= 0xB0]


def codepoints() -> set[int]:
    keep = {ord(c) for c in gb2312_chars()}
    for lo, hi in RANGES:
        keep |= set(range(lo, hi + 1))
    return keep


def _rename(font: TTFont) -> None:
    """The family and full names (1, 4, 16, 18) and the PostScript name (6) say it is this
    subset; the copyright, licence and designer names are kept."""
    name = font["name"]
    for record in list(name.names):
        if record.nameID in (1, 4, 16, 18):
            record.string = FAMILY
        elif record.nameID == 6:
            record.string = FAMILY.replace(" ", "")
        elif record.nameID == 3:
            record.string = f"{FAMILY}; subset of WenQuanYi Micro Hei 0.2.0-beta"


def make(source: Path = SOURCE, out: Path = OUT) -> Path:
    if source.suffix.lower() == ".ttc":
        font = TTCollection(str(source), recalcTimestamp=False).fonts[0]
    else:
        font = TTFont(str(source), recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(codepoints()))
    subsetter.subset(font)
    _rename(font)
    font.save(str(out))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path, nargs="?", default=SOURCE,
                        help="wqy-microhei.ttc (Debian fonts-wqy-microhei)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    path = make(args.source, args.out)
    print(f"{path}: {path.stat().st_size / 1e6:.2f} MB, {len(gb2312_hanzi())} GB2312 hanzi")


if __name__ == "__main__":
    main()
