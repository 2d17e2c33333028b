"""The daily digest: what is new, grouped by source, with links back to the real pages."""

from digest.render import DigestFiles, render_digest, write_digest

__all__ = ["DigestFiles", "render_digest", "write_digest"]
