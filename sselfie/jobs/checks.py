"""A start-up check: a wrong REPLICATE_* value stops `make run` with what to set.

Without a token the studio runs with training and creation switched off (the workspace
says so), so only a token with unusable companions is an error.
"""

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks

from sselfie.engines.replicate import config_from_settings, config_problems


@checks.register()
def replicate_settings(app_configs: Sequence[AppConfig] | None = None,
                       **kwargs: Any) -> list[checks.CheckMessage]:
    config = config_from_settings()
    if not config.api_token:
        return []
    return [checks.Error(problem, id="sselfie.E001") for problem in config_problems(config)]
