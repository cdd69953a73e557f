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
)
