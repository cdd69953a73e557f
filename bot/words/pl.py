"""Polish."""

from bot.words.base import Words

WORDS = Words(
    read_more="Czytaj dalej",
    help="Jestem botem, który publikuje na {channels} każdy nowy artykuł.\n\n"
    "/latest [liczba]: najnowsze artykuły (domyślnie {default}, najwyżej {most})\n"
    "/category: kategorie\n"
    "/category nazwa: najnowsze artykuły z kategorii\n"
    "/help: ta pomoc",
    latest="Najnowsze artykuły",
    none="Nie ma jeszcze żadnych artykułów.",
    usage="Użycie: /latest [liczba], gdzie liczba to od 1 do {most}.",
    categories="Wybierz kategorię:",
    no_categories="Nie ma jeszcze żadnych kategorii.",
    unknown="Nie ma kategorii „{asked}”.",
    did_you_mean="Czy chodziło o: {names}?",
    pick="Wybierz jedną za pomocą /category.",
    flood="Spokojnie: to dużo poleceń naraz. Spróbuj ponownie za chwilę.",
    private="O /status zapytaj mnie na czacie prywatnym: tutaj czytają też inni.",
    m_help="Publikuję każdy nowy artykuł z {site}. Wspomnij mnie, pisząc:\n"
    "latest [liczba]: najnowsze artykuły (domyślnie {default}, najwyżej {most})\n"
    "category: kategorie\n"
    "category NAZWA: najnowsze artykuły z kategorii\n"
    "search SŁOWA: artykuły z tymi słowami",
    m_usage="Napisz „latest” z liczbą od 1 do {most}.",
    m_categories="Kategorie (napisz „category NAZWA”):",
    m_pick="Napisz „category”, aby zobaczyć listę.",
    m_search="Napisz „search” i od jednego do {most} słów.",
    m_found="Artykuły ze słowami „{asked}”:",
    m_not_found="Brak artykułów ze słowami „{asked}”.",
    cmd_latest="Najnowsze artykuły",
    cmd_category="Artykuły według kategorii",
    cmd_help="Co robi ten bot",
    cmd_status="Stan publikacji (administratorzy)",
)
