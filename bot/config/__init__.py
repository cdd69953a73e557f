"""Settings, read once from the environment and an optional postbode.toml.

This is the only package that reads os.environ (the CLI passes it in). A setting
that is present but wrong raises ConfigError with one line naming the setting.
"""

from bot.config.files import CONFIG_FILE
from bot.config.load import load_settings
from bot.config.settings import ConfigError, MastodonSettings, Settings, TelegramSettings
from bot.words import LANGUAGES  # the languages postbode speaks, LANGUAGE among them

__all__ = [
    "CONFIG_FILE",
    "LANGUAGES",
    "ConfigError",
    "MastodonSettings",
    "Settings",
    "TelegramSettings",
    "load_settings",
]
