"""Dutch."""

from bot.words.base import Words

WORDS = Words(
    read_more="Lees verder",
    help="Ik ben de bot van {channels}: ik plaats daar elk nieuw bericht.\n\n"
    "/latest [aantal]: de nieuwste berichten (standaard {default}, hoogstens {most})\n"
    "/category: de categorieën\n"
    "/category naam: de nieuwste berichten in een categorie\n"
    "/search woorden: de berichten met deze woorden\n"
    "/help: deze uitleg",
    latest="Nieuwste berichten",
    none="Er zijn nog geen berichten.",
    usage="Gebruik: /latest [aantal], met een aantal van 1 tot {most}.",
    categories="Kies een categorie:",
    no_categories="Er zijn nog geen categorieën.",
    unknown="Geen categorie «{asked}».",
    did_you_mean="Bedoel je: {names}?",
    pick="Kies er een met /category.",
    search_usage="Gebruik: /search met de woorden die je zoekt.",
    search_found="Berichten met «{asked}»",
    search_none="Niets gevonden voor «{asked}».",
    search_hint="Probeer minder of andere woorden, of het begin van een woord; /latest toont de nieuwste berichten.",
    search_long="Dat zijn veel woorden: ik zoek er hoogstens {most}.",
    flood="Rustig aan: je stuurt veel opdrachten achter elkaar. Probeer het zo nog eens.",
    private="Vraag /status in een privégesprek met mij: hier lezen anderen mee.",
    m_help="Ik plaats elk nieuw bericht van {site}. Noem mij met:\n"
    "latest [aantal]: de nieuwste berichten (standaard {default}, hoogstens {most})\n"
    "categorie: de categorieën\n"
    "categorie NAAM: de nieuwste berichten in een categorie\n"
    "zoek WOORDEN: berichten met deze woorden",
    m_usage="Vraag «latest» met een aantal van 1 tot {most}.",
    m_categories="Categorieën (vraag «categorie NAAM»):",
    m_pick="Vraag «categorie» voor de lijst.",
    m_search="Vraag «zoek» met een tot {most} woorden.",
    m_found="Berichten met «{asked}»:",
    m_not_found="Geen berichten met «{asked}».",
    cmd_latest="De nieuwste berichten",
    cmd_category="Berichten per categorie",
    cmd_search="Zoeken in de berichten",
    cmd_help="Wat deze bot doet",
    cmd_status="Stand van de publicatie (beheer)",
)
