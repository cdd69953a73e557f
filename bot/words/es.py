"""Spanish."""

from bot.words.base import Words

WORDS = Words(
    read_more="Leer más",
    help="Soy el bot de {channels}: allí publico cada artículo nuevo.\n\n"
    "/latest [número]: los artículos más recientes ({default} por defecto, {most} como máximo)\n"
    "/category: las categorías\n"
    "/category nombre: los artículos más recientes de una categoría\n"
    "/search palabras: los artículos con estas palabras\n"
    "/help: esta ayuda",
    latest="Últimos artículos",
    none="Todavía no hay artículos.",
    usage="Uso: /latest [número], con un número del 1 al {most}.",
    categories="Elige una categoría:",
    no_categories="Todavía no hay categorías.",
    unknown="No hay ninguna categoría «{asked}».",
    did_you_mean="¿Quisiste decir: {names}?",
    pick="Elige una con /category.",
    search_usage="Uso: /search seguido de las palabras que buscas.",
    search_found="Artículos con «{asked}»",
    search_none="No se ha encontrado nada para «{asked}».",
    search_hint="Prueba con menos palabras, con otras o con el principio de una palabra; /latest muestra los artículos más recientes.",
    search_long="Son muchas palabras: busco como máximo {most}.",
    flood="Más despacio: son muchos comandos seguidos. Inténtalo de nuevo en un momento.",
    private="Pídeme /status en un chat privado: aquí también leen otras personas.",
    m_help="Publico cada artículo nuevo de {site}. Mencióname con:\n"
    "latest [número]: los artículos más recientes ({default} por defecto, {most} como máximo)\n"
    "category: las categorías\n"
    "category NOMBRE: los artículos más recientes de una categoría\n"
    "search PALABRAS: artículos con estas palabras",
    m_usage="Pide «latest» con un número del 1 al {most}.",
    m_categories="Categorías (pide «category NOMBRE»):",
    m_pick="Pide «category» para ver la lista.",
    m_search="Pide «search» con entre una y {most} palabras.",
    m_found="Artículos con «{asked}»:",
    m_not_found="No hay artículos con «{asked}».",
    cmd_latest="Los artículos más recientes",
    cmd_category="Artículos por categoría",
    cmd_search="Buscar en los artículos",
    cmd_help="Qué hace este bot",
    cmd_status="Estado de la publicación (administradores)",
    cmd_subscribe="Artículos nuevos en este chat",
    cmd_unsubscribe="Dejar de recibir artículos aquí",
    cmd_subscriptions="Lo que llega a este chat",
    subscribe_help="/subscribe: cada artículo nuevo en este chat\n/subscribe nombre: los artículos nuevos de una categoría\n/unsubscribe [nombre|all]: dejar de recibirlos\n/subscriptions: lo que llega a este chat",
    subscribe_private="Las suscripciones son en un chat privado: abre un chat conmigo y envía /subscribe allí.",
    subscribed_all="Hecho: cada artículo nuevo llegará a este chat.",
    narrow_pick="¿Solo algunas categorías? Elígelas:",
    subscribed="Hecho: los artículos nuevos de {name} llegarán a este chat.",
    subscribed_already="Eso ya te llega aquí.",
    subscribe_limit="Sigues tantas categorías como guardo para un lector: cancela primero una con /unsubscribe.",
    unsubscribed="{name} ya no llegará a este chat.",
    unsubscribed_all="Hecho: ya no llegará nada a este chat.",
    unsubscribe_none="Eso no te llegaba aquí.",
    unsubscribe_pick="¿Qué debe dejar de llegar?",
    all_button="Todo",
    subscriptions_none="Todavía no llega nada a este chat: /subscribe para cada artículo nuevo, /subscribe nombre para una categoría.",
    subscriptions_list="Lo que llega a este chat:",
    every_post="cada artículo nuevo",
    category_gone="{name} (ya no está en el sitio: no llegará nada hasta que vuelva)",
    subscribe_slow="Son muchos cambios seguidos: inténtalo de nuevo dentro de un minuto.",
)
