"""German."""

from bot.words.base import Words

WORDS = Words(
    read_more="Weiterlesen",
    help="Ich bin der Bot von {channels} und veröffentliche dort jeden neuen Artikel.\n\n"
    "/latest [Anzahl]: die neuesten Artikel (standardmäßig {default}, höchstens {most})\n"
    "/category: die Kategorien\n"
    "/category Name: die neuesten Artikel einer Kategorie\n"
    "/search Wörter: die Artikel mit diesen Wörtern\n"
    "/help: diese Hilfe",
    latest="Neueste Artikel",
    none="Es gibt noch keine Artikel.",
    usage="Verwendung: /latest [Anzahl], mit einer Anzahl von 1 bis {most}.",
    categories="Wählen Sie eine Kategorie:",
    no_categories="Es gibt noch keine Kategorien.",
    unknown="Keine Kategorie „{asked}“.",
    did_you_mean="Meinten Sie: {names}?",
    pick="Wählen Sie eine mit /category.",
    search_usage="Verwendung: /search und die gesuchten Wörter.",
    search_found="Artikel mit „{asked}“",
    search_none="Nichts gefunden für „{asked}“.",
    search_hint="Versuchen Sie weniger oder andere Wörter oder den Anfang eines Wortes; /latest zeigt die neuesten Artikel.",
    search_long="Das sind viele Wörter: Ich suche nach höchstens {most}.",
    flood="Langsam, bitte: Das waren viele Befehle hintereinander. Versuchen Sie es gleich noch einmal.",
    private="Fragen Sie mich nach /status bitte im privaten Chat: Hier lesen andere mit.",
    m_help="Ich veröffentliche jeden neuen Artikel von {site}. Erwähnen Sie mich mit:\n"
    "latest [Anzahl]: die neuesten Artikel (standardmäßig {default}, höchstens {most})\n"
    "category: die Kategorien\n"
    "category NAME: die neuesten Artikel einer Kategorie\n"
    "search WÖRTER: Artikel mit diesen Wörtern",
    m_usage="Fragen Sie „latest“ mit einer Anzahl von 1 bis {most}.",
    m_categories="Kategorien (fragen Sie „category NAME“):",
    m_pick="Fragen Sie „category“ für die Liste.",
    m_search="Fragen Sie „search“ mit einem bis {most} Wörtern.",
    m_found="Artikel mit „{asked}“:",
    m_not_found="Keine Artikel mit „{asked}“.",
    cmd_latest="Die neuesten Artikel",
    cmd_category="Artikel nach Kategorie",
    cmd_search="Artikel durchsuchen",
    cmd_help="Was dieser Bot kann",
    cmd_status="Stand der Veröffentlichung (Admins)",
    cmd_subscribe="Neue Artikel in diesem Chat",
    cmd_unsubscribe="Keine Artikel mehr hier",
    cmd_subscriptions="Was in diesen Chat kommt",
    subscribe_help="/subscribe: jeder neue Artikel in diesem Chat\n/subscribe Name: die neuen Artikel einer Kategorie\n/unsubscribe [Name|all]: abbestellen\n/subscriptions: was in diesen Chat kommt",
    subscribe_private="Abonnieren geht im privaten Chat: Öffne einen Chat mit mir und sende dort /subscribe.",
    subscribed_all="Erledigt: Jeder neue Artikel kommt in diesen Chat.",
    narrow_pick="Lieber nur einige Kategorien? Wähle sie aus:",
    subscribed="Erledigt: Die neuen Artikel in {name} kommen in diesen Chat.",
    subscribed_already="Das kommt hier schon.",
    subscribe_limit="Du folgst so vielen Kategorien, wie ich für einen Leser speichere: Bestelle zuerst eine mit /unsubscribe ab.",
    unsubscribed="{name} kommt nicht mehr in diesen Chat.",
    unsubscribed_all="Erledigt: In diesen Chat kommt nichts mehr.",
    unsubscribe_none="Das kam hier nicht.",
    unsubscribe_pick="Was soll aufhören?",
    all_button="Alles",
    subscriptions_none="In diesen Chat kommt noch nichts: /subscribe für jeden neuen Artikel, /subscribe Name für eine Kategorie.",
    subscriptions_list="Das kommt in diesen Chat:",
    every_post="jeder neue Artikel",
    category_gone="{name} (nicht mehr auf der Website: Es kommt nichts, bis die Kategorie zurück ist)",
    subscribe_slow="Das sind viele Änderungen hintereinander: Versuch es in einer Minute noch einmal.",
)
