"""English."""

from bot.words.base import Words

WORDS = Words(
    read_more="Read more",
    help="I am the bot of {channels}: I post every new article there.\n\n"
    "/latest [count]: the newest articles ({default} by default, at most {most})\n"
    "/category: the categories\n"
    "/category name: the newest articles in a category\n"
    "/search words: the articles with these words\n"
    "/help: this text",
    latest="Newest articles",
    none="There are no articles yet.",
    usage="Usage: /latest [count], with a count from 1 to {most}.",
    categories="Pick a category:",
    no_categories="There are no categories yet.",
    unknown="No category “{asked}”.",
    did_you_mean="Did you mean: {names}?",
    pick="Pick one with /category.",
    search_usage="Usage: /search followed by the words to look for.",
    search_found="Articles with “{asked}”",
    search_none="Nothing found for “{asked}”.",
    search_hint="Try fewer or other words, or the start of a word; /latest shows the newest articles.",
    search_long="That is a lot of words: I look for at most {most}.",
    flood="Easy now: that is a lot of commands in a row. Try again in a moment.",
    private="Ask me for /status in a private chat: others read along here.",
    m_help="I post every new article of {site}. Mention me with:\n"
    "latest [count]: the newest articles ({default} by default, at most {most})\n"
    "category: the categories\n"
    "category NAME: the newest articles in a category\n"
    "search WORDS: articles with these words",
    m_usage="Ask “latest” with a count from 1 to {most}.",
    m_categories="Categories (ask “category NAME”):",
    m_pick="Ask “category” for the list.",
    m_search="Ask “search” with one to {most} words.",
    m_found="Articles with “{asked}”:",
    m_not_found="No articles with “{asked}”.",
    cmd_latest="The newest articles",
    cmd_category="Articles by category",
    cmd_search="Search the articles",
    cmd_help="What this bot does",
    cmd_status="Publishing status (admins)",
)
