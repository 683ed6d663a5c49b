"""Every email the studio sends: HTML and plain text from one pair of templates, absolute
links, and photos embedded inline (CID) so they show without logging in or fetching anything.

Templates live in templates/emails/: `<name>_subject.txt`, `<name>.txt` and `<name>.html`
(which extends emails/base.html). allauth's account emails use the same base through their
own template names (templates/account/email/).
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage as MIMEMessage
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.http import HttpRequest
from django.template.loader import render_to_string
from PIL import Image

PREVIEW_SIDE = 320  # px: sharp in a 160 px wide cell on a 2x screen, small in the inbox


def site_url(request: HttpRequest | None = None) -> str:
    """The studio's address for links in emails: PUBLIC_URL, else the host the request came
    to, else this machine on the port `make run` serves (the worker has no request)."""
    if settings.PUBLIC_URL:
        return settings.PUBLIC_URL
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return settings.FALLBACK_SITE_URL


def absolute(path: str, request: HttpRequest | None = None) -> str:
    return site_url(request) + path


@dataclass(frozen=True)
class InlineImage:
    cid: str  # without angle brackets; the HTML refers to it as src="cid:…"
    jpeg: bytes


def preview(storage_name: str, cid: str) -> InlineImage | None:
    """A small JPEG of one of our stored images (WebP is not shown by every mail client);
    None when the file is gone, so a missing photo never stops an email."""
    try:
        with default_storage.open(storage_name) as fh, Image.open(fh) as original:
            img = original.convert("RGB")
            img.thumbnail((PREVIEW_SIDE, PREVIEW_SIDE * 2))
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=82, optimize=True)
    except (OSError, ValueError):
        return None
    return InlineImage(cid, buf.getvalue())


class StudioEmail(EmailMultiAlternatives):
    """HTML with a plain-text alternative; inline images ride in a multipart/related part
    next to the HTML, which is where mail clients look for cid: references."""

    def __init__(self, *args: Any, inline: Sequence[InlineImage] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inline = list(inline)

    def message(self, *args: Any, **kwargs: Any) -> MIMEMessage:  # Django's own arguments
        msg = super().message(*args, **kwargs)
        html = msg.get_body(("html",)) if self.inline else None
        if html is not None:
            for image in self.inline:
                html.add_related(image.jpeg, "image", "jpeg", cid=f"<{image.cid}>",
                                 disposition="inline",
                                 filename=f"{image.cid.split('@')[0]}.jpg")
        return msg


def render(name: str, context: dict) -> tuple[str, str, str]:
    """(subject, text, html) of templates/emails/<name>*."""
    full = {"site_url": site_url(context.get("request")),
            "contact_email": settings.CONTACT_EMAIL, **context}
    subject = " ".join(render_to_string(f"emails/{name}_subject.txt", full).split())
    return (settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
            render_to_string(f"emails/{name}.txt", full),
            render_to_string(f"emails/{name}.html", full))


def send(name: str, context: dict, to: Sequence[str], *,
         inline: Sequence[InlineImage] = ()) -> None:
    subject, text, html = render(name, context)
    # Replies reach a person: the contact address, not the (often unattended) sender.
    email = StudioEmail(subject, text, None, list(to), inline=inline,
                        reply_to=[settings.CONTACT_EMAIL])
    email.attach_alternative(html, "text/html")
    email.send()
