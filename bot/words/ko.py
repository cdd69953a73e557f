"""Korean."""

from bot.words.base import Words

WORDS = Words(
    read_more="자세히 보기",
    help="{channels}에 새 기사를 모두 올리는 봇입니다.\n\n"
    "/latest [개수]: 최신 기사 (기본 {default}개, 최대 {most}개)\n"
    "/category: 카테고리 목록\n"
    "/category 이름: 해당 카테고리의 최신 기사\n"
    "/search 단어: 이 단어가 들어간 기사\n"
    "/help: 이 도움말",
    latest="최신 기사",
    none="아직 기사가 없습니다.",
    usage="사용법: /latest [개수] (개수는 1~{most})",
    categories="카테고리를 선택하세요.",
    no_categories="아직 카테고리가 없습니다.",
    unknown="‘{asked}’ 카테고리가 없습니다.",
    did_you_mean="이것을 찾으셨나요: {names}",
    pick="/category로 카테고리를 선택하세요.",
    search_usage="사용법: /search 뒤에 찾을 단어를 입력하세요.",
    search_found="‘{asked}’ 포함 기사",
    search_none="‘{asked}’에 대한 검색 결과가 없습니다.",
    search_hint="단어를 줄이거나 다른 단어, 또는 단어의 앞부분으로 찾아보세요. /latest는 최신 기사를 보여 줍니다.",
    search_long="단어가 너무 많습니다: 최대 {most}개까지 찾습니다.",
    flood="명령이 연달아 너무 많이 들어왔습니다. 잠시 후 다시 시도해 주세요.",
    private="/status는 저와의 개인 대화에서 요청해 주세요. 여기는 다른 사람들도 읽습니다.",
    m_help="{site}의 새 기사를 모두 올립니다. 이렇게 멘션해 주세요:\n"
    "latest [개수]: 최신 기사 (기본 {default}개, 최대 {most}개)\n"
    "category: 카테고리 목록\n"
    "category 이름: 해당 카테고리의 최신 기사\n"
    "search 단어: 이 단어가 들어간 기사",
    m_usage="‘latest’ 뒤에 1부터 {most}까지의 개수를 적어 주세요.",
    m_categories="카테고리 (‘category 이름’으로 요청):",
    m_pick="목록은 ‘category’로 요청하세요.",
    m_search="‘search’ 뒤에 단어를 1개에서 {most}개까지 적어 주세요.",
    m_found="‘{asked}’이(가) 들어간 기사:",
    m_not_found="‘{asked}’이(가) 들어간 기사가 없습니다.",
    cmd_latest="최신 기사",
    cmd_category="카테고리별 기사",
    cmd_search="기사 검색",
    cmd_help="이 봇이 하는 일",
    cmd_status="게시 현황 (관리자)",
    cmd_subscribe="이 대화에서 새 기사 받기",
    cmd_unsubscribe="여기서 기사 받지 않기",
    cmd_subscriptions="이 대화로 오는 것",
    subscribe_help="/subscribe: 모든 새 기사를 이 대화로\n/subscribe 이름: 한 카테고리의 새 기사\n/unsubscribe [이름|all]: 구독 해지\n/subscriptions: 이 대화로 오는 것",
    subscribe_private="구독은 개인 대화에서 할 수 있습니다. 저와의 대화를 열고 거기서 /subscribe를 보내 주세요.",
    subscribed_all="완료: 모든 새 기사가 이 대화로 옵니다.",
    narrow_pick="일부 카테고리만 원하시나요? 골라 주세요:",
    subscribed="완료: {name}의 새 기사가 이 대화로 옵니다.",
    subscribed_already="이미 여기로 오고 있습니다.",
    subscribe_limit="독자 한 명에게 저장할 수 있는 만큼 카테고리를 구독 중입니다. 먼저 /unsubscribe로 하나를 해지해 주세요.",
    unsubscribed="{name}은(는) 더 이상 이 대화로 오지 않습니다.",
    unsubscribed_all="완료: 이 대화로 더 이상 아무것도 오지 않습니다.",
    unsubscribe_none="원래 여기로 오지 않던 것입니다.",
    unsubscribe_pick="무엇을 멈출까요?",
    all_button="전체",
    subscriptions_none="아직 이 대화로 오는 것이 없습니다. 모든 새 기사는 /subscribe, 카테고리는 /subscribe 이름으로 받으세요.",
    subscriptions_list="이 대화로 오는 것:",
    every_post="모든 새 기사",
    category_gone="{name} (더 이상 사이트에 없음: 돌아올 때까지 아무것도 오지 않습니다)",
    subscribe_slow="연달아 너무 많이 변경했습니다. 1분 후에 다시 시도해 주세요.",
)
