"""A faithful fake of the part of Replicate's HTTP API that SSELFIE Studio uses.

A real HTTP server on 127.0.0.1: tests start it in-process (``FakeReplicate``), and
``python -m tests.fake_replicate`` runs it for local demos.
"""

from tests.fake_replicate.receiver import WebhookReceiver
from tests.fake_replicate.server import FakeReplicate
from tests.fake_replicate.state import NSFW_ALL, NSFW_ERROR, FakeConfig

__all__ = ["NSFW_ALL", "NSFW_ERROR", "FakeConfig", "FakeReplicate", "WebhookReceiver"]
