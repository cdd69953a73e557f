"""Chinese, in Simplified characters."""

from bot.words.base import Words

WORDS = Words(
    read_more="阅读全文",
    help="我是 {channels} 的机器人：每篇新文章都会发布在那里。\n\n"
    "/latest [数量]：最新文章（默认 {default} 篇，最多 {most} 篇）\n"
    "/category：所有分类\n"
    "/category 名称：某个分类的最新文章\n"
    "/search 关键词：包含这些词的文章\n"
    "/help：本帮助",
    latest="最新文章",
    none="还没有文章。",
    usage="用法：/latest [数量]，数量为 1 到 {most}。",
    categories="请选择分类：",
    no_categories="还没有分类。",
    unknown="没有名为“{asked}”的分类。",
    did_you_mean="您是不是要找：{names}？",
    pick="请用 /category 选择一个分类。",
    search_usage="用法：/search 加上要查找的词。",
    search_found="包含“{asked}”的文章",
    search_none="没有找到与“{asked}”相关的内容。",
    search_hint="请尝试更少或不同的词，或词的开头；/latest 显示最新文章。",
    search_long="词太多了：最多查找 {most} 个词。",
    flood="请慢一点：您连续发送了太多命令，请稍后再试。",
    private="请在与我的私聊中发送 /status：这里还有其他人在看。",
    m_help="我发布 {site} 的每篇新文章。提及我并写上：\n"
    "latest [数量]：最新文章（默认 {default} 篇，最多 {most} 篇）\n"
    "category：所有分类\n"
    "category 名称：某个分类的最新文章\n"
    "search 词语：包含这些词语的文章",
    m_usage="请写“latest”加上 1 到 {most} 之间的数量。",
    m_categories="分类（写“category 名称”查看）：",
    m_pick="写“category”查看分类列表。",
    m_search="请写“search”加上 1 到 {most} 个词语。",
    m_found="包含“{asked}”的文章：",
    m_not_found="没有包含“{asked}”的文章。",
    cmd_latest="最新文章",
    cmd_category="按分类浏览文章",
    cmd_search="搜索文章",
    cmd_help="这个机器人能做什么",
    cmd_status="发布状态（管理员）",
    cmd_subscribe="在此聊天中接收新文章",
    cmd_unsubscribe="不再在这里接收文章",
    cmd_subscriptions="这个聊天会收到什么",
    subscribe_help="/subscribe：每篇新文章都发到这个聊天\n/subscribe 名称：某个分类的新文章\n/unsubscribe [名称|all]：取消订阅\n/subscriptions：这个聊天会收到什么",
    subscribe_private="订阅需要在私聊中进行：请打开与我的聊天，并在那里发送 /subscribe。",
    subscribed_all="好了：每篇新文章都会发到这个聊天。",
    narrow_pick="只要部分分类？请选择：",
    subscribed="好了：{name} 的新文章会发到这个聊天。",
    subscribed_already="这里已经会收到了。",
    subscribe_limit="您关注的分类已达到我为每位读者保存的上限：请先用 /unsubscribe 取消一个。",
    unsubscribed="{name} 不会再发到这个聊天。",
    unsubscribed_all="好了：这个聊天不会再收到任何内容。",
    unsubscribe_none="这里本来就没有收到。",
    unsubscribe_pick="要停止哪一项？",
    all_button="全部",
    subscriptions_none="这个聊天还不会收到任何内容：/subscribe 接收每篇新文章，/subscribe 名称 接收某个分类。",
    subscriptions_list="这个聊天会收到：",
    every_post="每篇新文章",
    category_gone="{name}（已不在网站上：在它回来之前不会收到任何内容）",
    subscribe_slow="连续更改太多次了：请一分钟后再试。",
)
