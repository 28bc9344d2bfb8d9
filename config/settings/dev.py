"""Laptop settings: the defaults of base with DEBUG on."""

from config.settings.base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
