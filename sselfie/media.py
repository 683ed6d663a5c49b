"""Answering a request for one private media file: the one place that decides how bytes leave.

By default (media on the local disk) the file is streamed through Django. With media in a
private S3 bucket (S3_BUCKET set), an owner's request is answered with a 302 to a presigned
URL that expires after S3_PRESIGN_SECONDS, so the bytes come from the bucket instead of
tying up a web worker. Public share links never redirect: their bytes are always streamed
by us, so the token is checked on every request and no bucket URL ever reaches a stranger.

Callers have already checked who may see the file; this module only sends it.
"""

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseBase, HttpResponseRedirect
from django.utils.http import content_disposition_header


def presigns() -> bool:
    """Whether media URLs are short-lived signed links (a private S3 bucket)."""
    # Duck-typed so web processes on the local disk never import boto3: only django-storages'
    # S3Storage has querystring_auth, and only with it on is a URL private and fetchable.
    return bool(getattr(default_storage, "querystring_auth", False))


def serve(name: str, *, content_type: str, download_name: str | None = None,
          as_attachment: bool = False, max_age: int = 0,
          public_share: bool = False) -> HttpResponseBase:
    """The response for the stored file `name`, already authorised by the caller.

    `download_name` is the file name the browser shows or saves (never the storage name);
    `max_age` lets the owner's browser keep the image that long (0: never stored);
    `public_share` keeps the bytes flowing through our view, whatever the storage.
    """
    disposition = content_disposition_header(as_attachment, download_name or "") or "inline"
    caching = f"private, max-age={max_age}" if max_age > 0 else "no-store"
    if public_share or not presigns():
        response: HttpResponseBase = FileResponse(default_storage.open(name),
                                              content_type=content_type)
        response["Content-Disposition"] = disposition  # never the storage name
    else:
        expire = settings.S3_PRESIGN_SECONDS
        # S3Storage.url takes these; the base Storage signature in the stubs does not.
        url = default_storage.url(name, expire=expire, parameters={  # type: ignore[call-arg]
            # The bucket answers with our headers, not whatever the object was stored with.
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
            "ResponseCacheControl": caching,
        })
        response = HttpResponseRedirect(url)
        # The redirect may be reused only while the URL it points to still has half its
        # life left; the image behind it then caches under that same URL.
        keep = min(max_age, expire // 2)
        caching = f"private, max-age={keep}" if keep > 0 else "no-store"
    response["Cache-Control"] = caching
    return response
