"""Turkish. Sentences are built so that no suffix hangs on a placeholder."""

from bot.words.base import Words

WORDS = Words(
    read_more="Devamını oku",
    help="Her yeni haberi şu kanalda yayımlayan bir botum: {channels}\n\n"
    "/latest [sayı]: en yeni haberler (varsayılan {default}, en fazla {most})\n"
    "/category: kategoriler\n"
    "/category ad: bir kategorideki en yeni haberler\n"
    "/search kelimeler: bu kelimelerin geçtiği haberler\n"
    "/help: bu yardım metni",
    latest="Son haberler",
    none="Henüz haber yok.",
    usage="Kullanım: /latest [sayı]; sayı 1 ile {most} arasında olmalı.",
    categories="Bir kategori seçin:",
    no_categories="Henüz kategori yok.",
    unknown="Böyle bir kategori yok: “{asked}”.",
    did_you_mean="Şunu mu demek istediniz: {names}?",
    pick="/category ile bir kategori seçin.",
    search_usage="Kullanım: /search ve aradığınız kelimeler.",
    search_found="“{asked}” geçen haberler",
    search_none="“{asked}” için bir şey bulunamadı.",
    search_hint="Daha az ya da başka kelimeler veya bir kelimenin başını deneyin; /latest en yeni haberleri gösterir.",
    search_long="Bu çok fazla kelime: en fazla {most} kelime ararım.",
    flood="Biraz yavaş: art arda çok fazla komut gönderdiniz. Birazdan yeniden deneyin.",
    private="/status komutunu bana özel sohbetten gönderin: burayı başkaları da okuyor.",
    m_help="{site} sitesindeki her yeni haberi yayımlıyorum. Beni şöyle anın:\n"
    "latest [sayı]: en yeni haberler (varsayılan {default}, en fazla {most})\n"
    "category: kategoriler\n"
    "category AD: bir kategorideki en yeni haberler\n"
    "search KELİMELER: bu kelimeleri içeren haberler",
    m_usage="“latest” yazıp 1 ile {most} arasında bir sayı ekleyin.",
    m_categories="Kategoriler (“category AD” yazın):",
    m_pick="Liste için “category” yazın.",
    m_search="“search” yazıp bir ile {most} arasında kelime ekleyin.",
    m_found="“{asked}” içeren haberler:",
    m_not_found="“{asked}” içeren haber yok.",
    cmd_latest="En yeni haberler",
    cmd_category="Kategorilere göre haberler",
    cmd_search="Haberlerde ara",
    cmd_help="Bu bot ne yapar",
    cmd_status="Yayın durumu (yöneticiler)",
    cmd_subscribe="Yeni haberler bu sohbete gelsin",
    cmd_unsubscribe="Buraya haber gelmesin",
    cmd_subscriptions="Bu sohbete neler geliyor",
    subscribe_help="/subscribe: her yeni haber bu sohbete\n/subscribe ad: bir kategorideki yeni haberler\n/unsubscribe [ad|all]: aboneliği bırak\n/subscriptions: bu sohbete neler geliyor",
    subscribe_private="Abonelikler özel sohbette yapılır: benimle bir sohbet açıp orada /subscribe gönderin.",
    subscribed_all="Tamam: her yeni haber bu sohbete gelecek.",
    narrow_pick="Yalnızca bazı kategoriler mi? Seçin:",
    subscribed="Tamam: {name} kategorisindeki yeni haberler bu sohbete gelecek.",
    subscribed_already="Bu zaten buraya geliyor.",
    subscribe_limit="Bir okur için tuttuğum kadar kategoriyi takip ediyorsunuz: önce /unsubscribe ile birinden çıkın.",
    unsubscribed="{name} artık bu sohbete gelmeyecek.",
    unsubscribed_all="Tamam: bu sohbete artık hiçbir şey gelmeyecek.",
    unsubscribe_none="Bu zaten buraya gelmiyordu.",
    unsubscribe_pick="Ne dursun?",
    all_button="Hepsi",
    subscriptions_none="Bu sohbete henüz bir şey gelmiyor: her yeni haber için /subscribe, bir kategori için /subscribe ad.",
    subscriptions_list="Bu sohbete gelenler:",
    every_post="her yeni haber",
    category_gone="{name} (artık sitede yok: geri gelene kadar bir şey gelmeyecek)",
    subscribe_slow="Art arda çok fazla değişiklik: bir dakika sonra yeniden deneyin.",
)
