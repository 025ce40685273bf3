"""Typed keys for what the aiohttp application holds (aiohttp's `web.AppKey`)."""

from __future__ import annotations

from aiohttp import web

from api.config import Settings
from db import Store
from monitor.netguard import Lookup

SETTINGS = web.AppKey("settings", Settings)
STORE = web.AppKey("store", Store)
# How POST /sites and webhook targets resolve names (monitor.netguard.Lookup); tests inject one.
LOOKUP: web.AppKey[Lookup] = web.AppKey("target_lookup")
