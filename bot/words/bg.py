"""Bulgarian."""

from bot.words.base import Words

WORDS = Words(
    read_more="Прочетете още",
    help="Аз съм ботът, който публикува всяка нова статия в {channels}.\n\n"
    "/latest [брой]: най-новите статии (по подразбиране {default}, най-много {most})\n"
    "/category: категориите\n"
    "/category име: най-новите статии в категория\n"
    "/help: тази помощ",
    latest="Най-нови статии",
    none="Все още няма статии.",
    usage="Употреба: /latest [брой], с брой от 1 до {most}.",
    categories="Изберете категория:",
    no_categories="Все още няма категории.",
    unknown="Няма категория „{asked}“.",
    did_you_mean="Може би имахте предвид: {names}?",
    pick="Изберете една с /category.",
    flood="По-бавно: изпращате много команди една след друга. Опитайте отново след малко.",
    private="Поискайте /status в личен чат с мен: тук четат и други.",
    cmd_latest="Най-новите статии",
    cmd_category="Статии по категории",
    cmd_help="Какво прави този бот",
    cmd_status="Състояние на публикуването (администратори)",
    cmd_subscribe="Нови статии в този чат",
    cmd_unsubscribe="Без повече статии тук",
    cmd_subscriptions="Какво идва в този чат",
    subscribe_help="/subscribe: всяка нова статия в този чат\n/subscribe име: новите статии от категория\n/unsubscribe [име|all]: отписване\n/subscriptions: какво идва в този чат",
    subscribe_private="Абонаментите са в личен чат: отворете чат с мен и изпратете там /subscribe.",
    subscribed_all="Готово: всяка нова статия ще идва в този чат.",
    narrow_pick="Само някои категории? Изберете ги:",
    subscribed="Готово: новите статии от {name} ще идват в този чат.",
    subscribed_already="Това вече идва тук.",
    subscribe_limit="Следите толкова категории, колкото пазя за един читател: първо се отпишете от една с /unsubscribe.",
    unsubscribed="{name} вече няма да идва в този чат.",
    unsubscribed_all="Готово: в този чат няма да идва нищо повече.",
    unsubscribe_none="Това не идваше тук.",
    unsubscribe_pick="Какво да спре?",
    all_button="Всичко",
    subscriptions_none="В този чат още не идва нищо: /subscribe за всяка нова статия, /subscribe име за категория.",
    subscriptions_list="В този чат идва:",
    every_post="всяка нова статия",
    category_gone="{name} (вече я няма в сайта: нищо няма да идва, докато не се върне)",
    subscribe_slow="Това са много промени една след друга: опитайте отново след минута.",
)
