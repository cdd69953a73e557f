"""Italian."""

from bot.words.base import Words

WORDS = Words(
    read_more="Leggi di più",
    help="Sono il bot di {channels}: lì pubblico ogni nuovo articolo.\n\n"
    "/latest [numero]: gli articoli più recenti ({default} se non indicato, al massimo {most})\n"
    "/category: le categorie\n"
    "/category nome: gli articoli più recenti di una categoria\n"
    "/search parole: gli articoli con queste parole\n"
    "/help: questa guida",
    latest="Ultimi articoli",
    none="Non ci sono ancora articoli.",
    usage="Uso: /latest [numero], con un numero da 1 a {most}.",
    categories="Scegli una categoria:",
    no_categories="Non ci sono ancora categorie.",
    unknown="Nessuna categoria «{asked}».",
    did_you_mean="Forse cercavi: {names}?",
    pick="Scegline una con /category.",
    search_usage="Uso: /search seguito dalle parole da cercare.",
    search_found="Articoli con «{asked}»",
    search_none="Nessun risultato per «{asked}».",
    search_hint="Prova con meno parole, con parole diverse o con l’inizio di una parola; /latest mostra gli articoli più recenti.",
    search_long="Sono molte parole: ne cerco al massimo {most}.",
    flood="Piano: sono molti comandi di fila. Riprova tra un momento.",
    private="Chiedimi /status in una chat privata: qui leggono anche altri.",
    m_help="Pubblico ogni nuovo articolo di {site}. Menzionami con:\n"
    "latest [numero]: gli articoli più recenti ({default} se non indicato, al massimo {most})\n"
    "category: le categorie\n"
    "category NOME: gli articoli più recenti di una categoria\n"
    "search PAROLE: gli articoli con queste parole",
    m_usage="Chiedi «latest» con un numero da 1 a {most}.",
    m_categories="Categorie (chiedi «category NOME»):",
    m_pick="Chiedi «category» per l’elenco.",
    m_search="Chiedi «search» con da una a {most} parole.",
    m_found="Articoli con «{asked}»:",
    m_not_found="Nessun articolo con «{asked}».",
    cmd_latest="Gli articoli più recenti",
    cmd_category="Articoli per categoria",
    cmd_search="Cerca negli articoli",
    cmd_help="Cosa fa questo bot",
    cmd_status="Stato della pubblicazione (amministratori)",
    cmd_subscribe="Nuovi articoli in questa chat",
    cmd_unsubscribe="Non ricevere più articoli qui",
    cmd_subscriptions="Cosa arriva in questa chat",
    subscribe_help="/subscribe: ogni nuovo articolo in questa chat\n/subscribe nome: i nuovi articoli di una categoria\n/unsubscribe [nome|all]: smettere di riceverli\n/subscriptions: cosa arriva in questa chat",
    subscribe_private="Le iscrizioni si fanno in una chat privata: apri una chat con me e invia lì /subscribe.",
    subscribed_all="Fatto: ogni nuovo articolo arriverà in questa chat.",
    narrow_pick="Solo alcune categorie? Sceglile:",
    subscribed="Fatto: i nuovi articoli di {name} arriveranno in questa chat.",
    subscribed_already="Lo ricevi già qui.",
    subscribe_limit="Segui tutte le categorie che tengo per un lettore: annulla prima un’iscrizione con /unsubscribe.",
    unsubscribed="{name} non arriverà più in questa chat.",
    unsubscribed_all="Fatto: in questa chat non arriverà più niente.",
    unsubscribe_none="Non lo ricevevi qui.",
    unsubscribe_pick="Cosa deve smettere di arrivare?",
    all_button="Tutto",
    subscriptions_none="In questa chat non arriva ancora niente: /subscribe per ogni nuovo articolo, /subscribe nome per una categoria.",
    subscriptions_list="Cosa arriva in questa chat:",
    every_post="ogni nuovo articolo",
    category_gone="{name} (non è più sul sito: non arriva niente finché non torna)",
    subscribe_slow="Sono molte modifiche di fila: riprova tra un minuto.",
)
