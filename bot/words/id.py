"""Indonesian."""

from bot.words.base import Words

WORDS = Words(
    read_more="Baca selengkapnya",
    help="Saya bot {channels}: setiap artikel baru saya terbitkan di sana.\n\n"
    "/latest [jumlah]: artikel terbaru (bawaan {default}, paling banyak {most})\n"
    "/category: daftar kategori\n"
    "/category nama: artikel terbaru dalam satu kategori\n"
    "/search kata: artikel yang memuat kata-kata ini\n"
    "/help: bantuan ini",
    latest="Artikel terbaru",
    none="Belum ada artikel.",
    usage="Cara pakai: /latest [jumlah], dengan jumlah 1 sampai {most}.",
    categories="Pilih kategori:",
    no_categories="Belum ada kategori.",
    unknown="Tidak ada kategori “{asked}”.",
    did_you_mean="Maksud Anda: {names}?",
    pick="Pilih salah satu dengan /category.",
    search_usage="Cara pakai: /search diikuti kata yang dicari.",
    search_found="Artikel dengan “{asked}”",
    search_none="Tidak ada hasil untuk “{asked}”.",
    search_hint="Coba lebih sedikit kata, kata lain, atau awal sebuah kata; /latest menampilkan artikel terbaru.",
    search_long="Kata-katanya terlalu banyak: saya mencari paling banyak {most} kata.",
    flood="Pelan-pelan: Anda mengirim banyak perintah berturut-turut. Coba lagi sebentar lagi.",
    private="Minta /status di obrolan pribadi dengan saya: di sini orang lain ikut membaca.",
    m_help="Saya menerbitkan setiap artikel baru dari {site}. Sebut saya dengan:\n"
    "latest [jumlah]: artikel terbaru (bawaan {default}, paling banyak {most})\n"
    "category: daftar kategori\n"
    "category NAMA: artikel terbaru dalam satu kategori\n"
    "search KATA: artikel dengan kata-kata ini",
    m_usage="Kirim “latest” dengan jumlah dari 1 sampai {most}.",
    m_categories="Kategori (kirim “category NAMA”):",
    m_pick="Kirim “category” untuk melihat daftarnya.",
    m_search="Kirim “search” dengan satu sampai {most} kata.",
    m_found="Artikel dengan “{asked}”:",
    m_not_found="Tidak ada artikel dengan “{asked}”.",
    cmd_latest="Artikel terbaru",
    cmd_category="Artikel per kategori",
    cmd_search="Cari artikel",
    cmd_help="Apa yang dilakukan bot ini",
    cmd_status="Status penerbitan (admin)",
    cmd_subscribe="Artikel baru di obrolan ini",
    cmd_unsubscribe="Berhenti menerima artikel di sini",
    cmd_subscriptions="Apa yang masuk ke obrolan ini",
    subscribe_help="/subscribe: setiap artikel baru di obrolan ini\n/subscribe nama: artikel baru dalam satu kategori\n/unsubscribe [nama|all]: berhenti berlangganan\n/subscriptions: apa yang masuk ke obrolan ini",
    subscribe_private="Langganan dilakukan di obrolan pribadi: buka obrolan dengan saya lalu kirim /subscribe di sana.",
    subscribed_all="Selesai: setiap artikel baru akan masuk ke obrolan ini.",
    narrow_pick="Hanya beberapa kategori? Pilih:",
    subscribed="Selesai: artikel baru dalam {name} akan masuk ke obrolan ini.",
    subscribed_already="Itu sudah masuk ke sini.",
    subscribe_limit="Anda mengikuti kategori sebanyak yang saya simpan untuk satu pembaca: berhenti dari satu dulu dengan /unsubscribe.",
    unsubscribed="{name} tidak akan masuk lagi ke obrolan ini.",
    unsubscribed_all="Selesai: tidak ada lagi yang masuk ke obrolan ini.",
    unsubscribe_none="Itu memang tidak masuk ke sini.",
    unsubscribe_pick="Apa yang perlu dihentikan?",
    all_button="Semua",
    subscriptions_none="Belum ada yang masuk ke obrolan ini: /subscribe untuk setiap artikel baru, /subscribe nama untuk satu kategori.",
    subscriptions_list="Yang masuk ke obrolan ini:",
    every_post="setiap artikel baru",
    category_gone="{name} (sudah tidak ada di situs: tidak ada yang masuk sampai kategori itu kembali)",
    subscribe_slow="Terlalu banyak perubahan berturut-turut: coba lagi dalam satu menit.",
)
