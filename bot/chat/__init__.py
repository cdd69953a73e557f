"""Readers' chat: the Telegram bot's commands, their answers and flood control."""
