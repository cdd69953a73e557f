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
    cmd_subscribe="Nieuwe artikelen in deze chat",
    cmd_unsubscribe="Geen artikelen meer hier",
    cmd_subscriptions="Wat er naar deze chat komt",
    subscribe_help="/subscribe: elk nieuw artikel in deze chat\n/subscribe naam: de nieuwe artikelen in een categorie\n/unsubscribe [naam|all]: ermee stoppen\n/subscriptions: wat er naar deze chat komt",
    subscribe_private="Abonneren gaat in een privéchat: open een chat met mij en stuur daar /subscribe.",
    subscribed_all="Klaar: elk nieuw artikel komt naar deze chat.",
    narrow_pick="Liever alleen sommige categorieën? Kies ze:",
    subscribed="Klaar: de nieuwe artikelen in {name} komen naar deze chat.",
    subscribed_already="Dat komt hier al.",
    subscribe_limit="Je volgt al zoveel categorieën als ik voor één lezer bijhoud: zeg er eerst een op met /unsubscribe.",
    unsubscribed="{name} komt niet meer naar deze chat.",
    unsubscribed_all="Klaar: er komt niets meer naar deze chat.",
    unsubscribe_none="Dat kwam hier niet.",
    unsubscribe_pick="Wat moet er stoppen?",
    all_button="Alles",
    subscriptions_none="Er komt nog niets naar deze chat: /subscribe voor elk nieuw artikel, /subscribe naam voor een categorie.",
    subscriptions_list="Dit komt naar deze chat:",
    every_post="elk nieuw artikel",
    category_gone="{name} (niet meer op de site: er komt niets tot de categorie terug is)",
    subscribe_slow="Dat zijn veel wijzigingen achter elkaar: probeer het over een minuut opnieuw.",
)
