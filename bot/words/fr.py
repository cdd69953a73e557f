"""French. Before : ? and inside « » a no-break space (U+00A0), as French typesetting has it."""

from bot.words.base import Words

WORDS = Words(
    read_more="Lire la suite",
    help="Je suis le bot de {channels}\u00a0: j’y publie chaque nouvel article.\n\n"
    "/latest [nombre]\u00a0: les derniers articles ({default} par défaut, {most} au maximum)\n"
    "/category\u00a0: les catégories\n"
    "/category nom\u00a0: les derniers articles d’une catégorie\n"
    "/search mots\u00a0: les articles contenant ces mots\n"
    "/help\u00a0: cette aide",
    latest="Derniers articles",
    none="Il n’y a pas encore d’articles.",
    usage="Utilisation\u00a0: /latest [nombre], avec un nombre de 1 à {most}.",
    categories="Choisissez une catégorie\u00a0:",
    no_categories="Il n’y a pas encore de catégories.",
    unknown="Aucune catégorie «\u00a0{asked}\u00a0».",
    did_you_mean="Vouliez-vous dire\u00a0: {names}\u00a0?",
    pick="Choisissez-en une avec /category.",
    search_usage="Utilisation\u00a0: /search suivi des mots à chercher.",
    search_found="Articles avec «\u00a0{asked}\u00a0»",
    search_none="Rien trouvé pour «\u00a0{asked}\u00a0».",
    search_hint="Essayez moins de mots, d’autres mots ou le début d’un mot\u00a0; /latest affiche les derniers articles.",
    search_long="Cela fait beaucoup de mots\u00a0: j’en cherche {most} au plus.",
    flood="Doucement\u00a0: cela fait beaucoup de commandes d’affilée. Réessayez dans un instant.",
    private="Demandez-moi /status en message privé\u00a0: ici, d’autres lisent aussi.",
    m_help="Je publie chaque nouvel article de {site}. Mentionnez-moi avec\u00a0:\n"
    "latest [nombre]\u00a0: les derniers articles ({default} par défaut, {most} au maximum)\n"
    "category\u00a0: les catégories\n"
    "category NOM\u00a0: les derniers articles d’une catégorie\n"
    "search MOTS\u00a0: les articles avec ces mots",
    m_usage="Demandez «\u00a0latest\u00a0» avec un nombre de 1 à {most}.",
    m_categories="Catégories (demandez «\u00a0category NOM\u00a0»)\u00a0:",
    m_pick="Demandez «\u00a0category\u00a0» pour la liste.",
    m_search="Demandez «\u00a0search\u00a0» avec un à {most} mots.",
    m_found="Articles avec «\u00a0{asked}\u00a0»\u00a0:",
    m_not_found="Aucun article avec «\u00a0{asked}\u00a0».",
    cmd_latest="Les derniers articles",
    cmd_category="Les articles par catégorie",
    cmd_search="Chercher dans les articles",
    cmd_help="Ce que fait ce bot",
    cmd_status="État de la publication (admins)",
    cmd_subscribe="Les nouveaux articles dans ce chat",
    cmd_unsubscribe="Ne plus recevoir d’articles ici",
    cmd_subscriptions="Ce qui arrive dans ce chat",
    subscribe_help="/subscribe\xa0: chaque nouvel article dans ce chat\n/subscribe nom\xa0: les nouveaux articles d’une catégorie\n/unsubscribe [nom|all]\xa0: arrêter\n/subscriptions\xa0: ce qui arrive dans ce chat",
    subscribe_private="Les abonnements se font en message privé\xa0: ouvrez une conversation avec moi et envoyez-y /subscribe.",
    subscribed_all="C’est fait\xa0: chaque nouvel article arrivera dans ce chat.",
    narrow_pick="Seulement certaines catégories\xa0? Choisissez-les\xa0:",
    subscribed="C’est fait\xa0: les nouveaux articles de {name} arriveront dans ce chat.",
    subscribed_already="Vous le recevez déjà ici.",
    subscribe_limit="Vous suivez autant de catégories que j’en garde pour un lecteur\xa0: désabonnez-vous d’abord d’une avec /unsubscribe.",
    unsubscribed="{name} n’arrivera plus dans ce chat.",
    unsubscribed_all="C’est fait\xa0: plus rien n’arrivera dans ce chat.",
    unsubscribe_none="Vous ne le receviez pas ici.",
    unsubscribe_pick="Qu’est-ce qui doit s’arrêter\xa0?",
    all_button="Tout",
    subscriptions_none="Rien n’arrive encore dans ce chat\xa0: /subscribe pour chaque nouvel article, /subscribe nom pour une catégorie.",
    subscriptions_list="Ce qui arrive dans ce chat\xa0:",
    every_post="chaque nouvel article",
    category_gone="{name} (n’est plus sur le site\xa0: rien n’arrive tant qu’elle n’est pas de retour)",
    subscribe_slow="Cela fait beaucoup de changements d’affilée\xa0: réessayez dans une minute.",
)
