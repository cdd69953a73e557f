"""Czech."""

from bot.words.base import Words

WORDS = Words(
    read_more="Číst dále",
    help="Jsem bot, který na {channels} zveřejňuje každý nový článek.\n\n"
    "/latest [počet]: nejnovější články (výchozí {default}, nejvýše {most})\n"
    "/category: kategorie\n"
    "/category název: nejnovější články v kategorii\n"
    "/search slova: články s těmito slovy\n"
    "/help: tato nápověda",
    latest="Nejnovější články",
    none="Zatím tu nejsou žádné články.",
    usage="Použití: /latest [počet], kde počet je 1 až {most}.",
    categories="Vyberte kategorii:",
    no_categories="Zatím tu nejsou žádné kategorie.",
    unknown="Kategorie „{asked}“ neexistuje.",
    did_you_mean="Mysleli jste: {names}?",
    pick="Vyberte si jednu pomocí /category.",
    search_usage="Použití: /search a slova, která hledáte.",
    search_found="Články se slovy „{asked}“",
    search_none="Pro „{asked}“ nebylo nic nalezeno.",
    search_hint="Zkuste méně slov, jiná slova nebo začátek slova; /latest ukáže nejnovější články.",
    search_long="To je hodně slov: hledám nejvýše {most}.",
    flood="Pomalu: posíláte hodně příkazů za sebou. Zkuste to za chvíli znovu.",
    private="O /status mě požádejte v soukromém chatu: tady čtou i ostatní.",
    m_help="Zveřejňuji každý nový článek z {site}. Zmiňte mě a napište:\n"
    "latest [počet]: nejnovější články (výchozí {default}, nejvýše {most})\n"
    "category: kategorie\n"
    "category NÁZEV: nejnovější články v kategorii\n"
    "search SLOVA: články s těmito slovy",
    m_usage="Napište „latest“ s počtem od 1 do {most}.",
    m_categories="Kategorie (napište „category NÁZEV“):",
    m_pick="Napište „category“ a dostanete seznam.",
    m_search="Napište „search“ a jedno až {most} slov.",
    m_found="Články se slovy „{asked}“:",
    m_not_found="Žádné články se slovy „{asked}“.",
    cmd_latest="Nejnovější články",
    cmd_category="Články podle kategorií",
    cmd_search="Hledat v článcích",
    cmd_help="Co tento bot umí",
    cmd_status="Stav zveřejňování (správci)",
    cmd_subscribe="Nové články v tomto chatu",
    cmd_unsubscribe="Už žádné články sem",
    cmd_subscriptions="Co chodí do tohoto chatu",
    subscribe_help="/subscribe: každý nový článek v tomto chatu\n/subscribe název: nové články z kategorie\n/unsubscribe [název|all]: odhlásit\n/subscriptions: co chodí do tohoto chatu",
    subscribe_private="Odběr funguje v soukromém chatu: otevřete se mnou chat a pošlete tam /subscribe.",
    subscribed_all="Hotovo: každý nový článek přijde do tohoto chatu.",
    narrow_pick="Jen některé kategorie? Vyberte je:",
    subscribed="Hotovo: nové články z kategorie {name} budou chodit do tohoto chatu.",
    subscribed_already="To sem už chodí.",
    subscribe_limit="Sledujete tolik kategorií, kolik pro jednoho čtenáře uchovávám: nejdřív jednu odhlaste přes /unsubscribe.",
    unsubscribed="{name} už do tohoto chatu chodit nebude.",
    unsubscribed_all="Hotovo: do tohoto chatu už nic nepřijde.",
    unsubscribe_none="To sem nechodilo.",
    unsubscribe_pick="Co má přestat chodit?",
    all_button="Vše",
    subscriptions_none="Do tohoto chatu zatím nic nechodí: /subscribe pro každý nový článek, /subscribe název pro kategorii.",
    subscriptions_list="Do tohoto chatu chodí:",
    every_post="každý nový článek",
    category_gone="{name} (už není na webu: nic nepřijde, dokud se nevrátí)",
    subscribe_slow="To je hodně změn za sebou: zkuste to znovu za minutu.",
)
