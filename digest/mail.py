"""The digest as an e-mail: recipients (a TOML file) with their filters, and one message per
recipient (an HTML part and a plain-text part). Sending, and remembering what was sent, is the
application's (policywatch/digests.py) and the Airflow integration's business.

Recipients file (POLICYWATCH_DIGEST_RECIPIENTS)::

    [[recipient]]
    address = "analyst@example.org"
    name = "An Analyst"                # optional
    sources = ["kjj_cq", "ichongqing"] # optional: only stories with a link from these sources
    themes = ["talent", "funding"]     # optional: only stories of these themes
    languages = ["zh"]                 # optional: only stories with a link in these languages
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path

from digest.model import Digest, Story
from digest.render import render_html, render_text

_FIELDS = {"address", "name", "sources", "themes", "languages"}


class RecipientsError(ValueError):
    """The recipients file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str | None = None
    sources: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def wants(self, story: Story) -> bool:
        if self.sources and not set(self.sources) & set(story.source_ids):
            return False
        if self.themes and not set(self.themes) & set(story.themes):
            return False
        return not self.languages or bool(set(self.languages) & set(story.languages))

    @property
    def filters(self) -> str:
        parts = [
            f"{what}: {', '.join(values)}"
            for what, values in (("sources", self.sources), ("themes", self.themes), ("languages", self.languages))
            if values
        ]
        return "; ".join(parts)


def _strings(path: Path, number: int, entry: dict, key: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise RecipientsError(f"{path}: recipient {number}: {key} must be a list of strings")
    return tuple(value)


def load_recipients(path: Path, *, theme_ids: set[str] | None = None) -> list[Recipient]:
    """The recipients in file order; unknown keys, bad addresses, duplicate addresses and
    (given ``theme_ids``) unknown themes are refused."""
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("recipient", [])
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RecipientsError(f"{path}: {exc}") from None
    recipients: list[Recipient] = []
    for number, entry in enumerate(entries, 1):
        unknown = set(entry) - _FIELDS
        if unknown:
            raise RecipientsError(f"{path}: recipient {number}: unknown key(s) {', '.join(sorted(unknown))}")
        address = str(entry.get("address", "")).strip()
        if "@" not in parseaddr(address)[1] or any(c.isspace() for c in address):
            raise RecipientsError(f"{path}: recipient {number}: address {address!r} is not an e-mail address")
        if address.lower() in {r.address.lower() for r in recipients}:
            raise RecipientsError(f"{path}: recipient {number}: {address} is listed twice")
        recipient = Recipient(
            address=address,
            name=str(entry["name"]) if entry.get("name") else None,
            sources=_strings(path, number, entry, "sources"),
            themes=_strings(path, number, entry, "themes"),
            languages=_strings(path, number, entry, "languages"),
        )
        if theme_ids is not None and set(recipient.themes) - theme_ids:
            bad = ", ".join(sorted(set(recipient.themes) - theme_ids))
            raise RecipientsError(f"{path}: recipient {number}: unknown theme(s) {bad}")
        recipients.append(recipient)
    return recipients


def digest_for(digest: Digest, recipient: Recipient) -> Digest:
    """The recipient's digest: the stories its filters keep, the header's sources narrowed to
    its sources (troubled ones included)."""
    stories = tuple(s for s in digest.stories if recipient.wants(s))
    sources = tuple(line for line in digest.sources if not recipient.sources or line.source_id in recipient.sources)
    return replace(digest, stories=stories, sources=sources)


def subject(digest: Digest) -> str:
    new = len(digest.new_stories)
    text = f"policywatch digest {digest.label}: {new} new {'story' if new == 1 else 'stories'}"
    if digest.also_found:
        text += f", {len(digest.also_found)} also found"
    if digest.troubled_sources:
        text += (
            f" ({len(digest.troubled_sources)} source{'s' if len(digest.troubled_sources) > 1 else ''} with problems)"
        )
    return text


def digest_message(digest: Digest, recipient: Recipient, sender: str) -> EmailMessage:
    """One recipient's message: plain text first, the HTML digest as the preferred alternative."""
    message = EmailMessage()
    message["Subject"] = subject(digest)
    message["From"] = sender
    message["To"] = formataddr((recipient.name, recipient.address)) if recipient.name else recipient.address
    message["Date"] = format_datetime(digest.generated_at)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "policywatch.invalid"
    message["Message-ID"] = make_msgid(idstring=f"digest.{digest.first_day.isoformat()}", domain=domain)
    message.set_content(render_text(digest), subtype="plain", charset="utf-8")
    message.add_alternative(render_html(digest), subtype="html", charset="utf-8")
    return message
