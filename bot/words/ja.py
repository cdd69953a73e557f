"""Japanese."""

from bot.words.base import Words

WORDS = Words(
    read_more="続きを読む",
    help="{channels} に新しい記事をすべて投稿するボットです。\n\n"
    "/latest [件数]: 最新の記事（既定は{default}件、最大{most}件）\n"
    "/category: カテゴリーの一覧\n"
    "/category 名前: そのカテゴリーの最新の記事\n"
    "/search 言葉: その言葉を含む記事\n"
    "/help: このヘルプ",
    latest="最新の記事",
    none="まだ記事はありません。",
    usage="使い方: /latest [件数]（件数は1〜{most}）",
    categories="カテゴリーを選んでください。",
    no_categories="まだカテゴリーはありません。",
    unknown="「{asked}」というカテゴリーはありません。",
    did_you_mean="もしかして: {names}",
    pick="/category で選んでください。",
    search_usage="使い方：/search のあとに探したい言葉を入れてください。",
    search_found="「{asked}」を含む記事",
    search_none="「{asked}」に一致する記事は見つかりませんでした。",
    search_hint="言葉を減らすか、別の言葉や言葉の最初の部分で試してください。/latest で最新の記事を表示します。",
    search_long="言葉が多すぎます。検索できるのは {most} 語までです。",
    flood="コマンドが続けて送られています。少し待ってから、もう一度お試しください。",
    private="/status は私との個人チャットで送ってください。ここは他の人も読んでいます。",
    m_help="{site} の新しい記事をすべて投稿しています。次のようにメンションしてください。\n"
    "latest [件数]: 最新の記事（既定は{default}件、最大{most}件）\n"
    "category: カテゴリーの一覧\n"
    "category 名前: そのカテゴリーの最新の記事\n"
    "search 語句: その語句を含む記事",
    m_usage="「latest」に1〜{most}の件数を付けてください。",
    m_categories="カテゴリー（「category 名前」で記事を表示）:",
    m_pick="一覧は「category」で表示できます。",
    m_search="「search」に1〜{most}語の語句を付けてください。",
    m_found="「{asked}」を含む記事:",
    m_not_found="「{asked}」を含む記事はありません。",
    cmd_latest="最新の記事",
    cmd_category="カテゴリー別の記事",
    cmd_search="記事を検索",
    cmd_help="このボットについて",
    cmd_status="配信状況（管理者用）",
    cmd_subscribe="このチャットで新しい記事を受け取る",
    cmd_unsubscribe="ここでの記事の受け取りをやめる",
    cmd_subscriptions="このチャットに届くもの",
    subscribe_help="/subscribe: 新しい記事をすべてこのチャットに\n/subscribe 名前: あるカテゴリーの新しい記事\n/unsubscribe [名前|all]: 受け取りをやめる\n/subscriptions: このチャットに届くもの",
    subscribe_private="購読は個人チャットで行います。私とのチャットを開いて、そこで /subscribe を送ってください。",
    subscribed_all="完了しました。新しい記事はすべてこのチャットに届きます。",
    narrow_pick="一部のカテゴリーだけにしますか？選んでください：",
    subscribed="完了しました。{name} の新しい記事がこのチャットに届きます。",
    subscribed_already="それはすでにここに届いています。",
    subscribe_limit="1人の読者に保存できる上限までカテゴリーを登録しています。先に /unsubscribe でひとつ解除してください。",
    unsubscribed="{name} はこのチャットに届かなくなりました。",
    unsubscribed_all="完了しました。このチャットにはもう何も届きません。",
    unsubscribe_none="それはここに届いていませんでした。",
    unsubscribe_pick="何を止めますか？",
    all_button="すべて",
    subscriptions_none="このチャットにはまだ何も届きません。すべての新しい記事は /subscribe、カテゴリーは /subscribe 名前 で。",
    subscriptions_list="このチャットに届くもの：",
    every_post="新しい記事すべて",
    category_gone="{name}（サイトからなくなりました。戻るまで何も届きません）",
    subscribe_slow="続けて多くの変更が行われました。1分後にもう一度お試しください。",
)
