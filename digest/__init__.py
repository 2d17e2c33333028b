"""The daily digest: one model of stories (near-duplicate articles merged, zh/en versions linked,
new today or also found, themed), rendered as HTML, Markdown, JSON Feed and Atom, and e-mailed."""

from digest.model import Digest, DigestItem, DigestSection, SourceCheck, Story, StoryLink
from digest.render import FORMATS, DigestFiles, render_digest, render_format, write_digest, write_digest_files
from digest.stories import build_digest_model

__all__ = [
    "FORMATS",
    "Digest",
    "DigestFiles",
    "DigestItem",
    "DigestSection",
    "SourceCheck",
    "Story",
    "StoryLink",
    "build_digest_model",
    "render_digest",
    "render_format",
    "write_digest",
    "write_digest_files",
]
