"""Vietnamese."""

from bot.words.base import Words

WORDS = Words(
    read_more="Đọc thêm",
    help="Tôi là bot của {channels}: tôi đăng mọi bài viết mới lên đó.\n\n"
    "/latest [số lượng]: các bài viết mới nhất (mặc định {default}, tối đa {most})\n"
    "/category: các chuyên mục\n"
    "/category tên: các bài viết mới nhất trong một chuyên mục\n"
    "/search từ khóa: các bài viết có những từ này\n"
    "/help: phần hướng dẫn này",
    latest="Bài viết mới nhất",
    none="Chưa có bài viết nào.",
    usage="Cách dùng: /latest [số lượng], với số lượng từ 1 đến {most}.",
    categories="Chọn một chuyên mục:",
    no_categories="Chưa có chuyên mục nào.",
    unknown="Không có chuyên mục “{asked}”.",
    did_you_mean="Có phải bạn muốn tìm: {names}?",
    pick="Hãy chọn một chuyên mục bằng /category.",
    search_usage="Cách dùng: /search kèm theo các từ cần tìm.",
    search_found="Bài viết có “{asked}”",
    search_none="Không tìm thấy kết quả cho “{asked}”.",
    search_hint="Hãy thử ít từ hơn, từ khác hoặc phần đầu của một từ; /latest hiển thị các bài viết mới nhất.",
    search_long="Nhiều từ quá: tôi chỉ tìm tối đa {most} từ.",
    flood="Chậm lại một chút: bạn đã gửi nhiều lệnh liên tiếp. Hãy thử lại sau giây lát.",
    private="Hãy hỏi /status trong cuộc trò chuyện riêng với tôi: ở đây người khác cũng đọc được.",
    m_help="Tôi đăng mọi bài viết mới của {site}. Hãy nhắc đến tôi kèm:\n"
    "latest [số lượng]: các bài viết mới nhất (mặc định {default}, tối đa {most})\n"
    "category: các chuyên mục\n"
    "category TÊN: các bài viết mới nhất trong một chuyên mục\n"
    "search TỪ KHÓA: các bài viết có những từ này",
    m_usage="Hãy gửi “latest” kèm một số từ 1 đến {most}.",
    m_categories="Các chuyên mục (gửi “category TÊN”):",
    m_pick="Gửi “category” để xem danh sách.",
    m_search="Hãy gửi “search” kèm từ một đến {most} từ.",
    m_found="Bài viết có “{asked}”:",
    m_not_found="Không có bài viết nào có “{asked}”.",
    cmd_latest="Các bài viết mới nhất",
    cmd_category="Bài viết theo chuyên mục",
    cmd_search="Tìm trong các bài viết",
    cmd_help="Bot này làm gì",
    cmd_status="Tình trạng đăng bài (quản trị viên)",
    cmd_subscribe="Nhận bài viết mới trong cuộc trò chuyện này",
    cmd_unsubscribe="Ngừng nhận bài viết ở đây",
    cmd_subscriptions="Những gì gửi đến đây",
    subscribe_help="/subscribe: mọi bài viết mới trong cuộc trò chuyện này\n/subscribe tên: các bài viết mới trong một chuyên mục\n/unsubscribe [tên|all]: ngừng nhận\n/subscriptions: những gì gửi đến đây",
    subscribe_private="Đăng ký nhận bài diễn ra trong cuộc trò chuyện riêng: hãy mở cuộc trò chuyện với tôi và gửi /subscribe ở đó.",
    subscribed_all="Xong: mọi bài viết mới sẽ được gửi đến đây.",
    narrow_pick="Chỉ một số chuyên mục thôi? Hãy chọn:",
    subscribed="Xong: các bài viết mới trong {name} sẽ được gửi đến đây.",
    subscribed_already="Bạn đã nhận mục này ở đây rồi.",
    subscribe_limit="Bạn đang theo dõi số chuyên mục tối đa tôi lưu cho một độc giả: hãy hủy một mục bằng /unsubscribe trước.",
    unsubscribed="{name} sẽ không còn được gửi đến đây.",
    unsubscribed_all="Xong: sẽ không còn gì được gửi đến đây.",
    unsubscribe_none="Bạn vốn không nhận mục này ở đây.",
    unsubscribe_pick="Ngừng nhận mục nào?",
    all_button="Tất cả",
    subscriptions_none="Chưa có gì được gửi đến đây: /subscribe để nhận mọi bài viết mới, /subscribe tên để nhận một chuyên mục.",
    subscriptions_list="Những gì gửi đến đây:",
    every_post="mọi bài viết mới",
    category_gone="{name} (không còn trên trang: sẽ không có gì cho đến khi chuyên mục trở lại)",
    subscribe_slow="Bạn đã thay đổi nhiều lần liên tiếp: hãy thử lại sau một phút.",
)
