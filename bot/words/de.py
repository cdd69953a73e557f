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
    cmd_latest="Die neuesten Artikel",
    cmd_category="Artikel nach Kategorie",
    cmd_search="Artikel durchsuchen",
    cmd_help="Was dieser Bot kann",
    cmd_status="Stand der Veröffentlichung (Admins)",
)
