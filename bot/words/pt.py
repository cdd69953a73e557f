"""Portuguese, as written in Brazil (most of Telegram's Portuguese readers)."""

from bot.words.base import Words

WORDS = Words(
    read_more="Leia mais",
    help="Sou o bot de {channels}: publico lá cada novo artigo.\n\n"
    "/latest [número]: os artigos mais recentes ({default} por padrão, no máximo {most})\n"
    "/category: as categorias\n"
    "/category nome: os artigos mais recentes de uma categoria\n"
    "/search palavras: os artigos com essas palavras\n"
    "/help: esta ajuda",
    latest="Últimos artigos",
    none="Ainda não há artigos.",
    usage="Uso: /latest [número], com um número de 1 a {most}.",
    categories="Escolha uma categoria:",
    no_categories="Ainda não há categorias.",
    unknown="Nenhuma categoria “{asked}”.",
    did_you_mean="Você quis dizer: {names}?",
    pick="Escolha uma com /category.",
    search_usage="Uso: /search seguido das palavras que você procura.",
    search_found="Artigos com “{asked}”",
    search_none="Nada encontrado para “{asked}”.",
    search_hint="Tente menos palavras, outras palavras ou o começo de uma palavra; /latest mostra os artigos mais recentes.",
    search_long="São muitas palavras: procuro no máximo {most}.",
    flood="Calma: são muitos comandos seguidos. Tente de novo daqui a pouco.",
    private="Peça /status em uma conversa privada comigo: aqui outras pessoas também leem.",
    m_help="Publico cada novo artigo de {site}. Mencione-me com:\n"
    "latest [número]: os artigos mais recentes ({default} por padrão, no máximo {most})\n"
    "category: as categorias\n"
    "category NOME: os artigos mais recentes de uma categoria\n"
    "search PALAVRAS: artigos com estas palavras",
    m_usage="Peça “latest” com um número de 1 a {most}.",
    m_categories="Categorias (peça “category NOME”):",
    m_pick="Peça “category” para ver a lista.",
    m_search="Peça “search” com uma a {most} palavras.",
    m_found="Artigos com “{asked}”:",
    m_not_found="Nenhum artigo com “{asked}”.",
    cmd_latest="Os artigos mais recentes",
    cmd_category="Artigos por categoria",
    cmd_search="Pesquisar nos artigos",
    cmd_help="O que este bot faz",
    cmd_status="Status da publicação (administradores)",
    cmd_subscribe="Novos artigos nesta conversa",
    cmd_unsubscribe="Parar de receber artigos aqui",
    cmd_subscriptions="O que chega a esta conversa",
    subscribe_help="/subscribe: cada novo artigo nesta conversa\n/subscribe nome: os novos artigos de uma categoria\n/unsubscribe [nome|all]: parar de recebê-los\n/subscriptions: o que chega a esta conversa",
    subscribe_private="As assinaturas são feitas em uma conversa privada: abra uma conversa comigo e envie /subscribe lá.",
    subscribed_all="Pronto: cada novo artigo vai chegar a esta conversa.",
    narrow_pick="Só algumas categorias? Escolha:",
    subscribed="Pronto: os novos artigos de {name} vão chegar a esta conversa.",
    subscribed_already="Isso já chega aqui.",
    subscribe_limit="Você já segue tantas categorias quanto guardo para um leitor: cancele uma com /unsubscribe antes.",
    unsubscribed="{name} não vai mais chegar a esta conversa.",
    unsubscribed_all="Pronto: nada mais vai chegar a esta conversa.",
    unsubscribe_none="Isso não chegava aqui.",
    unsubscribe_pick="O que deve parar?",
    all_button="Tudo",
    subscriptions_none="Ainda não chega nada a esta conversa: /subscribe para cada novo artigo, /subscribe nome para uma categoria.",
    subscriptions_list="O que chega a esta conversa:",
    every_post="cada novo artigo",
    category_gone="{name} (não está mais no site: nada chega até que volte)",
    subscribe_slow="São muitas mudanças seguidas: tente de novo daqui a um minuto.",
)
