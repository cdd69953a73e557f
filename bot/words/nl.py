"""Dutch."""

from bot.words.base import Words

WORDS = Words(
    read_more="Lees verder",
    help="Ik ben de bot van {channels}: ik plaats daar elk nieuw bericht.\n\n"
    "/latest [aantal]: de nieuwste berichten (standaard {default}, hoogstens {most})\n"
    "/category: de categorieën\n"
    "/category naam: de nieuwste berichten in een categorie\n"
    "/help: deze uitleg",
    latest="Nieuwste berichten",
    none="Er zijn nog geen berichten.",
    usage="Gebruik: /latest [aantal], met een aantal van 1 tot {most}.",
    categories="Kies een categorie:",
    no_categories="Er zijn nog geen categorieën.",
    unknown="Geen categorie «{asked}».",
    did_you_mean="Bedoel je: {names}?",
    pick="Kies er een met /category.",
    flood="Rustig aan: je stuurt veel opdrachten achter elkaar. Probeer het zo nog eens.",
    private="Vraag /status in een privégesprek met mij: hier lezen anderen mee.",
    cmd_latest="De nieuwste berichten",
    cmd_category="Berichten per categorie",
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
