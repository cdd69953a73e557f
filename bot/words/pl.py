"""Polish."""

from bot.words.base import Words

WORDS = Words(
    read_more="Czytaj dalej",
    help="Jestem botem, który publikuje na {channels} każdy nowy artykuł.\n\n"
    "/latest [liczba]: najnowsze artykuły (domyślnie {default}, najwyżej {most})\n"
    "/category: kategorie\n"
    "/category nazwa: najnowsze artykuły z kategorii\n"
    "/search słowa: artykuły z tymi słowami\n"
    "/help: ta pomoc",
    latest="Najnowsze artykuły",
    none="Nie ma jeszcze żadnych artykułów.",
    usage="Użycie: /latest [liczba], gdzie liczba to od 1 do {most}.",
    categories="Wybierz kategorię:",
    no_categories="Nie ma jeszcze żadnych kategorii.",
    unknown="Nie ma kategorii „{asked}”.",
    did_you_mean="Czy chodziło o: {names}?",
    pick="Wybierz jedną za pomocą /category.",
    search_usage="Użycie: /search i słowa, których szukasz.",
    search_found="Artykuły ze słowami „{asked}”",
    search_none="Nic nie znaleziono dla „{asked}”.",
    search_hint="Spróbuj mniej słów, innych słów albo początku słowa; /latest pokazuje najnowsze artykuły.",
    search_long="To dużo słów: szukam najwyżej {most}.",
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
    cmd_search="Szukaj w artykułach",
    cmd_help="Co robi ten bot",
    cmd_status="Stan publikacji (administratorzy)",
    cmd_subscribe="Nowe artykuły na tym czacie",
    cmd_unsubscribe="Koniec artykułów tutaj",
    cmd_subscriptions="Co przychodzi na ten czat",
    subscribe_help="/subscribe: każdy nowy artykuł na tym czacie\n/subscribe nazwa: nowe artykuły z kategorii\n/unsubscribe [nazwa|all]: rezygnacja\n/subscriptions: co przychodzi na ten czat",
    subscribe_private="Subskrypcje działają na czacie prywatnym: otwórz czat ze mną i wyślij tam /subscribe.",
    subscribed_all="Gotowe: każdy nowy artykuł przyjdzie na ten czat.",
    narrow_pick="Tylko niektóre kategorie? Wybierz je:",
    subscribed="Gotowe: nowe artykuły z kategorii {name} przyjdą na ten czat.",
    subscribed_already="To już tu przychodzi.",
    subscribe_limit="Obserwujesz tyle kategorii, ile przechowuję dla jednego czytelnika: najpierw zrezygnuj z jednej przez /unsubscribe.",
    unsubscribed="{name} nie będzie już przychodzić na ten czat.",
    unsubscribed_all="Gotowe: na ten czat nic już nie przyjdzie.",
    unsubscribe_none="To tu nie przychodziło.",
    unsubscribe_pick="Co ma przestać przychodzić?",
    all_button="Wszystko",
    subscriptions_none="Na ten czat nic jeszcze nie przychodzi: /subscribe, aby dostawać każdy nowy artykuł, /subscribe nazwa dla kategorii.",
    subscriptions_list="Na ten czat przychodzi:",
    every_post="każdy nowy artykuł",
    category_gone="{name} (już nie ma tej kategorii w serwisie: nic nie przyjdzie, dopóki nie wróci)",
    subscribe_slow="To dużo zmian naraz: spróbuj ponownie za minutę.",
)
