"""What every check of the guard reads text with: NFKC folding and the CJK ranges."""

from __future__ import annotations

import unicodedata

__all__ = ["CJK", "fold"]

# CJK Unified Ideographs, Extension A and the Compatibility Ideographs, for character classes
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"


def fold(text: str) -> str:
    """NFKC-normalised ``text`` (full-width digits and letters become ASCII); "" for None."""
    return unicodedata.normalize("NFKC", text or "")
