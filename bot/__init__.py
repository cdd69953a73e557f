"""postbode: publish a Jekyll site's new posts to Telegram and Mastodon."""
