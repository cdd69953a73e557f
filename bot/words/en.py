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
    cmd_subscribe="New articles in this chat",
    cmd_unsubscribe="Stop articles here",
    cmd_subscriptions="What comes to this chat",
    subscribe_help="/subscribe: every new article in this chat\n/subscribe name: the new articles in a category\n/unsubscribe [name|all]: stop them\n/subscriptions: what comes to this chat",
    subscribe_private="Subscriptions are for private chats: open a chat with me and send /subscribe there.",
    subscribed_all="Done: every new article comes to this chat.",
    narrow_pick="Only some categories? Pick them:",
    subscribed="Done: the new articles in {name} come to this chat.",
    subscribed_already="That comes here already.",
    subscribe_limit="You follow as many categories as I keep for one reader: /unsubscribe one first.",
    unsubscribed="{name} no longer comes to this chat.",
    unsubscribed_all="Done: nothing more comes to this chat.",
    unsubscribe_none="That was not coming here.",
    unsubscribe_pick="What should stop?",
    all_button="All",
    subscriptions_none="Nothing comes to this chat yet: /subscribe for every new article, /subscribe name for a category.",
    subscriptions_list="What comes to this chat:",
    every_post="every new article",
    category_gone="{name} (no longer on the site: nothing comes until it is back)",
    subscribe_slow="That is a lot of changes in a row: try again in a minute.",
)
